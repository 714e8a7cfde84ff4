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
Tried there and dropped: a bonus for the heading's share of the words, like
the title's (0.944 -> 0.930, 0.855 -> 0.853: BM25 already sees the heading
in ``body``), again with the words weighted by idf or for queries of
several words only (obsidian 0.919-0.930); the title's words weighted by
idf; a bonus for the share of the title's words that the query holds; a
bonus for pairs of query words adjacent in the heading or title; a damping
of long sections; a feedback bonus for the words of the best five results'
headings (each lowered one training set more than it raised the other).

Tried in the round of the proximity bonus, with it on (obsidian 0.978,
lambda 0.909), and dropped: other BM25 constants (b 0.5 or 0.6: lambda
0.901; b 0.9: 0.963 / 0.889; k1 0.9: 0.967 / 0.908; k1 1.5: 0.963 / 0.903;
k1 2.0: 0.956 / 0.895); a BM25 idf without Whoosh's ``+ 1`` (Lucene's
``log(1 + (N - n + 0.5) / (n + 0.5))``: 0.967 / 0.891; ``log(N / (n + 1))``:
0.967 / 0.889; ``+ 0.5``: 0.967 / 0.902); the heading or the title written
twice in ``body`` (BM25F field weights of 2: heading 0.967 / 0.909, title
0.978 / 0.902, both 0.967 / 0.909); Porter2 (Snowball) stemming instead of
Porter (0.967 / 0.907); NLTK's English stop words (0.974 / 0.911: ``cross
out text`` lost ``out``), or only its contraction stubs (``doesn``, ``don``:
unchanged); 100 candidates instead of 50 (0.963 / 0.910); coverage weights
0.2-0.5 and title weights 0.75-1.25 (no better than 0.3 and 1.0); the
words in more than a third to a half of the sections (BM25's negative-idf
words: ``function``, ``lambda``, ``aws``) left out of the coverage and title
shares (0.978 / 0.899).

Tried in the third round (issue 12), with everything above on (obsidian
0.978, lambda 0.909), and dropped; none reached lambda 0.926 without
costing obsidian, and each move was one or two near-tie queries:

