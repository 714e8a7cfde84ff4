"""Front matter: broken, hostile or surprising YAML never loses text and never runs code."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from notesearch import open_index
from notesearch.notes.parse import parse_note
from tests.helpers import write
from tests.hostile.helpers import index_ok, run


def _parse(text: str, path: str = "n.md"):
    note, diags = parse_note(path, text)
    return note, [str(d) for d in diags]


def _all_text(note) -> str:
    return "\n".join(f"{s.heading}\n{s.text}" for s in note.sections)


def test_empty_front_matter() -> None:
    note, diags = _parse("---\n---\n# Head\n\nbody\n")
    assert diags == []
    assert note.title == "Head"
    assert [(s.heading, s.line, s.end_line) for s in note.sections] == [("Head", 3, 5)]


def test_unterminated_front_matter_is_body_text() -> None:
    note, diags = _parse("---\ntitle: Not a title\ntags: [x]\n\n# Head\n\nbody\n")
    assert note.title == "Head"
    assert note.tags == ()
    assert "title: Not a title" in _all_text(note)
    assert diags == []


def test_malformed_yaml_warns_once_and_keeps_text(tmp_path: Path) -> None:
    write(tmp_path / "notes", "bad.md", "---\ntitle: [unclosed\nkeptword: {\n---\n# Head\n\nbody\n")
    result = index_ok()
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1
    assert "bad.md" in warnings[0] and "malformed front matter" in warnings[0]
    assert run("query", "keptword", "--format", "paths").stdout == "notes/bad.md\n"


@pytest.mark.parametrize(
    ("yaml", "kept"),
    [
        ("- a list item\n- keptword", "keptword"),
        ("just a keptword scalar", "keptword"),
        ("42", "42"),
        ("'keptword string'", "keptword"),
    ],
    ids=["list", "scalar", "number", "quoted"],
)
def test_front_matter_that_is_not_a_mapping_is_body_text(yaml: str, kept: str) -> None:
    note, diags = _parse(f"---\n{yaml}\n---\n\n# Head\n\nbody\n")
    assert kept in _all_text(note)
    assert note.title == "Head"
    assert diags == []


def test_leading_thematic_break_keeps_the_text(tmp_path: Path) -> None:
    # python-frontmatter would drop "Intro paragraph" as front matter.
    notes = tmp_path / "notes"
    write(notes, "hr.md", "---\n\nIntro paragraph thematicword here.\n\n---\n\n# Head\n\nbody\n")
    write(notes, "hr2.md", "---\nSome prose secondthematic, not YAML.\n---\n\nbody\n")
    result = index_ok()
    assert "warning" not in result.stderr
    assert run("query", "thematicword", "--format", "paths").stdout == "notes/hr.md\n"
    assert run("query", "secondthematic", "--format", "paths").stdout == "notes/hr2.md\n"
    with open_index(tmp_path / "index", notes) as idx:
        first = next(s for s in idx.sections() if s.path == "hr.md")
    assert first.line == 1 and "thematicword" in first.text


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/apply:subprocess.call [['touch', '{marker}']]",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/name:os.system",
        "!!python/module:os",
    ],
)
def test_python_tags_are_never_executed(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "PWNED"
    yaml_value = tag.format(marker=marker)
    write(
        tmp_path / "notes",
        "evil.md",
        f"---\ntitle: {yaml_value}\ntags: [evil]\n---\n# Head\n\nyamlword body\n",
    )
    result = index_ok()
    assert not marker.exists()
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "evil.md" in warnings[0]
    assert run("query", "yamlword", "--format", "paths").stdout == "notes/evil.md\n"


BILLION_LAUGHS = """---
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
title: Laughs
tags: *i
aliases: *i
---
# Head

