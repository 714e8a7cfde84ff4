"""SegmentBuilder writes what Whoosh's add_document and commit write (issue 18).

Each case indexes the same documents twice into a fresh index, once through
Whoosh's own writer (the reference) and once through
:class:`~notesearch.engine.segments.SegmentBuilder`, and compares everything
stored: every term's postings (document, weight, encoded value), its term
info (frequency, weight, lengths, ids), the field lengths of every document,
the stored fields and the totals.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from notesearch.engine import segments
from notesearch.engine.analysis import NoteAnalyzer
from notesearch.engine.documents import documents
from notesearch.engine.schema import STOP, make_schema
from notesearch.notes.links import NoteSet
from notesearch.notes.parse import parse_note
from tests.helpers import FIXTURES

TEXTS = [
    "plain words, plain words again",
    "ReservedConcurrentExecutions maximum_retry_attempts dead-letter-queue",
    "C# and F# and C++ but not c or f; c#tag",
    "Café résumé Straße œuvre ÆON ﬁle Ｆｕｌｌ",
    "模型部署完成后 Training可以节省 모델을 배포 カタカナ ひらがな",
    "the and of a I x 7 42 v1.2.3 lambda_function.py",
    "",
    "   ",
    "#tag `#gotcha` **Tags:** [link](a.md) [[Wiki Note]]",
    "word " * 300 + "end",
    "mixed日本語text and naïve coöperation",
]


def _note_docs() -> list[dict[str, Any]]:
    paths = sorted((FIXTURES / "notes").rglob("*.md"))
    rels = [p.relative_to(FIXTURES / "notes").as_posix() for p in paths]
    note_set = NoteSet(rels, [])
    docs: list[dict[str, Any]] = []
    for path, rel in zip(paths, rels, strict=True):
        note, _ = parse_note(rel, path.read_text(encoding="utf-8"))
        docs += documents(note, note_set, note.aliases)
    return docs


def _text_docs() -> list[dict[str, Any]]:
    """Documents with every kind of field value: odd tags and links, empty fields."""
    docs = []
    for n, text in enumerate(TEXTS):
        docs.append(
            {
                "note": f"t{n}.md",
                "path": f"dir/T{n} Ünïcode.md",
                "title": text[:40],
                "heading": text[::-1][:30],
                "body": text,
                "tag": ["", "a,b,a", " A , a ,,b ", "笔记,笔记/子", ","][n % 5],
                "link": ["x.md,X.MD", "", "https://e.com/a b,y"][n % 3],
                "data": {"n": n, "text": text},
            }
        )
    docs.append({"note": "only.md", "data": {}})  # fields left out
    return docs


def _index(tmp: Path, name: str) -> Any:
    folder = tmp / name
    folder.mkdir()
    return segments._safe_storage()(str(folder)).create_index(make_schema())


def _dump(ix: Any) -> dict[str, Any]:
    """Everything a reader can see, keyed by the document's stored data (not docnum)."""
    with ix.reader() as reader:
        key = {doc: repr(sorted(stored.items())) for doc, stored in reader.iter_docs()}
        postings: dict[Any, Any] = {}
        infos: dict[Any, Any] = {}
        for fieldname, text in reader.all_terms():
            matcher = reader.postings(fieldname, text)
            items = []
            while matcher.is_active():
                items.append((key[matcher.id()], matcher.weight(), matcher.value()))
                matcher.next()
            postings[(fieldname, text)] = sorted(items)
            info = reader.term_info(fieldname, text)
            infos[(fieldname, text)] = (
                info.weight(),
                info.doc_frequency(),
                info.min_length(),
                info.max_length(),
                info.max_weight(),
            )
        names = [n for n in ix.schema.names() if ix.schema[n].scorable]
        # (0 or None for an empty field: None where its segment has the field's column)
        lengths = sorted(
            (key[doc], name, reader.doc_field_length(doc, name) or 0)
            for doc in key
            for name in names
        )
        totals = {n: reader.field_length(n) for n in ix.schema.names()}
        stored = sorted(key.values())
        count = reader.doc_count()
    return {
        "postings": postings,
        "infos": infos,
        "lengths": lengths,
        "totals": totals,
        "stored": stored,
        "count": count,
    }


def _reference(ix: Any, docs: list[dict[str, Any]]) -> None:
    writer = ix.writer()
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()


def _built(ix: Any, docs: list[dict[str, Any]], limit: int) -> int:
    builder = segments.SegmentBuilder(ix, limit)
    for doc in docs:
        builder.add(doc)
    written = builder.finish()
    segments.commit_with(ix.writer(), written)
    return len(written)


@pytest.mark.parametrize(
    ("name", "make_docs", "limit", "segment_count"),
    [
        ("fixture notes, one segment", _note_docs, 1 << 30, 1),
        ("fixture notes, a segment per few KB", _note_docs, 4096, None),
        ("every kind of field value", _text_docs, 1 << 30, 1),
        ("every kind of field value, a segment per document", _text_docs, 1, None),
    ],
)
def test_the_builder_writes_what_whoosh_writes(
    tmp_path: Path, name: str, make_docs: Any, limit: int, segment_count: int | None
) -> None:
    docs = make_docs()
    reference, built = _index(tmp_path, "reference"), _index(tmp_path, "built")
    _reference(reference, docs)
    count = _built(built, docs, limit)
    if segment_count is None:
        assert count > 1, name  # the limit did finish segments early
    else:
        assert count == segment_count, name
    expected, observed = _dump(reference), _dump(built)
    for part in expected:
        assert observed[part] == expected[part], f"{name}: {part}"
    if segment_count == 1:  # one segment each: the same document numbers too
        with reference.reader() as a, built.reader() as b:
            for fieldname, text in a.all_terms():
                assert list(a.postings(fieldname, text).all_ids()) == list(
                    b.postings(fieldname, text).all_ids()
                )


def test_nothing_added_writes_no_segment(tmp_path: Path) -> None:
    assert segments.SegmentBuilder(_index(tmp_path, "empty"), 1 << 20).finish() == []


@pytest.mark.parametrize("text", [*TEXTS, "C# c++ F#", "x" * 200, "a.b-c_d e.f.g"])
@pytest.mark.parametrize("stem", [True, False])
def test_positions_are_the_analyzers_tokens(text: str, stem: bool) -> None:
    analyzer = NoteAnalyzer(stoplist=STOP, stem=stem)
    expected: dict[str, list[int]] = {}
    for token in analyzer(text, positions=True, mode="index"):
        expected.setdefault(token.text, []).append(token.pos)
    fresh = NoteAnalyzer(stoplist=STOP, stem=stem)
    assert fresh.positions(text) == expected
    assert fresh.positions(text) == expected  # from its cache too


MIXED = "Training可以节省 모델을 résumé Straße"


@pytest.mark.parametrize("text", [*TEXTS, "C# c++ F#", "x" * 200, "a.b-c_d e.f.g", MIXED])
@pytest.mark.parametrize("stem", [True, False])
def test_tokens_are_the_analyzers_tokens(text: str, stem: bool) -> None:
    analyzer = NoteAnalyzer(stoplist=STOP, stem=stem)
    expected = [
        (token.text, token.startchar, token.endchar)
        for token in analyzer(text, chars=True, mode="index")
    ]
    fresh = NoteAnalyzer(stoplist=STOP, stem=stem)
    assert fresh.tokens(text) == expected
    assert fresh.tokens(text) == expected  # from its cache too
