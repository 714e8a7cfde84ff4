"""Search through the analyzer, end to end: identifiers, folding, CJK, Korean, tags in any script.

Small notes written for the test. The queries, highlights and tags of each
table found nothing (or marked the wrong words) before engine/analysis.py,
except where a table says it guards what worked already.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from notesearch import IndexVersionError, build_index, open_index, search, suggest
from notesearch.engine import store
from notesearch.engine.reader import Index
from tests.helpers import write

NOTES = {
    "lambda/concurrency.md": (
        "# Concurrency\n\n## Limits\n\n"
        "Set `ReservedConcurrentExecutions` to cap a function.\n\n"
        "## Retries\n\nAsync invokes honour maximum_retry_attempts, then go to the "
        "dead-letter-queue.\n"
    ),
    "lambda/other.md": "# Other\n\n## Memory\n\nMore memory gives more CPU.\n",
    "fr/cv.md": "# Mon résumé\n\n## Études\n\nMaster à Paris.\n",
    "de/stadt.md": "# Stadt\n\n## Verkehr\n\nDie Straße ist gesperrt.\n",
    "zh/deploy.md": (
        "# 上线笔记\n\n## 上线\n\n模型部署完成后，检查延迟。\n\n"
        "## 训练\n\n使用Training可以节省费用。 #笔记\n"
    ),
    "zh/other.md": "# 读书\n\n## 书单\n\n读完了一部分，签署了合同。 `#读书笔记`\n",
    "ko/deploy.md": "# 배포\n\n## 순서\n\n학습된 모델을 엔드포인트에 배포했다. #배포：정리\n",
    "ja/tags.md": "# メモ\n\n## 設定 `#設定メモ`\n\nエンドポイントを作成する。 #ＡＷＳ\n",
}


@pytest.fixture(scope="module")
def idx(tmp_path_factory: pytest.TempPathFactory) -> Index:
    root = tmp_path_factory.mktemp("analysis")
    for path, text in NOTES.items():
        write(root / "notes", path, text)
    build_index(root / "notes", root / "index")
    index = open_index(root / "index", root / "notes")
    yield index
    index.close()


def found(index: Index, query: str, **kwargs: object) -> list[tuple[str, str]]:
    return [(h.section.path, h.section.heading) for h in search(index, query, **kwargs).hits]


def marked(index: Index, query: str) -> list[str]:
    (hit, *_) = search(index, query).hits
    return [hit.snippet.text[s.start : s.end] for s in hit.snippet.spans]


@pytest.mark.parametrize(
    ("query", "section"),
    [
        ("reserved concurrent", ("lambda/concurrency.md", "Limits")),
        ('"concurrent executions"', ("lambda/concurrency.md", "Limits")),
        ('"retry attempts"', ("lambda/concurrency.md", "Retries")),
        ("maximum attempts", ("lambda/concurrency.md", "Retries")),
        ("deadletterqueue", ("lambda/concurrency.md", "Retries")),
        ("resume", ("fr/cv.md", "Mon résumé")),
        ("etudes", ("fr/cv.md", "Études")),
        ("strasse", ("de/stadt.md", "Verkehr")),
        ("部署", ("zh/deploy.md", "上线")),
        ("部署完成", ("zh/deploy.md", "上线")),
        ("节省", ("zh/deploy.md", "训练")),
        ("模型", ("zh/deploy.md", "上线")),
        ("모델", ("ko/deploy.md", "순서")),
        ("엔드포인트", ("ko/deploy.md", "순서")),
        ("エンドポイント", ("ja/tags.md", "設定")),
    ],
)
def test_query_finds_the_section(idx: Index, query: str, section: tuple[str, str]) -> None:
    assert found(idx, query)[:1] == [section]


@pytest.mark.parametrize(
    ("query", "section"),
    [  # found before identifiers were split too: they must stay found
        ("ReservedConcurrentExecutions", ("lambda/concurrency.md", "Limits")),
        ("reservedconcurrentexecutions", ("lambda/concurrency.md", "Limits")),
        ('"ReservedConcurrentExecutions to cap"', ("lambda/concurrency.md", "Limits")),
        ("maximum_retry_attempts", ("lambda/concurrency.md", "Retries")),
        ("dead-letter-queue", ("lambda/concurrency.md", "Retries")),
        ('"letter queue"', ("lambda/concurrency.md", "Retries")),
    ],
)
def test_an_identifier_typed_whole_still_finds_it(
    idx: Index, query: str, section: tuple[str, str]
) -> None:
    assert found(idx, query)[:1] == [section]


def test_concurrentexecutions_alone_is_not_a_word(
    idx: Index, monkeypatch: pytest.MonkeyPatch
) -> None:  # held before too
    """Only the words of an identifier and its whole are indexed, not every run of words.

    (The query then searches the unknown word as the two words it is written
    of, engine/expand.py: that is the ranking's doing, not the index's.)
    """
    from notesearch.engine import expand

    assert found(idx, "concurrentexecutions")[:1] == [("lambda/concurrency.md", "Limits")]
    monkeypatch.setattr(expand, "COMPOUNDS", False)
    assert found(idx, "concurrentexecutions") == []


def test_a_cjk_word_is_not_found_across_other_words(idx: Index) -> None:  # held before too
    """部署 needs the two characters together: 一部分 and 签署 have them apart."""
    assert ("zh/other.md", "书单") not in found(idx, "部署")


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("部署完成", ["部署完成"]),  # three bigrams, one span
        ("部署", ["部署"]),
        ("concurrent cap", ["Concurrent", "cap"]),  # a word inside the identifier
        ("maximum", ["maximum"]),  # maximum_retry_attempts: the word, not the identifier
        ("resume", ["résumé"]),
        ("strasse", ["Straße"]),
        ("모델", ["모델"]),
        ("节省", ["节省"]),
    ],
)
def test_highlights_cover_the_matched_characters(idx: Index, query: str, words: list[str]) -> None:
    assert marked(idx, query) == words


@pytest.mark.parametrize(
    ("tag", "paths"),
    [  # the first five worked before (tags were of any script): guards
        ("笔记", {"zh/deploy.md"}),
        ("#笔记", {"zh/deploy.md"}),
        ("读书笔记", {"zh/other.md"}),  # a code span holding one tag
        ("設定メモ", {"ja/tags.md"}),  # a tag at the end of a heading
        ("ＡＷＳ", {"ja/tags.md"}),
        ("배포", {"ko/deploy.md"}),  # #배포：정리: full-width punctuation ends a tag
        ("aws", {"ja/tags.md"}),  # #ＡＷＳ: full-width letters are folded
    ],
)
def test_tags_in_any_script_filter(idx: Index, tag: str, paths: set[str]) -> None:
    result = search(idx, "*", tags=[tag], limit=None)
    assert {h.section.path for h in result.hits} == paths
    assert result.warnings == [] or all("unknown tag" not in str(w) for w in result.warnings)


def test_an_index_of_the_old_analyzer_asks_for_a_rebuild(tmp_path: Path) -> None:
    write(tmp_path / "notes", "a.md", "# A\n\nmodel deployment\n")
    build_index(tmp_path / "notes", tmp_path / "index")
    gen = store.current(tmp_path / "index")
    assert gen is not None
    meta = json.loads((gen / store.META).read_text())
    (gen / store.META).write_text(json.dumps({**meta, "schema_version": 3}))
    with pytest.raises(IndexVersionError, match=r"schema 3, .*`notesearch index --rebuild`"):
        open_index(tmp_path / "index", tmp_path / "notes")


@pytest.mark.parametrize("query", ["模型部门", "部门", "엔드포인투", "エンドポイソト"])
def test_no_spelling_suggestion_is_made_of_bigrams(idx: Index, query: str) -> None:
    """Close bigrams are other words: 模型部门 must not become 模型 (it did, before the check)."""
    assert suggest(idx, query) is None


def test_a_misspelt_folded_word_is_suggested_as_the_notes_write_it(idx: Index) -> None:
    suggestion = suggest(idx, "resumee")
    assert suggestion is not None and suggestion.corrected == "résumé"