- pseudo-relevance feedback on the body words of the best results (RM3:
  a word model from the best 3, 5 or 10 candidates, weighted by score, its
  10 or 20 likeliest words, or those times idf; each candidate's BM25 over
  them as a bonus of at most 0.1-0.4): with the query's own words in the
  model, obsidian 0.959-0.978 (mostly 0.967), lambda 0.902-0.920; without
  them, at 0.2, obsidian 0.967-0.978 and lambda 0.912-0.921, and 0.963-0.972
  / 0.914-0.921 at 0.3-0.4; it also costs 10-20 ms a query (every
  candidate's text analysed again: no term vectors are stored). The one
  setting run on the held-out sets, chosen beforehand (RM3's usual 10
  results and 10 words, without the query's words, at 0.2: obsidian 0.978,
  lambda 0.920), lowered both: obsidian-holdout 0.839 -> 0.819,
  lambda-holdout 0.978 / 0.883 -> 0.956 / 0.864;
- a prior for a note's lead section (heading level 0-1, x1.05-1.3): obsidian
  0.978, lambda 0.895-0.902; by depth (1 + w / (1 + breadcrumb length),
  w 0.05-0.3): lambda 0.895-0.902;
- a bounded length prior (1 + w * log(1 + words) / log(1 + 50, 200 or
  1000), w 0.05-0.3): unchanged (lambda 0.911 at 1000 words);
- an identifier of the query (``CloudWatch``, ``getRemainingTimeInMillis``)
  counted as one word in the coverage, title and proximity shares, by its
  joined term, instead of one per part: obsidian 0.978, lambda 0.903;
- the note's other sections' words in the coverage (a word held elsewhere in
  the note counting 0.25-1 of a word held by the section): obsidian
  0.956-0.978, lambda 0.909-0.918;
- a prior against template headings (``Contents``, ``[ Python ]``, ``Test
  the function``): 1 + w times the largest idf of the heading's words in the
  ``heading`` field, over log(N + 1), w 0.05-0.3 (a lead section without a
  heading by its title's words, or at half): obsidian 0.952-0.978, lambda
  0.902-0.911.

The fourth round added the identifier bonus. At weights
0.2-0.5 alike (0.1: no change; 0.3 kept): obsidian 0.978 either way (its
queries have no identifiers), lambda 0.909 -> 0.917 (``getRemainingTimeInMillis``
2 -> 1; success@5 0.953 either way). On the held-out sets, run once after
it was chosen: obsidian-holdout 0.839 -> 0.856 (success@5 0.900 either
way), lambda-holdout 0.978 / 0.883 and multilingual 1.000 / 1.000 unchanged.

Tried in the fourth round and dropped (MRR@10, obsidian / lambda, from
0.978 / 0.909 unless said; "identifier on": from 0.978 / 0.917). Each was
measured in one process on one index per corpus, as bench/ablation.py
does, which gives bench/relevance.py's numbers:

- the coverage with each word weighted by its idf (Whoosh's BM25 idf, to
  the power 0.5, 1 or 2; ``COORDINATION`` 0.2-0.5): 0.967 / 0.899-0.909
  (``recover deleted note`` 1 -> 2 throughout); with the words weighted by
  their idf among the 50 candidates instead (log(1 + 50 / (1 + the
  candidates holding it)), identifier on): 0.967-0.978 / 0.909-0.917;
- a second ranking of the candidates by BM25 over their heading words
  (with the breadcrumb) and title words (k1 1.2, b 0.75, body idf), fused
  with the ranking by reciprocal rank, w / (k + rank): k 60, w 0.25-1:
  0.858-0.863 / 0.892-0.899; k 10, w 0.25-1: 0.865-0.922 / 0.897-0.911;
  k 10, w 0.1: 0.967 / 0.927, w 0.15: 0.952 / 0.927; k 5, w 0.1: 0.978 /
  0.911, w 0.2: 0.967 / 0.927; k 20, w 0.1: 0.941 / 0.927. The heading
  alone: k 10, w 0.1-1: 0.808-0.941 / 0.901-0.927; k 60: 0.789-0.815 /
  0.892-0.902. The idf less 1 (log(N / (n + 1))): k 10, w 0.1-0.3: 0.897-0.967 /
  0.911-0.927. The file name's words added to the field: k 5-10: 0.941-0.978
  / 0.909-0.927. Only headings holding half the query's words or more
  ranked: k 10, w 0.1-0.3: 0.944-0.967 / 0.899-0.917 (0.967 / 0.933 with
  the file name's words, w 0.1). Fused by score instead (x (1 + w x its
  BM25 / the best one's), w 0.05-0.2): 0.941-0.974 / 0.903-0.909, and with
  the half-the-words rule 0.978 / 0.894-0.909. The lambda gains were always
  the same two or three questions whose answer's heading holds the rare
  word (``how much memory can I give a function``, ``maximum size of a
  deployment package``, ``increase the timeout``); each setting that gave
  them cost obsidian a query or more (``make a presentation from a note``:
  the title ``Daily notes`` holds ``note``; ``cancel subscription
  refund``: a rank fusion overturns a lead of 2.5 times, as it drops the
  scores' sizes);
- a bonus for the query's words in order at consecutive positions (the
  longest run, (run - 1) / (words - 1), w 0.05-0.3: 0.967-0.978 /
  0.909-0.919, 0.967 / 0.919 at 0.2; or only the whole query as a phrase:
  0.978 / 0.899-0.909);
- a note's best section raised by its other sections (x (1 + w x min(1,
  the second best's score, or the others' sum, / its own)), w 0.05-0.2):
  0.952-0.967 / 0.895-0.917;
- the proximity's pairs weighted by idf (the smaller of the two, or their
  product; the idf or the idf less 1): 0.967-0.978 / 0.899-0.901;
- the proximity by the closest pair alone (MinDist, Tao and Zhai 2007),
  instead of the mean over the pairs: w 0.15-0.25: 0.978 / 0.902-0.909;
  0.3-0.35: 0.978 / 0.917; 0.4-0.7: 0.956-0.967 / 0.917-0.919; identifier
  on, at 0.3: 0.978 / 0.925 (``timeout`` and ``memory`` up, ``Lambda
  function URLs`` down: every section with ``function URL`` side by side
  gets the whole bonus); the mean of the two measures: 0.978 / 0.909; the
  smallest window holding every word the section has (MinCover):
  0.978 / 0.894-0.902;
- a bonus for the query's words early in the section (the mean over the
  words of 1 / (1 + first position / s), s 10, 25 or 50, w 0.1-0.3):
  0.963-0.978 / 0.895-0.910;
- a query-likelihood ranking (Dirichlet smoothing, mu 50, 200 or 1000),
  min-max scaled over the candidates, as a bonus of at most 0.1-0.4:
  0.956-0.978 / 0.891-0.911;
