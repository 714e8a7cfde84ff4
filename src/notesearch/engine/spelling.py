"""Spelling suggestions built from the index's own words."""

from __future__ import annotations

import itertools

from ..models import Suggestion
from . import querytext
from .analysis import has_cjk
from .highlight import ANALYZER, find_spans
from .reader import Index
from .schema import SEARCH_FIELDS

_SUGGEST_STEMS = 8  # candidate stems looked at for one unknown word


_SURFACE_DOCS = 5  # sections read to see how the notes write a stem


def suggest(index: Index, text: str) -> Suggestion | None:
    """A spelling correction of ``text`` built from the index's own words.

    Only words the index does not know are replaced, each by the closest
    word as written in the notes (not a stem). Candidates are the indexed
    stems within two edits of the word's stem; each is turned back into the
    words the notes write for it by reading a few sections that hold it.
    Returns None when nothing needs correcting or no correction is found.
    """
    reader = index._searcher.reader()
    corrected = text
    changed = False
    for word in reversed(querytext.words(text)):
        if has_cjk(word.text):  # its terms are bigrams: "close" ones are other words
            continue
        lowered = word.text.lower()
        stems = [t.text for t in ANALYZER(lowered)]
        if not stems:
            continue
        if all(any(reader.doc_frequency(f, s) > 0 for f in SEARCH_FIELDS) for s in stems):
            continue
        best = _closest_word(index, lowered, stems[0])
        if best is not None and best != lowered:
            corrected = corrected[: word.start] + best + corrected[word.end :]
            changed = True
    if not changed:
        return None
    return Suggestion(query=text, corrected=corrected)


def _closest_word(index: Index, word: str, stem: str) -> str | None:
    """The word written in the notes that is closest to ``word`` (None if none is near)."""
    reader = index._searcher.reader()
    stems = sorted(
        reader.terms_within("body", stem, 2, prefix=1),
        key=lambda s: (querytext.distance(stem, s), -reader.doc_frequency("body", s)),
    )[:_SUGGEST_STEMS]
    options: list[tuple[int, int, str]] = []
    for candidate in stems:
        frequency = reader.doc_frequency("body", candidate)
        for surface in _surface_words(index, candidate):
            options.append((querytext.distance(word, surface), -frequency, surface))
    return min(options)[2] if options else None


def _surface_words(index: Index, stem: str) -> set[str]:
    """Words (lowercased, as written) that the analyzer turns into ``stem``, from a few sections."""
    reader = index._searcher.reader()
    found: set[str] = set()
    try:
        docnums = list(itertools.islice(reader.postings("body", stem).all_ids(), _SURFACE_DOCS))
    except Exception:  # the term vanished: no words to offer
        return found
    for docnum in docnums:
        data = reader.stored_fields(docnum)["data"]
        text = f"{data['title']}\n{data['heading']}\n{data['text']}"
        for span in find_spans(text, {stem}):
            found.add(text[span.start : span.end].lower())
    return found
