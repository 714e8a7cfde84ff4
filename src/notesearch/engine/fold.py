"""Folding of near-duplicate results: templated pages show once, with ``+N similar``.

Documentation has one page per region, runtime or version with the same
headings and nearly the same text; unfolded, one query shows eight copies of
one table. A ranked section is folded into a higher one when their headings
(with the breadcrumb) share at least :data:`HEADING_SIMILARITY` of their
words and their headings and texts together at least :data:`TEXT_SIMILARITY`
(Jaccard similarity of the sets of words, case-folded, not stemmed:
templated copies differ in a name or a number, not in grammar). The words of
a note's own path are left out of its sets first: a templated page carries
what varies in its file name (``us-east-1.md``, ``python-logging.md``).
Sections of fewer than :data:`MIN_WORDS` words never fold (two "Examples"
sections with no text are not duplicates), nor do two sections of one note
(the per-note cap limits those).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..records import field, record
from .rank import Scored

HEADING_SIMILARITY = 0.5
TEXT_SIMILARITY = 0.8
MIN_WORDS = 4
LOOK_AT = 32  # kept results one result is compared with, at most
_WORD = re.compile(r"\w+")


@record(frozen=False)
class Folded:
    """A result and the near-identical lower results folded into it."""

    item: Scored
    similar: list[Scored] = field(default_factory=list)


def fold(
    ranked: Sequence[Scored], limit: int | None = None, per_note: int = 0, *, similar: bool = True
) -> list[Folded]:
    """Fold each result into the first higher one it nearly duplicates; cap and cut the rest.

    A result that folds into none is kept while its note has fewer than
    ``per_note`` kept (0: no cap) and fewer than ``limit`` are kept (None:
    no limit); the later ones still fold into those kept, so that ``+N``
    counts every copy among the candidates. ``similar`` False only caps and
    cuts (``--no-fold``). A result is compared with at most :data:`LOOK_AT`
    kept results that share a heading word (the highest), so that ``--all``
    over a big vault stays linear.
    """
    kept: list[_Kept] = []
    by_word: dict[str, list[_Kept]] = {}  # heading word -> kept results with it (the first few)
    untitled: list[_Kept] = []  # the first few kept results with no heading words
    notes: dict[str, int] = {}
    for item in ranked:
        note = item.data["path"]
        own = _words(note)
        heading = _words(" ".join([*item.data["breadcrumb"], item.data["heading"]])) - own
        text = _Lazy(item.data["text"], heading, own)
        if similar:
            others = {id(k): k for w in heading for k in by_word.get(w, ())} if heading else {}
            near = sorted(others.values(), key=lambda k: k.order) if heading else untitled
            home = next(
                (
                    k.folded
                    for k in near[:LOOK_AT]
                    if k.note != note and _similar(heading, k.heading, text, k.text)
                ),
                None,
            )
            if home is not None:
                home.similar.append(item)
                continue
        if (limit is not None and len(kept) >= limit) or (0 < per_note <= notes.get(note, 0)):
            continue
        notes[note] = notes.get(note, 0) + 1
        entry = _Kept(len(kept), note, heading, text, Folded(item))
        kept.append(entry)
        for word in heading:
            bucket = by_word.setdefault(word, [])
            if len(bucket) < LOOK_AT:
                bucket.append(entry)
        if not heading and len(untitled) < LOOK_AT:
            untitled.append(entry)
    return [entry.folded for entry in kept]


@record(frozen=False)
class _Kept:
    order: int
    note: str
    heading: frozenset[str]
    text: _Lazy
    folded: Folded


def _similar(heading: frozenset[str], other: frozenset[str], text: _Lazy, theirs: _Lazy) -> bool:
    if _jaccard(heading, other) < HEADING_SIMILARITY:
        return False
    mine, them = text.words(), theirs.words()
    if len(mine) < MIN_WORDS or len(them) < MIN_WORDS:
        return False
    return _jaccard(mine, them) >= TEXT_SIMILARITY


class _Lazy:
    """A section's words (heading and text, less its path's), worked out when first needed."""

    __slots__ = ("_heading", "_own", "_text", "_words")

    def __init__(self, text: str, heading: frozenset[str], own: frozenset[str]) -> None:
        self._text = text
        self._heading = heading
        self._own = own
        self._words: frozenset[str] | None = None

    def words(self) -> frozenset[str]:
        if self._words is None:
            self._words = (_words(self._text) - self._own) | self._heading
        return self._words


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.casefold()))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)