- the coverage full at a share of the words ("minimum should match"): at
  75 %: 0.978 / 0.917 (``increase the timeout`` 2 -> 1), at 60 %: 0.967 /
  0.909, at 80 %: 0.978 / 0.909; at floor(share x words) words for 60, 75
  or 80 %: 0.963-0.978 / 0.909; identifier on, at 70, 75 and 80 %: 0.978 /
  0.917, 0.925 and 0.917 (one query at one setting: not kept);
- one vote per linking note in :mod:`.support` (its best section, not each
  of its sections): unchanged at weight 0.25, 0.978 / 0.905 at 0.4;
- the file name's words held for the coverage as for the title (identifier
  on): unchanged;
- BM25 raised to a power in the product (identifier on): 0.7: 0.967 / 0.912;
  0.8: 0.978 / 0.910; 0.9 and 1.1: unchanged; 1.25: 0.952 / 0.907.

The fifth round fitted the parts jointly, and dropped the fit.
The score was the product of the parts each raised to an exponent (BM25 a,
coverage b, near c, prior d, title e, linked f, identifier g; the title and
the links still by the note's best section, as above), times a sixth part
(1 + h x the candidate's BM25 over its heading and title words / the best
candidate's; k1 1.2, b 0.75, body idf; queries of several words); the
model above is a-g 1, h 0, with the weights above. Coordinate ascent
(Metzler and Croft, 2007) on the candidates' parts, computed once per query
(which gave this model's ranking of every training query): a line search
over each exponent in turn (a 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.25, 1.5,
2; b-g 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 4; h 0, 0.05, 0.1,
0.15, 0.2, 0.3, 0.5, 0.75, 1), a move only for a gain, ties to the value
nearest this model's, passes until none gains, from this model and ten
random points of the grid. The objective, the mean
of the two training sets' MRR@10, went 0.9475 -> 0.9584: a 0.8, b 1.25,
f 2, the rest unchanged (obsidian 1.000 / 0.978 unchanged; lambda
0.953 / 0.917 -> 0.969 / 0.939: ``increase the timeout``, ``maximum size
of a deployment package``, ``how much memory`` 2 -> 1, ``aws lambda invoke
--payload`` none -> 4, ``throttled`` none -> 10, ``node function returns
before await finishes`` 1 -> 2). It was the fit from this model; the
random starts stopped at 0.950-0.955. A narrow peak: a 0.7 or 0.9, or
b 1, cost obsidian a query, and any h above 0 lowered both sets. Fitted
on one training set alone, the exponents did not carry to the other:
obsidian alone (b 0.5, c 0, d 0.25, g 1.5) 0.978 -> 0.989, lambda
0.917 -> 0.901; lambda alone (a 0.9, b 0.5, c 2, d 4, e 0.75, f 4, g 0.5,
h 0.5) 0.917 -> 0.965, obsidian 0.978 -> 0.907. On the held-out sets, run
once after the weights were chosen (success@5 / MRR@10, this model's in
brackets): obsidian-holdout 0.900 / 0.875 (0.900 / 0.856), lambda-holdout
0.978 / 0.857 (0.978 / 0.883), obsidian-holdout2 0.867 / 0.821
(0.867 / 0.795), lambda-holdout2 0.949 / 0.891 (0.949 / 0.900),
multilingual 1.000 / 1.000 (the same); the mean MRR@10 0.887 -> 0.889.
The rule fixed beforehand (every held-out set within 0.005 of its MRR@10,
and their mean up) failed on both lambda sets, the corpus whose training
set the fit had lifted; not kept.

The same round measured a semantic part, from a static embedding model
that a package ships with its weights (WordLlama's 256-dimension
``l2_supercat``: a vector per token, averaged; cosine of the query's and
the candidate's heading, breadcrumb and text), and did not build it. On the
training sets, as a product part (1 + w x the similarity, min-max over the
candidates or clipped at 0, w 0.05-0.5, before or after the links):
0.978 / 0.909-0.919 at best, obsidian 0.941-0.963 from w 0.15; fused by
reciprocal rank, 1 / (k + rank) + w / (k + its similarity's rank), k 10-100:
best k 60, w 0.05, the text cut to 1,000 characters: 0.978 / 0.924 (one
query up, one down), its neighbours lower. Ranked by the similarity alone:
0.79-0.80 on both. Held out, run once with that setting: obsidian-holdout2
0.795 -> 0.798 and lambda-holdout2 0.900 -> 0.904 (a query each), the rest
unchanged. It would cost every process 0.43 s of imports and model load
(numpy, tokenizers, pydantic, requests; 23 packages, 157 MB) and a query
15-23 ms, for about one query in a hundred.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

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


@dataclass(frozen=True, slots=True)
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
