"""front_matter.split(): strict boundaries, safe YAML, tag/alias shapes."""

from __future__ import annotations

import codecs
import os

import pytest

from notesearch.notes.front_matter import split
from notesearch.notes.read import decode


def fm(yaml: str, body: str = "body\n") -> str:
    return f"---\n{yaml}\n---\n{body}"


def test_title_tags_aliases_are_read() -> None:
    text = fm("title: My Note\ntags: [aws, ml]\naliases: [Other Name, Short]", "# H\ntext\n")
    result = split(text)
    assert result.title == "My Note"
    assert result.tags == ("aws", "ml")
    assert result.aliases == ("Other Name", "Short")
    assert result.body == "# H\ntext\n"
    assert result.body_line == 6  # 3 YAML lines + 2 delimiters
    assert result.warnings == []


@pytest.mark.parametrize(
    ("yaml", "tags"),
    [
        pytest.param("tags: [a, b]", ("a", "b"), id="flow-list"),
        pytest.param("tags:\n  - a\n  - b", ("a", "b"), id="block-list"),
        pytest.param("tags: a, b", ("a", "b"), id="comma-string"),
        pytest.param("tags: a b  c", ("a", "b", "c"), id="space-string"),
        pytest.param("tags: '#a, #b'", ("a", "b"), id="hash-string"),
        pytest.param("tags: ['#a', '#B']", ("a", "b"), id="hash-list-case-folded"),
        pytest.param("tags: [a, [b, c]]", ("a", "b", "c"), id="nested-list"),
        pytest.param("tags: [A, a, '#A']", ("a",), id="deduplicated"),
        pytest.param("tags: [aws/s3, Proj/Sub]", ("aws/s3", "proj/sub"), id="nested-tags"),
        pytest.param("tags: [y2024, 2024]", ("y2024",), id="digits-only-dropped"),
        pytest.param("tags: 1984", (), id="number-digits-only"),
        pytest.param("tags: 3.5", (), id="float"),
        pytest.param("tags: [true, a]", ("a",), id="bool-in-list-skipped"),
        pytest.param("tags:", (), id="empty-value"),
        pytest.param("tags: null", (), id="null"),
        pytest.param("tags: []", (), id="empty-list"),
        pytest.param("tag: solo", ("solo",), id="singular-key"),
        pytest.param("tags: [日本語, café]", ("日本語", "café"), id="unicode"),
    ],
)
def test_tag_shapes(yaml: str, tags: tuple[str, ...]) -> None:
    result = split(fm(yaml))
    assert result.tags == tags
    assert result.body == "body\n"
    assert result.warnings == []


def test_nested_list_booleans_are_not_tags() -> None:
    assert split(fm("tags: [[true, a]]")).tags == ("a",)


@pytest.mark.parametrize(
    ("yaml", "kind"),
    [
        pytest.param("tags: {a: 1}", "dict", id="mapping"),
        pytest.param("tags: true", "bool", id="bool"),
    ],
)
def test_tags_of_wrong_type_warn_and_are_ignored(yaml: str, kind: str) -> None:
    result = split(fm(yaml))
    assert result.tags == ()
    assert result.body == "body\n"  # the front matter itself is still accepted
    assert len(result.warnings) == 1
    assert kind in result.warnings[0][1]


def test_unquoted_hash_is_a_yaml_comment() -> None:
    # `tags: #a` is a YAML comment: no tags, but no crash either.
    result = split(fm("tags: #a"))
    assert result.tags == ()
    assert result.body == "body\n"


@pytest.mark.parametrize(
    ("yaml", "title"),
    [
        pytest.param("title: Plain", "Plain", id="string"),
        pytest.param("title: '  spaced   out  '", "spaced out", id="whitespace-collapsed"),
        pytest.param("title: 42", "42", id="number"),
        pytest.param("title: ''", None, id="empty"),
        pytest.param("title: [a, b]", None, id="list"),
        pytest.param("title: true", None, id="bool"),
        pytest.param("other: x", None, id="absent"),
    ],
)
def test_title_shapes(yaml: str, title: str | None) -> None:
    assert split(fm(yaml)).title == title


def test_date_like_title_is_kept() -> None:
    assert split(fm("title: 2026-01-01")).title == "2026-01-01"


@pytest.mark.parametrize(
    ("yaml", "aliases"),
    [
        pytest.param("aliases: [A, B]", ("A", "B"), id="list"),
        pytest.param("aliases: One", ("One",), id="string"),
        pytest.param("alias: One", ("One",), id="singular-key"),
        pytest.param("aliases: [x, 7]", ("x", "7"), id="number-in-list"),
        pytest.param("aliases:", (), id="null"),
        pytest.param("aliases: {a: 1}", (), id="mapping"),
    ],
)
def test_alias_shapes(yaml: str, aliases: tuple[str, ...]) -> None:
    assert split(fm(yaml)).aliases == aliases


def test_aliases_drop_empty_and_boolean_items() -> None:
    assert split(fm("aliases: ['', ' ', x, true]")).aliases == ("x",)


