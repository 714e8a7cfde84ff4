"""Markdown edge cases: what is a heading, what is a tag, what is a section."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from notesearch.notes.parse import parse_note
from tests.helpers import write
from tests.hostile.helpers import index_ok, run, subprocess_env


def _sections(text: str, path: str = "n.md"):
    note, _ = parse_note(path, text)
    return note, [(s.level, s.heading, s.line, s.end_line) for s in note.sections]


def _tags(text: str) -> set[str]:
    note, _ = parse_note("n.md", text)
    return {t for s in note.sections for t in s.tags}


HIDDEN = "# NotAHeading #hiddentag\n## AlsoNot #hidden2"


@pytest.mark.parametrize(
    "wrapped",
    [
        f"```\n{HIDDEN}\n```",
        f"~~~python\n{HIDDEN}\n~~~",
        f"````md\n```\n{HIDDEN}\n```\n````",
        "    # NotAHeading #hiddentag\n    ## AlsoNot #hidden2",
        f"<!--\n{HIDDEN}\n-->",
        f"<!-- a comment\n\n{HIDDEN}\n\nstill in it -->",
        f"%%\n{HIDDEN}\n%%",
        f"%% start\n\n{HIDDEN}\n\nend %%",
        f"<div>\n{HIDDEN}\n</div>",
    ],
    ids=[
        "backticks",
        "tildes",
        "nested-fence",
        "indented",
        "html-comment",
        "html-comment-blank-lines",
        "obsidian",
        "obsidian-blank-lines",
        "html-block",
    ],
)
def test_headings_and_tags_inside_code_and_comments_do_not_count(wrapped: str) -> None:
    _note, sections = _sections(f"# Real #realtag\n\n{wrapped}\n\nafter text\n")
    assert [(level, heading) for level, heading, _, _ in sections] == [(1, "Real")]
    assert _tags(f"# Real #realtag\n\n{wrapped}\n\nafter text\n") == {"realtag"}
    assert sections[0][2:] == (1, len(f"# Real\n\n{wrapped}\n\nafter text".split("\n")))


def test_unclosed_fence_runs_to_the_end_of_the_note() -> None:
    text = "# Real\n\n```\n# NotAHeading #hiddentag\n\n## Also not\n\nmore #tag2\n"
    note, sections = _sections(text)
    assert [h for _, h, _, _ in sections] == ["Real"]
    assert _tags(text) == set()
    assert "## Also not" in note.sections[0].text  # still searchable as text


def test_inline_comments_hide_tags_but_keep_text() -> None:
    note, _ = parse_note("n.md", "# H\n\nbefore <!-- #htmltag --> mid %% #obstag %% after #kept\n")
    assert _tags("# H\n\nbefore <!-- #htmltag --> mid %% #obstag %% after #kept\n") == {"kept"}
    text = note.sections[0].text
    assert "before" in text and "after" in text
    assert "obstag" not in text and "htmltag" not in text


def test_percent_percent_inside_code_is_not_a_comment() -> None:
    text = "# H\n\n```python\n%%time\nx = 1\n```\n\n## Later\n\n`%%` and text #visible\n"
    _note, sections = _sections(text)
    assert [h for _, h, _, _ in sections] == ["H", "Later"]
    assert _tags(text) == {"visible"}


def test_setext_headings() -> None:
    text = (
        "Title One\n=========\n\nbody1\n\nMulti line\nsetext heading\n---\n\nbody2\n\n- item\n---\n"
    )
    note, sections = _sections(text)
    assert [(level, heading, line) for level, heading, line, _ in sections] == [
        (1, "Title One", 1),
        (2, "Multi line setext heading", 6),
    ]
    assert note.title == "Title One"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("# Closing hashes ###", (1, "Closing hashes")),
        ("## Closing #", (2, "Closing")),
        ("### Not closing#", (3, "Not closing#")),
        ("###### Six", (6, "Six")),
        ("####### Seven", None),
        ("\\# Escaped", None),
        ("#NoSpace", None),
        ("   # Three spaces", (1, "Three spaces")),
        ("    # Four spaces", None),
        ("#", (1, "")),
        ("# ", (1, "")),
        ("#\tTabbed", (1, "Tabbed")),
        ("# #onlytag", (1, "#onlytag")),  # a heading of only a tag keeps it as text
    ],
)
def test_atx_edge_cases(line: str, expected: tuple[int, str] | None) -> None:
    _note, sections = _sections(f"intro text\n\n{line}\n\nbody\n")
    headed = [(level, heading) for level, heading, _, _ in sections if level > 0]
    assert headed == ([] if expected is None else [expected])
    lines = [(start, end) for _, _, start, end in sections]
    assert all(b[0] == a[1] + 1 for a, b in itertools.pairwise(lines))


def test_escaped_and_nospace_hashes_as_tags() -> None:
    tags = _tags("text\n\n\\#escaped and #NoSpace and #123 and #a1 and C# and x#y\n")
    assert tags == {"nospace", "a1"}


def test_duplicate_headings_get_unique_anchors() -> None:
    text = "# Doc\n" + "## Same\n\nx\n\n" * 4 + "## Same-1\n\n## Same 1\n\n## SAME\n\n##\n\n##\n"
    note, _ = parse_note("n.md", text)
    anchors = [s.anchor for s in note.sections]
    assert len(set(anchors)) == len(anchors), anchors
    assert anchors[:3] == ["doc", "same", "same-1"]


def test_no_headings_at_all(tmp_path: Path) -> None:
    note, sections = _sections("just some text\nwith #tagged words\nand more\n", "plain note.md")
    assert sections == [(0, "", 1, 3)]
    assert note.title == "plain note"
    assert note.sections[0].tags == ("tagged",)
    write(tmp_path / "notes", "plain note.md", "just some text\nwith #tagged words\n")
    write(tmp_path / "notes", "empty.md", "")
    write(tmp_path / "notes", "blank.md", "\n\n   \n")
    index_ok()
    result = run("query", "text", "--tag", "tagged", "--format", "plain")
    assert result.stdout.startswith("notes/plain note.md:1: plain note: ")


def test_heading_tags_in_code_spans_and_links() -> None:
    text = (
        "# H `#spantag`\n\ncode `#notatag` in text\n\n[#nolink](http://x/#frag) http://x.y/#frag2\n"
    )
    assert _tags(text) == {"spantag"}


# -- pathological inputs: bounded time, nothing silently lost ----------------------

PARSE_STDIN = (
    "import sys\n"
    "from notesearch.notes.parse import parse_note\n"
    "note, _ = parse_note('n.md', sys.stdin.read())\n"
    "print(sum(len(s.text) for s in note.sections))\n"
)


def _parse_in_subprocess(text: str, timeout: float) -> str:
    """parse_note in a child process, killed after ``timeout`` seconds."""
    proc = subprocess.run(
        [sys.executable, "-c", PARSE_STDIN],
        input=text,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=subprocess_env(),
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "[" * 20_000,
        "[a](" * 20_000,
        "[[" * 20_000,
        "*_" * 20_000,
        "`" * 20_000,
        "<" * 20_000,
        "%% a\n" * 20_000,
        "a\n=\n" * 20_000,
        "|a|b|\n|-|-|\n" + "|x|y|\n" * 20_000,
        "`#a` " * 20_000,
        "#a" * 20_000,
        "&amp;" * 20_000,
    ],
    ids=[
        "brackets",
        "link-openers",
        "wiki-openers",
        "emphasis",
        "backticks",
        "less-than",
        "obsidian-comments",
        "setext",
        "table",
        "code-span-tags",
        "hash-runs",
        "entities",
    ],
)
def test_pathological_markdown_parses_in_bounded_time(text: str) -> None:
    _parse_in_subprocess(text, timeout=20)


@pytest.mark.parametrize(
    "text",
    ["<!--" * 20_000, "<!-- unclosed\n\n" + "a < b and c <d\n\n" * 8_000],
    ids=["comment-openers", "unclosed-comment-with-less-thans"],
)
def test_html_blocks_parse_in_bounded_time(text: str) -> None:
    _parse_in_subprocess(text, timeout=3)  # linear parsing takes well under 1 s


def test_escaped_hashes_parse_in_bounded_time() -> None:
    _parse_in_subprocess("\\#a " * 20_000, timeout=3)  # linear parsing: well under 1 s


@pytest.mark.parametrize(
    "nested",
    [
        "".join("  " * i + "- level\n" for i in range(12)) + "  " * 12 + "- deepword\n",
        "> " * 25 + "deepword\n",
    ],
    ids=["list-12-levels", "blockquote-25-levels"],
)
def test_deeply_nested_text_is_not_lost(tmp_path: Path, nested: str) -> None:
    note, _ = parse_note("n.md", f"# H\n\n{nested}")
    assert "deepword" in "\n".join(s.text for s in note.sections)
