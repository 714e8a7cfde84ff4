"""Rescoring of the fetched candidates: fields, coverage of the query's words, a prior.

Whoosh ranks the sections by BM25 over ``body`` (the heading and the text,
and the note's title in its first section). The best ``5 × limit`` (at least 50) of them are
then scored again here with what BM25 over one field cannot see:

- **coverage**: the share of the query's words that the section holds in
  its text, heading, breadcrumb or note title (a section with all of them
  keeps its score, one with half loses :data:`COORDINATION` / 2);
- **title**: the share of the words in the note's title or its file name
  (``csharp-tracing.md``: documentation names a page by its topic),
  counted once per note (for its best section), so that a title word does
  not lift every section of the note;
- **near**: a bounded bonus for the query's words close together in the
  section (:mod:`.proximity`: each pair of the query's words by their
  nearest two positions in it, 1 / distance², as BM25TP weighs a pair; the
  mean over the query's pairs), for queries of several words;
- **prior**: a bounded bonus from the links that point to the note (a hub
  page wins a one-word topic, but never a clearly better text match);
- **linked**: a bounded bonus from the links that the other candidates
  (the sections that match this query) make to the note, each weighted by
  its score (:mod:`.support`), for its best section only;
- **identifier**: a bounded bonus for a section that writes the query's
  identifiers as typed (:func:`~.querytext.identifiers`: words joined by
  ``.``, ``-``, ``_`` or ``:``, or in mixed case), as whole tokens in any
  case. The analyzer splits an identifier into its words, so to BM25
  ``get_remaining_time_in_millis`` (Python's) is the same phrase as the
  ``getRemainingTimeInMillis`` that the user typed (Node.js's, Java's).

Every part was measured with ``bench/ablation.py`` (each part off in turn)
and ``bench/relevance.py``; the numbers are in the README's ranking section.
On the training sets (obsidian, lambda; MRR@10) the file name's words added
0.876 -> 0.881 on lambda (obsidian's file names are its titles), the links
from the matching sections 0.944 -> 0.956 and 0.881 -> 0.901 (alike for
weights 0.2-0.3; scaling the sums by the largest or by a log was no better),
the words' proximity 0.901 -> 0.909 on lambda (obsidian 0.978 either way;
weights 0.2-0.3 alike; the variants tried are in :mod:`.proximity`).

The fourth round added the identifier bonus. At weights
0.2-0.5 alike (0.1: no change; 0.3 kept): obsidian 0.978 either way (its
queries have no identifiers), lambda 0.909 -> 0.917 (``getRemainingTimeInMillis``
2 -> 1; success@5 0.953 either way). On the held-out sets, run once after
it was chosen: obsidian-holdout 0.839 -> 0.856 (success@5 0.900 either
way), lambda-holdout 0.978 / 0.883 and multilingual 1.000 / 1.000 unchanged.

Every variant tried and dropped, round by round, with its numbers, is in
``bench/ranking.md``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from ..records import record
from .support import link_support

COORDINATION = 0.3  # what a section missing every query word but one loses (at most)
TITLE_WEIGHT = 1.0  # bonus for a note title holding all the words (best section only)
PRIOR_WEIGHT = 0.1  # the most the links to a note add
PRIOR_LINKS = 50  # a note with this many linking sections gets the whole prior
PROXIMITY_WEIGHT = 0.25  # the most the query's words close together add (:mod:`.proximity`)
LINK_WEIGHT = 0.25  # the most the links from other matching sections add (:mod:`.support`)
NAME_IN_TITLE = True  # the file name's words count as title words (bench/ablation.py: off)
IDENTIFIER_WEIGHT = 0.3  # the most a section writing the query's identifiers as typed gains
# The query's first identifiers that count: each is looked for in every candidate, and a
# query of 400 (a_1 a_2 ...) took a second more than without the bonus.
IDENTIFIERS_AT_MOST = 16
_SEPARATORS = re.compile(r"[-_.\s]+")  # between the words of a file name


@record
class Scored:
    """One candidate with its final score and the parts it is made of."""

    score: float
    docnum: int
    data: dict[str, Any]
    parts: dict[str, float]


def rescore(
    candidates: Iterable[tuple[float, int, dict[str, Any]]],
    words: frozenset[str],
    matched: Callable[[int], frozenset[str]],
    links_to: Callable[[str], int],
    near: Mapping[int, float] | None = None,
    identifiers: Sequence[str] = (),
) -> list[Scored]:
    """Score the candidates again (see the module docstring); the best first.

    Args:
        candidates: (BM25 score, Whoosh docnum, stored record), best first.
        words: the query's words, as index terms.
        matched: the query terms a candidate's text matched, by docnum.
        links_to: note path -> the number of sections that link to it.
        near: docnum -> how close together the section holds the query's
            words, 0 to 1 (:mod:`.proximity`); None or absent: 0.
        identifiers: the query's identifiers as typed
            (:func:`~.querytext.identifiers`; the first :data:`IDENTIFIERS_AT_MOST`
            count).
    """
    typed = (
        [(name.lower(), _written(name)) for name in identifiers[:IDENTIFIERS_AT_MOST]]
        if IDENTIFIER_WEIGHT
        else []
    )
    first = []
    for bm25, docnum, data in candidates:
        heading = frozenset(data["heading_words"])
        title = frozenset(data["title_words"])
        parts = {"text": bm25}
        if len(words) > 1:
            held = matched(docnum) | heading | title
            coverage = len(words & held) / len(words)
            parts["coverage"] = 1.0 - COORDINATION + COORDINATION * coverage
            if PROXIMITY_WEIGHT and near:
                parts["near"] = 1.0 + PROXIMITY_WEIGHT * near.get(docnum, 0.0)
        if typed:
            where = f"{data['heading']}\n{data['text']}"
            lowered = where.lower()  # most sections hold none of them: no regex then
            written = sum(1 for name, pattern in typed if name in lowered and pattern.search(where))
            parts["identifier"] = 1.0 + IDENTIFIER_WEIGHT * written / len(typed)
        parts["prior"] = prior(links_to(data["path"]))
        first.append(Scored(math.prod(parts.values()), docnum, data, parts))
    # The title's bonus goes to the note's best section by everything else.
    titled: set[str] = set()
    scored = []
    for item in order(first):
        note = item.data["path"]
        if note in titled:
            scored.append(item)
            continue
        titled.add(note)
        named = frozenset(item.data["title_words"])
        if NAME_IN_TITLE:
            named |= name_words(note)
        bonus = 1.0 + TITLE_WEIGHT * _share(words, named)
        parts = {**item.parts, "title": bonus}
        scored.append(Scored(item.score * bonus, item.docnum, item.data, parts))
    if not LINK_WEIGHT:
        return order(scored)
    # The links of the matching sections, counted once per note (its best section).
    support = link_support([(item.score, item.data) for item in scored])
    linked = []
    for item in order(scored):
        share = support.pop(item.data["path"], 0.0)
        if share:
            bonus = 1.0 + LINK_WEIGHT * min(1.0, share)
            parts = {**item.parts, "linked": bonus}
            item = Scored(item.score * bonus, item.docnum, item.data, parts)
        linked.append(item)
    return order(linked)


@lru_cache(maxsize=4096)
def name_words(path: str) -> frozenset[str]:
    """The index terms of a note's file name (``csharp-tracing.md``: csharp, trace)."""
    from .highlight import words_of

    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return frozenset(words_of(_SEPARATORS.sub(" ", stem)))


@lru_cache(maxsize=256)
def _written(identifier: str) -> re.Pattern[str]:
    """``identifier`` as a whole token, in any case (``getRemainingTimeInMillis()``,
    ``context.getremainingtimeinmillis``; not ``get_remaining_time_in_millis``)."""
    return re.compile(rf"(?<!\w){re.escape(identifier)}(?!\w)", re.IGNORECASE)


def _share(words: frozenset[str], held: frozenset[str]) -> float:
    return len(words & held) / len(words) if words else 0.0


def prior(links: int) -> float:
    """1.0 for a note nothing links to, up to 1 + PRIOR_WEIGHT (log scale)."""
    if links <= 0:
        return 1.0
    return 1.0 + PRIOR_WEIGHT * min(1.0, math.log1p(links) / math.log1p(PRIOR_LINKS))


def order(scored: Sequence[Scored]) -> list[Scored]:
    """Score order with a deterministic tie-break (path, then line)."""
    return sorted(scored, key=lambda s: (-round(s.score, 6), s.data["path"], s.data["line"]))
