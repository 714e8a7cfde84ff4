"""Highlights and snippets: which words of a section matched, and where they are in the file."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from whoosh import query

from ..models import Snippet, Span
from ..records import replace
from .kept import Kept
from .reader import Index
from .schema import SEARCH_FIELDS, make_analyzer
from .snippets import make_snippet

ANALYZER = make_analyzer()
_LONG_TEXT = 100_000


_MAX_SPANS = 1000
_KEPT_CHARS = 500_000  # text whose tokens are kept (about 15 MB of tokens)
_REACH = 256  # characters of a run looked at each side of a candidate (long texts)
_RUN = re.compile(r"[\w.\-]*")


def words_of(text: str) -> list[str]:
    """The index terms of a title or heading as words: lowercased first, so that
    a CamelCase name (``ListEventSourceMappings``) is one word, not four."""
    return sorted(ANALYZER.positions(text.lower()))  # the tokens' texts (tested the same)


def text_terms(pairs: Iterable[tuple[str, Any]]) -> frozenset[str]:
    """The term texts of the text fields among (field, term) pairs."""
    return frozenset(
        term.decode("utf-8") if isinstance(term, bytes) else str(term)
        for field, term in pairs
        if field in SEARCH_FIELDS
    )


def highlight_terms(index: Index, parsed: query.Query) -> frozenset[str]:
    """The index terms (stems) the query matches in text fields, wildcards expanded.

    (Whoosh's own ``Query.existing_terms`` reuses its ``fieldname`` argument
    as a loop variable and so drops terms of every field after the first.)
    """
    reader = index._searcher.reader()
    found: set[tuple[str, Any]] = set()
    for leaf in parsed.leaves():
        if leaf.field() not in SEARCH_FIELDS:
            continue
        for field, term in leaf.expanded_terms(reader, phrases=True):
            if (field, term) in reader:
                found.add((field, term))
    return text_terms(found)


def find_spans(text: str, terms: Iterable[str]) -> list[Span]:
    """Character spans of the words in ``text`` whose index terms are among ``terms``.

    Overlapping and touching spans are merged, so a CJK word matched as the
    bigrams ``部署 署完 完成`` is one span, and so is an identifier matched
    by its words.
    """
    wanted = frozenset(terms)
    if not wanted or not text:
        return []
    if len(text) > _LONG_TEXT:
        return _find_spans_long(text, wanted)
    return merge((start, end) for term, start, end in _tokens(text) if term in wanted)


# The analysed tokens of the texts highlighted last (a search as the user types
# highlights the same sections again with other terms), at most _KEPT_CHARS
# characters of text in all.
_KEPT_TOKENS: Kept[str, tuple[tuple[str, int, int], ...]] = Kept(
    _KEPT_CHARS, lambda text, _tokens: len(text)
)


def _tokens(text: str) -> tuple[tuple[str, int, int], ...]:
    tokens = _KEPT_TOKENS.get(text)
    if tokens is None:
        tokens = tuple(ANALYZER.tokens(text))
        _KEPT_TOKENS.put(text, tokens)
    return tokens


def merge(spans: Iterable[tuple[int, int]]) -> list[Span]:
    """Sorted spans, overlapping or touching ones joined."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1].end:
            if end > merged[-1].end:
                merged[-1] = Span(merged[-1].start, end)
        else:
            merged.append(Span(start, end))
    return merged


def _find_spans_long(text: str, wanted: frozenset[str]) -> list[Span]:
    """find_spans for huge texts: analyse only the chunks around a wanted term's start.

    Analysing a megabyte with Whoosh takes seconds; a regular expression finds
    where a wanted term may start (inside a word, an identifier or a CJK run)
    in milliseconds, the run of word characters around it (at most
    :data:`_REACH` each side) is analysed, each distinct run once.
    """
    prefixes = sorted({re.escape(t[: max(3, len(t) - 1)]) for t in wanted}, key=len)
    pattern = re.compile("|".join(prefixes), re.IGNORECASE)
    found: dict[str, list[tuple[int, int]]] = {}
    spans: list[tuple[int, int]] = []
    done = 0  # the text before this was analysed already
    for match in pattern.finditer(text):
        if match.start() < done:
            continue
        behind = text[max(0, match.start() - _REACH) : match.start()][::-1]
        start = match.start() - _RUN.match(behind).end()  # type: ignore[union-attr]
        end = _RUN.match(text, match.start(), match.start() + _REACH).end()  # type: ignore[union-attr]
        done = end
        chunk = text[start:end]
        hits = found.get(chunk)
        if hits is None:
            hits = found[chunk] = [
                (t.startchar, t.endchar)
                for t in ANALYZER(chunk, chars=True, mode="index")
                if t.text in wanted
            ]
        spans.extend((start + a, start + b) for a, b in hits)
        if len(spans) >= _MAX_SPANS:
            break
    return merge(spans)


def snippet_for(index: Index, data: dict[str, Any], terms: frozenset[str]) -> Snippet:
    text = data["text"]
    spans = find_spans(text, terms)
    snippet = make_snippet(text, spans)
    word = text[spans[0].start : spans[0].end] if spans else ""
    if not spans:  # the match is in the heading (or the title) only
        heading = data["heading"]
        heading_spans = find_spans(heading, terms)
        if heading_spans:
            word = heading[heading_spans[0].start : heading_spans[0].end]
            if not text:
                snippet = Snippet(text=heading, spans=tuple(heading_spans))
    line, column = _locate(index, data, word)
    return replace(snippet, line=line, column=column)


def _locate(index: Index, data: dict[str, Any], word: str) -> tuple[int, int]:
    """Line and column of ``word`` in the note file, within the section's lines.

    The note is read safely (it may have become a FIFO or a link out of the
    folder) and kept while the index is open (:mod:`.notelines`).
    """
    line = int(data["line"])
    if not word or index.lines is None:
        return line, 1
    lines = index.lines.get(data["path"])
    if lines is None:
        return line, 1
    lowered = word.lower()
    for number in range(line, min(int(data["end_line"]), len(lines)) + 1):
        col = lines[number - 1].lower().find(lowered)
        if col >= 0:
            return number, col + 1
    return line, 1
