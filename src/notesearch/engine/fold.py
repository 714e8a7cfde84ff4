"""Folding of near-duplicate results: templated pages show once, with ``+N similar``.

Documentation has one page per region, runtime or version with the same
headings and nearly the same text; unfolded, one query shows eight copies of
one table. A ranked section is folded into a higher one when their headings
(with the breadcrumb) share at least :data:`HEADING_SIMILARITY` of their
words and their texts at least :data:`TEXT_SIMILARITY` (Jaccard similarity of
the sets of words, case-folded, not stemmed: templated copies differ in a
name or a number, not in grammar). Sections of fewer than :data:`MIN_WORDS`
words never fold (two empty "Examples" sections are not duplicates).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .rank import Scored

HEADING_SIMILARITY = 0.5
TEXT_SIMILARITY = 0.8
MIN_WORDS = 5
_WORD = re.compile(r"\w+")


@dataclass(slots=True)
class Folded:
    """A result and the near-identical lower results folded into it."""

    item: Scored
    similar: list[Scored] = field(default_factory=list)


def fold(ranked: Sequence[Scored], limit: int | None = None) -> list[Folded]:
    """Fold each result into the first higher one it nearly duplicates.

    Stops looking for new results once ``limit`` are kept, but goes on
    folding the rest into those kept (so that ``+N`` counts every copy among
    the candidates).
    """
    kept: list[tuple[Folded, frozenset[str], _Lazy]] = []
    for item in ranked:
        heading = _words(" ".join([*item.data["breadcrumb"], item.data["heading"]]))
        text = _Lazy(item.data["text"])
        home = next((f for f, h, t in kept if _similar(heading, h, text, t)), None)
        if home is not None:
            home.similar.append(item)
        elif limit is None or len(kept) < limit:
            kept.append((Folded(item), heading, text))
    return [folded for folded, _, _ in kept]


def _similar(heading: frozenset[str], other: frozenset[str], text: _Lazy, theirs: _Lazy) -> bool:
    if _jaccard(heading, other) < HEADING_SIMILARITY:
        return False
    mine, them = text.words(), theirs.words()
    if len(mine) < MIN_WORDS or len(them) < MIN_WORDS:
        return False
    return _jaccard(mine, them) >= TEXT_SIMILARITY


class _Lazy:
    """A section text's set of words, worked out when first needed."""

    __slots__ = ("_text", "_words")

    def __init__(self, text: str) -> None:
        self._text = text
        self._words: frozenset[str] | None = None

    def words(self) -> frozenset[str]:
        if self._words is None:
            self._words = _words(self._text)
        return self._words


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.casefold()))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)
