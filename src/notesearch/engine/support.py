"""Links among the candidates: how much the sections that match a query point at a note.

A note that the matching sections of other notes link to is likely the page
about the topic: "to reduce cold starts, use [provisioned
concurrency](provisioned-concurrency.md)" is evidence for that page even
where its own text says "cold start" less often. This is relevance
propagation over the result set (anchor evidence, as web search uses it):
each candidate section gives its score, as a share of the best candidate's,
to every other note it links to; :mod:`.rank` turns a note's sum into a
bounded bonus. Unlike the link prior (every link to a note, whatever the
query), only links from sections that match the query count.

Only links to notes among the candidates matter, so they are resolved
against those notes alone, by the rules of :class:`~notesearch.notes.links.NoteSet`
(a markdown link by its path, with or without the note suffix; a wiki link
by its name or the end of its path, ties to the linking note's folder, then
the shortest path): no note list is read and no table of names is built.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..notes.names import wiki_name
from ..settings import NOTE_SUFFIXES


def link_support(candidates: Sequence[tuple[float, Mapping[str, Any]]]) -> dict[str, float]:
    """Note path -> the summed share of the best score of the other candidates linking to it.

    Args:
        candidates: (score, stored record) of every candidate section, any order.
    """
    best = max((score for score, _ in candidates), default=0.0)
    if best <= 0:
        return {}
    names = _Names(data["path"] for _, data in candidates)
    support: dict[str, float] = {}
    for score, data in candidates:
        source = data["path"]
        targets = {names.target(link, source) for link in data["links"]}
        for target in targets - {None, source}:
            assert target is not None
            support[target] = support.get(target, 0.0) + score / best
    return support


class _Names:
    """The candidates' notes, found by what a link writes."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = frozenset(paths)
        self.by_name: dict[str, list[str]] = {}
        for path in sorted(self.paths):
            lowered = path.lower()
            keys = {lowered, posixpath.basename(lowered)}
            keys |= {k[: -len(s)] for k in tuple(keys) for s in NOTE_SUFFIXES if k.endswith(s)}
            for key in keys:
                self.by_name.setdefault(key, []).append(path)

    def target(self, link: Mapping[str, Any], source: str) -> str | None:
        """The candidate note a stored link points at, or None."""
        kind = link["kind"]
        if kind == "external" or link.get("outside"):
            return None
        path = link.get("path")
        if kind == "wiki" or (kind == "embed" and path is None):
            return self._wiki(wiki_name(link["raw"]), source)
        if path in self.paths:
            return str(path)
        for suffix in NOTE_SUFFIXES:  # ``[x](other-note)`` without the suffix
            if f"{path}{suffix}" in self.paths:
                return f"{path}{suffix}"
        return None

    def _wiki(self, name: str, source: str) -> str | None:
        key = name.strip().replace("\\", "/").lstrip("/").lower()
        if not key:
            return None  # a link to a heading of the same note
        found = self.by_name.get(key, [])
        if "/" in key:
            found = [
                p
                for p in self.by_name.get(posixpath.basename(key), [])
                if any(
                    p.lower() == key + s or p.lower().endswith("/" + key + s)
                    for s in ("", *NOTE_SUFFIXES)
                )
            ]
        if not found:
            return None
        folder = posixpath.dirname(source)
        return min(found, key=lambda p: (posixpath.dirname(p) != folder, p.count("/"), len(p), p))
