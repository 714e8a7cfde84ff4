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

Tried in the third round (issue 12; obsidian 0.978, lambda 0.909 before,
MRR@10) and dropped:

- the notes that the best 5 or 10 candidates link to and that are not
  candidates themselves let in (their first section, scored 0.2-0.7 of the
  best score times their share): unchanged up to 0.5, lambda 0.908 at 0.7.
  On the training sets a right note is always among the candidates already:
  the misses are in the order, not in the candidates;
- each link weighted by the share of the query's words in its line (the
  words around it, "anchor text"): a base weight of 0.75, 0.5, 0.25 or 0
  for a link whose line holds none gave obsidian 0.967, 0.963, 0.952 and
  0.974 (lambda 0.909, 0.909, 0.909, 0.917); an extra weight for one whose
  line holds them (up to x1.5-3): unchanged. A stored link keeps its target
  and its line in the note, not its label, and the stored text is reflowed
  (list markers dropped, paragraphs apart), so the measurement read the
  line from the note; keeping it would take the label in the index;
- only the best 5, 10, 20 or 30 candidates' links (not all of them), at
  weights 0.25 and 0.4: obsidian 0.948-0.978, lambda 0.904-0.920, not
  monotonic in either.
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