def test_bom_free_input_from_decode() -> None:
    data = codecs.BOM_UTF8 + b"---\r\ntitle: T\r\ntags: [a]\r\n---\r\n# H\r\n"
    result = split(decode(data).text)
    assert result.title == "T"
    assert result.tags == ("a",)
    assert result.body == "# H\n"
    assert result.body_line == 5


def test_bom_still_present_is_not_front_matter() -> None:
    # split() documents that the BOM is already gone; with one, nothing is lost.
    text = "\ufeff---\ntitle: T\n---\nbody\n"
    result = split(text)
    assert result.body == text
    assert result.title is None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("---\n\ntitle: T\n---\nbody\n", id="thematic-break-then-blank-line"),
        pytest.param("---\n \ntitle: T\n---\nbody\n", id="thematic-break-then-space-line"),
        pytest.param("---\nprose line\n---\nmore\n", id="scalar-between-breaks"),
        pytest.param("---\n- a\n- b\n---\nmore\n", id="list-between-breaks"),
        pytest.param("---\ntitle: T\nno closing line\n", id="unterminated"),
        pytest.param("---\ntitle: T", id="unterminated-no-newline"),
        pytest.param("--- \ntitle: T\n---\n", id="opening-with-trailing-space"),
        pytest.param("# H\n---\ntitle: T\n---\n", id="not-on-first-line"),
        pytest.param("", id="empty-file"),
        pytest.param("---", id="only-dashes"),
    ],
)
def test_not_front_matter_keeps_all_text(text: str) -> None:
    result = split(text)
    assert result.body == text
    assert result.body_line == 1
    assert result.title is None
    assert result.tags == ()
    assert result.warnings == []


def test_thematic_break_then_whitespace_line_keeps_text() -> None:
    text = "---\n  \nNote: remember this\n---\nrest\n"
    result = split(text)
    assert result.body == text


@pytest.mark.parametrize(
    "yaml",
    [
        pytest.param("title: [unclosed", id="unclosed-flow"),
        pytest.param("title: a\n  bad: indent: x", id="bad-indent"),
        pytest.param("key: 'unterminated", id="unterminated-quote"),
        pytest.param("\tkey: tab", id="tab-indent"),
    ],
)
def test_malformed_yaml_warns_and_keeps_all_text(yaml: str) -> None:
    text = fm(yaml)
    result = split(text)
    assert result.body == text
    assert result.body_line == 1
    assert len(result.warnings) == 1
    line, message = result.warnings[0]
    assert line == 1
    assert "malformed front matter" in message


@pytest.mark.parametrize(
    "yaml",
    [
        pytest.param("title: !!python/object/apply:os.system ['echo hi']", id="as-value"),
        pytest.param("!!python/object/apply:os.system ['echo hi']", id="as-document"),
        pytest.param("x: !!python/name:os.system", id="python-name"),
    ],
)
def test_python_tags_are_never_executed(yaml: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a) or 0)
    text = fm(yaml)
    result = split(text)
    assert calls == []
    assert result.body == text
    assert result.warnings
    assert "malformed front matter" in result.warnings[0][1]


def test_invalid_date_keeps_the_rest_of_the_front_matter() -> None:
    # Dates are read as the text written, so an impossible one cannot make
    # PyYAML raise (ValueError) and throw away title and tags with it.
    text = fm("title: T\ndate: 2026-13-45\ntags: [a]")
    result = split(text)  # must not raise
    assert (result.title, result.tags, result.warnings) == ("T", ("a",), [])
    assert result.body == "body\n"


def test_valid_date_is_accepted() -> None:
    result = split(fm("title: T\ndate: 2026-01-31"))
    assert result.title == "T"
    assert result.warnings == []


@pytest.mark.parametrize(
    ("text", "body", "body_line"),
    [
        pytest.param("---\n---\n", "", 3, id="empty"),
        pytest.param("---\n---\n# H\n", "# H\n", 3, id="empty-then-heading"),
        pytest.param("---\n---", "", 3, id="empty-no-newline"),
        pytest.param("---\ntitle: T\n---", "", 4, id="no-body"),
        pytest.param("---\ntitle: T\n...\nbody", "body", 4, id="dots-closing"),
        pytest.param("---\ntitle: T\n---   \nbody\n", "body\n", 4, id="closing-trailing-space"),
        pytest.param("---\na: 1\nb: 2\n\nc: 3\n---\n\nX\n", "\nX\n", 7, id="blank-inside-yaml"),
        pytest.param("---\n# comment\n---\nbody\n", "body\n", 4, id="comment-only"),
    ],
)
def test_body_and_body_line(text: str, body: str, body_line: int) -> None:
    result = split(text)
    assert result.body == body
    assert result.body_line == body_line
    assert result.warnings == []
    # body_line really is where the body starts in the file.
    lines = text.split("\n")
    assert "\n".join(lines[body_line - 1 :]) == body


def test_second_dashes_in_body_are_kept() -> None:
    text = "---\ntitle: T\n---\nintro\n\n---\n\nafter break\n"
    result = split(text)
    assert result.title == "T"
    assert result.body == "intro\n\n---\n\nafter break\n"
    assert result.body_line == 4
