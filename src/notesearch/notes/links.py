"""Link targets: classification, relative resolution, wiki-name lookup, slugs.

Markdown links resolve at parse time (they depend only on the linking note's
folder). Whether a target exists, and which note a wiki link names, depend on
the whole set of notes, so they are worked out when links are read back,
through :class:`NoteSet`.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import unquote

from ..models import Link
from ..records import replace
from ..settings import NOTE_SUFFIXES
from .names import split_anchor, wiki_name

if TYPE_CHECKING:
    from ..models import LinkKind

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_SLUG_DROP = re.compile(r"[^\w\- ]")


def slugify(text: str) -> str:
    """GitHub-style anchor: lowercase, punctuation dropped, spaces to hyphens."""
    return _SLUG_DROP.sub("", text.strip().lower()).replace(" ", "-")


class SlugMaker:
    """Hands out slugs unique within one note (``x``, ``x-1``, ``x-2``...)."""

    def __init__(self) -> None:
        self._used: dict[str, int] = {}

    def __call__(self, text: str) -> str:
        base = slugify(text)
        if base not in self._used:
            self._used[base] = 0
            return base
        while True:
            self._used[base] += 1
            candidate = f"{base}-{self._used[base]}"
            if candidate not in self._used:
                self._used[candidate] = 0
                return candidate


def is_external(target: str) -> bool:
    """URLs with a scheme (``https:``, ``mailto:``, ``javascript:``) or ``//host``."""
    target = target.strip()
    if target.startswith("//"):
        return True
    match = _SCHEME.match(target)
    # A single letter before ':' is a Windows drive, not a scheme: still outside.
    return match is not None and len(match.group(0)) > 2


def resolve_relative(source: str, target: str) -> tuple[str | None, bool]:
    """Resolve a link path against the linking note's folder.

    Returns (path relative to the notes root, outside). ``outside`` is True
    when the target escapes the root (``../``, an absolute file path, ``~/``,
    a drive letter) or holds a NUL after URL-decoding; then the path is None.
    """
    decoded = unquote(target).replace("\\", "/")
    if "\x00" in decoded or decoded.startswith("~") or re.match(r"^[a-zA-Z]:", decoded):
        return None, True
    if "?" in decoded:
        decoded = decoded.split("?", 1)[0]
    if decoded.startswith("/"):
        joined = decoded.lstrip("/")  # vault-absolute, as Obsidian writes it
    else:
        joined = posixpath.join(posixpath.dirname(source), decoded)
    normal = posixpath.normpath(joined) if joined else ""
    if normal in ("", ".") or normal == ".." or normal.startswith("../"):
        return (None, True) if normal.startswith("..") else (source, False)
    return normal, False


def markdown_link(source: str, target: str, line: int, *, embed: bool = False) -> Link:
    """A ``[text](target)`` link (or ``![alt](target)`` image) found in ``source``."""
    kind: LinkKind = "embed" if embed else "markdown"
    if is_external(target):
        return Link(kind="external", raw=target, line=line)
    path_part, anchor = split_anchor(target)
    anchor = unquote(anchor) if anchor else None
    if not path_part:
        return Link(kind=kind, raw=target, line=line, path=source, anchor=anchor)
    path, outside = resolve_relative(source, path_part)
    return Link(kind=kind, raw=target, line=line, path=path, anchor=anchor, outside=outside)


def wiki_link(target: str, line: int, *, embed: bool = False) -> Link:
    """A ``[[target#heading|alias]]`` link; the note is found later by name."""
    name = target.split("|", 1)[0]
    name, anchor = split_anchor(name)
    if anchor is None and "^" in name:
        name, block = name.split("^", 1)
        anchor = "^" + block
    return Link(
        kind="embed" if embed else "wiki",
        raw=target,
        line=line,
        anchor=anchor.strip() if anchor else None,
        path=None,
    )


class NoteSet:
    """The notes (and other files) under the root, for resolving links."""

    def __init__(self, notes: Iterable[str], assets: Iterable[str] = ()) -> None:
        self.notes = frozenset(notes)
        self.files = self.notes | frozenset(assets)
        self._names: tuple[dict[str, str], dict[str, list[str]]] | None = None

    def _named(self, name: str) -> list[str]:
        """The files whose lowercased file name is ``name``, or ``name`` and a note suffix.

        From a table built on first use (only wiki links need it), in two parts:
        each file name that one file has, to that file, and each that several
        have, to them. Built with list and dict operations that run in C, not
        a loop over the files with a list per name: 50,000 files took 160 ms
        that way, four times as long, and a query whose results hold a wiki
        link paid it. The candidates' order does not matter: :meth:`find_wiki`
        picks among them by a total order.
        """
        if self._names is None:
            files = list(self.files)
            names = [path.rpartition("/")[2] for path in map(str.lower, files)]
            one = dict(zip(names, files, strict=True))
            several: dict[str, list[str]] = {}
            if len(one) < len(files):  # some file names are shared
                counts = Counter(names)
                for shared, path in zip(names, files, strict=True):
                    if counts[shared] > 1:
                        several.setdefault(shared, []).append(path)
            self._names = (one, several)
        one, several = self._names
        found: list[str] = []
        for key in (name, *(name + suffix for suffix in NOTE_SUFFIXES)):
            if key in several:
                found += several[key]
            elif key in one:
                found.append(one[key])
        return found

    def exists(self, path: str | None) -> bool:
        return path is not None and path in self.files

    def find_wiki(self, name: str, source: str) -> str | None:
        """The file a wiki link's name points at, as Obsidian picks it.

        A name with ``/`` matches the end of a path; a bare name matches a file
        name with or without its extension. Ties go to the linking note's
        folder, then to the shortest path, then alphabetically.
        """
        key = name.strip().replace("\\", "/").lstrip("/").lower()
        if not key:
            return source
        candidates = self._named(key) if "/" not in key else []
        if "/" in key:
            candidates = [
                p
                for p in self._named(posixpath.basename(key))
                if p.lower() == key
                or p.lower().endswith("/" + key)
                or any(
                    p.lower() in (key + s,) or p.lower().endswith("/" + key + s)
                    for s in NOTE_SUFFIXES
                )
            ]
        if not candidates:
            return None
        folder = posixpath.dirname(source)
        return min(
            candidates,
            key=lambda p: (posixpath.dirname(p) != folder, p.count("/"), len(p), p),
        )

    def resolve(self, link: Link, source: str) -> Link:
        """Fill in ``path`` (wiki links) and ``exists`` for a stored link."""
        if link.kind == "external" or link.outside:
            return link
        path = link.path
        if link.kind == "wiki" or (link.kind == "embed" and path is None):
            path = self.find_wiki(wiki_name(link.raw), source)
        exists = self.exists(path)
        if not exists and path is not None and not path.lower().endswith(NOTE_SUFFIXES):
            for suffix in NOTE_SUFFIXES:  # ``[x](other-note)`` without extension
                if path + suffix in self.files:
                    path, exists = path + suffix, True
                    break
        return replace(link, path=path, exists=exists)