bombword body
"""


def test_alias_bomb_is_bounded(tmp_path: Path) -> None:
    note, _ = _parse(BILLION_LAUGHS)
    assert note.title == "Laughs"
    assert len(note.tags) <= 1000 and len(note.aliases) <= 1000
    write(tmp_path / "notes", "bomb.md", BILLION_LAUGHS)
    index_ok()
    assert run("query", "bombword", "--format", "paths").stdout == "notes/bomb.md\n"


def test_alias_bomb_of_flat_string_lists_is_capped() -> None:
    # Every reference is a list of strings: a naive flatten would build 9**6 tags.
    text = (
        "---\n"
        'a: &a ["t1","t2","t3","t4","t5","t6","t7","t8","t9"]\n'
        "tags: [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "---\nbody\n"
    )
    note, _ = _parse(text)
    assert set(note.tags) == {f"t{i}" for i in range(1, 10)}


@pytest.mark.slow
@pytest.mark.parametrize(
    "value",
    [
        "[" * 3000 + "]" * 3000,
        "{a: " * 3000 + "1" + "}" * 3000,
        "\n" + "".join("  " * i + "- \n" for i in range(1, 400)),
    ],
    ids=["flow-lists", "flow-maps", "block-lists"],
)
def test_deeply_nested_values_do_not_crash(tmp_path: Path, value: str) -> None:
    text = f"---\ntitle: Deep\ndeep: {value}\n---\n# Head\n\ndeepword body\n"
    note, diags = _parse(text)
    assert len(diags) <= 1
    assert "deepword" in _all_text(note)
    write(tmp_path / "notes", "deep.md", text)
    index_ok()
    assert run("query", "deepword", "--format", "paths").stdout == "notes/deep.md\n"


def test_deeply_nested_tags_are_shape_checked() -> None:
    note, diags = _parse("---\ntags: [ok, [one, [two, [three]]], {k: v}]\n---\nbody\n")
    assert note.tags == ("ok", "one")
    assert len(diags) <= 1


@pytest.mark.parametrize(
    "line",
    [
        "date: 2026-13-45",
        "date: 2026-02-30",
        "created: 2026-01-01 25:61:99",
        "date: 0000-00-00",
        "date: !!timestamp 2026-13-45",
    ],
)
def test_invalid_dates_do_not_lose_title_or_tags(line: str) -> None:
    note, diags = _parse(f"---\ntitle: Dated\n{line}\ntags: [when]\n---\n\nbody\n")
    if "!!timestamp" in line:  # an explicit bad timestamp: the YAML is malformed
        assert len(diags) == 1 and "malformed" in diags[0]
        return
    assert note.title == "Dated"
    assert note.tags == ("when",)
    assert diags == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"a, b c #d"', ("a", "b", "c", "d")),
        ("a, b c #comment", ("a", "b", "c")),
        ('"#one"', ("one",)),
        ("[a, '#b', 'c d']", ("a", "b", "c", "d")),
        ("[[a, b], c]", ("a", "b", "c")),
        ("\n  - x\n  - [y]", ("x", "y")),
        ("42", ()),
        ("4.5", ()),
        ("2024", ()),
        ("null", ()),
        ("~", ()),
        ("", ()),
        ("[true, yes, no, ok]", ("ok",)),
        ("[1, 2, three]", ("three",)),
        ("[a/b, '/c/', 'd//e']", ("a/b", "c")),
        ("'#'", ()),
        ("[NestedCase, nestedcase]", ("nestedcase",)),
    ],
)
def test_tag_shapes(value: str, expected: tuple[str, ...]) -> None:
    note, _ = _parse(f"---\ntags: {value}\n---\n\nbody\n")
    assert note.tags == expected


@pytest.mark.parametrize("value", ["{a: 1}", "!!set {a, b}", "!!binary aGVsbG8="])
def test_unusable_tags_type_warns_and_keeps_the_rest(value: str) -> None:
    note, diags = _parse(f"---\ntitle: Kept\ntags: {value}\n---\n\nbody\n")
    assert note.tags == ()
    assert note.title == "Kept"
    assert len(diags) == 1 and "tags" in diags[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("123", "123"),
        ("null", "n"),
        ("[a, b]", "n"),
        ("{x: 1}", "n"),
        ("'  spaced   out '", "spaced out"),
        ("yes", "n"),
    ],
)
def test_title_shapes(value: str, expected: str) -> None:
    note, _ = _parse(f"---\ntitle: {value}\n---\n\nbody\n")
    assert note.title == expected


def test_bom_before_front_matter(tmp_path: Path) -> None:
    write(
        tmp_path / "notes",
        "bom.md",
        codecs.BOM_UTF8 + b"---\ntitle: Bommed\ntags: [bomtag]\n---\n# Head\n\nbomword\n",
    )
    write(
        tmp_path / "notes",
        "bom16.md",
        codecs.BOM_UTF16_LE + "---\ntitle: Wide\n---\n\nwideword\n".encode("utf-16-le"),
    )
    index_ok()
    with open_index(tmp_path / "index", tmp_path / "notes") as idx:
        sections = {s.path: s for s in idx.sections()}
    assert sections["bom.md"].title == "Bommed"
    assert sections["bom.md"].tags == ("bomtag",)
    assert sections["bom.md"].line == 5
    assert "title:" not in sections["bom.md"].text
    assert sections["bom16.md"].title == "Wide"
    assert (
        run("query", "bomword", "--tag", "bomtag", "--format", "paths").stdout == "notes/bom.md\n"
    )


def test_crlf_front_matter(tmp_path: Path) -> None:
    write(
        tmp_path / "notes",
        "crlf.md",
        b"---\r\ntitle: Windows\r\ntags: [win]\r\n---\r\n\r\nwinword\r\n",
    )
    index_ok()
    with open_index(tmp_path / "index", tmp_path / "notes") as idx:
        (section,) = list(idx.sections())
    assert section.title == "Windows" and section.tags == ("win",)
    assert section.text == "winword"


def test_oversized_front_matter_is_read_as_text_with_a_warning() -> None:
    big = "".join(f"key{i}: {'v' * 60}\n" for i in range(1500))  # ~100 KB
    note, diags = _parse(f"---\ntitle: Big\n{big}---\n\nbigbody\n")
    assert note.title != "Big"
    assert len(diags) == 1 and "too large" in diags[0]
    assert "bigbody" in _all_text(note)
