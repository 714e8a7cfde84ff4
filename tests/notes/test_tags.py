"""tags: normalize, find_in_text, code_span_tag, ancestors/expand, unique."""

from __future__ import annotations

import unicodedata

import pytest

from notesearch.notes.tags import ancestors, code_span_tag, expand, find_in_text, normalize, unique


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("tag", "tag", id="plain"),
        pytest.param("#tag", "tag", id="leading-hash"),
        pytest.param("  #Tag  ", "tag", id="whitespace-and-case"),
        pytest.param("ExamTip", "examtip", id="case-folded"),
        pytest.param("y1984", "y1984", id="letter-then-digits"),
        pytest.param("1984y", "1984y", id="digits-then-letter"),
        pytest.param("1984", None, id="digits-only"),
        pytest.param("#1984", None, id="hash-digits-only"),
        pytest.param("2024-01", None, id="digits-and-dash"),
        pytest.param("_-/", None, id="punctuation-only"),
        pytest.param("aws/s3", "aws/s3", id="nested"),
        pytest.param("AWS/S3/", "aws/s3", id="trailing-slash"),
        pytest.param("a//b", None, id="double-slash"),
        pytest.param("snake_case-tag", "snake_case-tag", id="underscore-dash"),
        pytest.param("日本語", "日本語", id="cjk"),
        pytest.param("café", "café", id="accented"),
        pytest.param("ÉTÉ", "été", id="accented-upper"),
        pytest.param("Ελληνικά", "ελληνικά", id="greek"),
        pytest.param("has space", None, id="space"),
        pytest.param("a.b", None, id="dot"),
        pytest.param("", None, id="empty"),
        pytest.param("#", None, id="hash-only"),
        pytest.param("📖", "📖", id="emoji-allowed-as-obsidian-documents"),
    ],
)
def test_normalize(raw: str, expected: str | None) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("#tag", ["tag"], id="at-start"),
        pytest.param("see #tag here", ["tag"], id="mid-text"),
        pytest.param("#A #b #a", ["a", "b", "a"], id="case-folded-order-kept"),
        pytest.param("year #1984", [], id="digits-only"),
        pytest.param("year #y1984", ["y1984"], id="letter-digits"),
        pytest.param("#日本語 text", ["日本語"], id="cjk"),
        pytest.param("#café time", ["café"], id="accented"),
        pytest.param("#aws/s3 bucket", ["aws/s3"], id="nested"),
        pytest.param("#tag. end", ["tag"], id="trailing-period"),
        pytest.param("#tag, next", ["tag"], id="trailing-comma"),
        pytest.param("http://x/#frag", [], id="url-fragment"),
        pytest.param("https://example.com/page#section", [], id="url-fragment-no-slash"),
        pytest.param("a#b", [], id="word-hash-word"),
        pytest.param("C# and F#", [], id="languages"),
        pytest.param("issue #42", [], id="issue-number"),
        pytest.param("no hash", [], id="no-hash"),
        pytest.param("line\n#next", ["next"], id="after-newline"),
        pytest.param("tab\t#t", ["t"], id="after-tab"),
        pytest.param("# heading-like", [], id="hash-space"),
        pytest.param("##double", [], id="double-hash"),
    ],
)
def test_find_in_text(text: str, expected: list[str]) -> None:
    assert [name for _, name in find_in_text(text)] == expected


def test_find_in_text_offsets() -> None:
    text = "ab #one cd #two"
    found = find_in_text(text)
    assert found == [(3, "one"), (11, "two")]
    for offset, name in found:
        assert text[offset] == "#"
        assert text[offset + 1 :].lower().startswith(name)


def test_decomposed_accent_is_part_of_the_tag() -> None:
    text = "#" + unicodedata.normalize("NFD", "café") + " x"
    names = [name for _, name in find_in_text(text)]
    assert names in (["café"], [unicodedata.normalize("NFD", "café")])


def test_devanagari_tag_is_whole() -> None:
    assert [name for _, name in find_in_text("#हिन्दी notes")] == ["हिन्दी"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param("#exam-tip", "exam-tip", id="tag"),
        pytest.param(" #Gotcha ", "gotcha", id="padded-case"),
        pytest.param("#aws/s3", "aws/s3", id="nested"),
        pytest.param("#1984", None, id="digits-only"),
        pytest.param("notatag", None, id="no-hash"),
        pytest.param("x = 1 # note", None, id="code-comment"),
        pytest.param("# note", None, id="hash-space"),
        pytest.param("#!/bin/bash", None, id="shebang"),
        pytest.param("#a #b", None, id="two-tags"),
        pytest.param("", None, id="empty"),
    ],
)
def test_code_span_tag(content: str, expected: str | None) -> None:
    assert code_span_tag(content) == expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        pytest.param("aws", ["aws"], id="flat"),
        pytest.param("aws/s3", ["aws", "aws/s3"], id="two-levels"),
        pytest.param("aws/s3/buckets", ["aws", "aws/s3", "aws/s3/buckets"], id="three-levels"),
    ],
)
def test_ancestors(tag: str, expected: list[str]) -> None:
    assert ancestors(tag) == expected


def test_expand_adds_ancestors_once_in_order() -> None:
    assert expand(["aws/s3", "ml", "aws/ec2", "aws"]) == ["aws", "aws/s3", "ml", "aws/ec2"]


def test_expand_empty() -> None:
    assert expand([]) == []


def test_unique_keeps_first_position() -> None:
    assert unique(["b", "a", "b", "c", "a"]) == ("b", "a", "c")
