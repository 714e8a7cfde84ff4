"""The Whoosh schema and the analyzer, shared by the writer and the reader.

One analyzer tokenizes notes when they are indexed, queries when they are
parsed, and snippets when they are highlighted (see :mod:`.highlight`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from whoosh.analysis import STOP_WORDS

from .analysis import NoteAnalyzer

if TYPE_CHECKING:
    from whoosh.fields import Schema

# Field weights for BM25F: a word in a heading says more than one in a body.
HEADING_BOOST = 3.0
TITLE_BOOST = 2.0

# Whoosh's English stop words plus the question words people type in natural
# queries ("where are pasted images saved"): measured with bench/relevance.py.
STOP = frozenset(STOP_WORDS) | {
    "where", "what", "how", "why", "which", "who", "do", "does", "did",
    "i", "my", "me", "there", "so", "about", "should", "would", "could",
}  # fmt: skip


def make_analyzer() -> Any:
    """Tokens for text fields: words and identifiers' words, folded, CJK bigrams,
    stop words dropped and Porter stemming for Latin words (see :mod:`.analysis`)."""
    return NoteAnalyzer(stoplist=STOP)


def make_path_analyzer() -> Any:
    """Tokens for ``path``: the same words, folded, neither stemmed nor stopped."""
    return NoteAnalyzer(stem=False, minsize=1)


def make_schema() -> Schema:
    """The Whoosh schema of a section document (versioned by store.SCHEMA_VERSION).

    ``body`` holds the note title and aliases, the heading and the section
    text together, so BM25 sees one document with one length; words without
    a field search it. ``heading`` and ``title`` (with the aliases) are
    indexed again on their own for ``heading:`` and ``title:``.
    """
    from whoosh import fields

    stem = make_analyzer()
    words = make_path_analyzer()
    return fields.Schema(
        note=fields.ID(),  # exact note path: deletes and --path filters
        path=fields.TEXT(analyzer=words, multitoken_query="phrase"),
        title=fields.TEXT(analyzer=stem, field_boost=TITLE_BOOST, multitoken_query="phrase"),
        heading=fields.TEXT(analyzer=stem, field_boost=HEADING_BOOST, multitoken_query="phrase"),
        # No spelling=True: its extra word graph cost 44 % of a build; spelling
        # suggestions come from the stemmed terms instead (spelling.suggest).
        body=fields.TEXT(analyzer=stem, multitoken_query="phrase"),
        tag=fields.KEYWORD(lowercase=True, commas=True),  # tags and their ancestors
        link=fields.KEYWORD(lowercase=True, commas=True),  # link targets
        data=fields.STORED(),  # the Section record, for display and export
    )


SEARCH_FIELDS = ("heading", "title", "body")  # the text fields (title: and heading: search one)


# Words without a field search ``body`` only: it holds the title and aliases,
# the heading and the text (MRR@10 0.900 in bench/relevance.py). Searching
# heading and title again at a small extra weight (0.1) made a query of three
# common words 2.5 times slower (Whoosh scores every field's postings).
DEFAULT_FIELDS = ("body",)
