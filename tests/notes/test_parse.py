"""parse_note(): sections, headings, tags, links, lines, titles."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from notesearch.models import Note, Section
from notesearch.notes.parse import parse_note
from notesearch.notes.read import decode

# the seed note, byte for byte
SEED = Path(__file__).resolve().parents[2] / "notes" / "sagemaker" / "sagemaker.md"


def parse(text: str, path: str = "n.md") -> Note:
    note, _ = parse_note(path, text)
    return note


def outline(text: str, path: str = "n.md") -> list[tuple[int, str, int, int]]:
    """(level, heading, line, end_line) per section."""
    return [(s.level, s.heading, s.line, s.end_line) for s in parse(text, path).sections]


def section(note: Note, heading: str) -> Section:
    matches = [s for s in note.sections if s.heading == heading]
    assert len(matches) == 1, f"{heading!r}: {[s.heading for s in note.sections]}"
    return matches[0]


def line_count(text: str) -> int:
    return text.count("\n") + (0 if text.endswith("\n") or not text else 1)


def assert_contiguous(note: Note, text: str) -> None:
    sections = note.sections
    for prev, nxt in pairwise(sections):
        assert prev.end_line == nxt.line - 1, (prev.heading, nxt.heading)
    for s in sections:
        assert 1 <= s.line <= s.end_line
    if sections:
        assert sections[-1].end_line == max(line_count(text), sections[-1].line)


# --------------------------------------------------------------------------- structure

STRUCTURE = [
    pytest.param(
        "# A\ntext\n## B\nmore\n### C\nc\n",
        [(1, "A", 1, 2), (2, "B", 3, 4), (3, "C", 5, 6)],
        id="atx",
    ),
    pytest.param(
        "Title\n=====\n\nSub\n---\ntext\n",
        [(1, "Title", 1, 3), (2, "Sub", 4, 6)],
        id="setext",
    ),
    pytest.param(
        "# A\nx\n\nSub\n---\ny\n",
        [(1, "A", 1, 3), (2, "Sub", 4, 6)],
        id="setext-after-paragraph-line",
    ),
    pytest.param(
        "Line one\nline two\n===\n",
        [(1, "Line one line two", 1, 3)],
        id="setext-multiline",
    ),
    pytest.param(
        "## Title ##\n",
        [(2, "Title", 1, 1)],
        id="atx-closing-hashes",
    ),
    pytest.param(
        "# A\n\n\n",
        [(1, "A", 1, 3)],
        id="trailing-blank-lines",
    ),
    pytest.param(
        "# A\nno final newline",
        [(1, "A", 1, 2)],
        id="no-final-newline",
    ),
    pytest.param(
        "\n\n# A\nx\n",
        [(1, "A", 3, 4)],
        id="blank-preamble-dropped",
    ),
    pytest.param(
        "intro\n\n# A\nx\n",
        [(0, "", 1, 2), (1, "A", 3, 4)],
        id="preamble-kept",
    ),
    pytest.param(
        "[link](a.md)\n# A\n",
        [(0, "", 1, 1), (1, "A", 2, 2)],
        id="preamble-with-link-kept",
    ),
    pytest.param(
        "just text\nno headings\n",
        [(0, "", 1, 2)],
        id="no-headings",
    ),
    pytest.param(
        "#nospace\n# A\n",
        [(0, "", 1, 1), (1, "A", 2, 2)],
        id="hash-without-space-is-text",
    ),
    pytest.param(
        "#\n## B\n",
        [(1, "", 1, 1), (2, "B", 2, 2)],
        id="empty-heading",
    ),
    pytest.param(
        "####### seven\n# A\n",
        [(0, "", 1, 1), (1, "A", 2, 2)],
        id="seven-hashes-is-text",
    ),
]


@pytest.mark.parametrize(("text", "expected"), STRUCTURE)
def test_sections_split_at_headings(text: str, expected: list[tuple[int, str, int, int]]) -> None:
    assert outline(text) == expected
    assert_contiguous(parse(text), text)


NOT_HEADINGS = [
    pytest.param("```\n# not\n```\n", id="backtick-fence"),
    pytest.param("~~~python\n# not\n~~~\n", id="tilde-fence"),
    pytest.param("````\n```\n# not\n```\n````\n", id="nested-fence"),
    pytest.param("para\n\n    # not\n", id="indented-code"),
    pytest.param("<div>\n# not\n</div>\n", id="html-block"),
    pytest.param("<!--\n# not\n-->\n", id="html-comment"),
    pytest.param("<!--\n\n# not\n\n-->\n", id="html-comment-blank-lines"),
    pytest.param("%%\n# not\n%%\n", id="obsidian-comment"),
    pytest.param("text %% inline\n# not\nstill %% text\n", id="obsidian-comment-mid-line"),
    pytest.param("---\ntitle: T\n# not: a heading\n---\n", id="front-matter"),
    pytest.param("\\# escaped\n", id="escaped-hash"),
]


@pytest.mark.parametrize("before", NOT_HEADINGS)
def test_hash_lines_that_are_not_headings(before: str) -> None:
    text = before + "\n# Real\nbody\n"
    note = parse(text)
    headed = [(s.level, s.heading) for s in note.sections if s.level > 0]
    assert headed == [(1, "Real")]
    real = section(note, "Real")
    assert real.line == text.split("\n").index("# Real") + 1
    assert real.end_line == line_count(text)
    assert_contiguous(note, text)


def test_code_content_stays_in_section_text() -> None:
    note = parse("# A\n```\n# not a heading #nottag\n```\n")
    (only,) = note.sections
    assert "# not a heading #nottag" in only.text
    assert only.tags == ()


def test_comments_are_not_text() -> None:
    note = parse("# A\nvisible\n<!-- hidden #t1 -->\n\n%% secret #t2 %%\n")
    (only,) = note.sections
    assert "visible" in only.text
    assert "hidden" not in only.text
    assert "secret" not in only.text
    assert only.tags == ()


def test_preamble_section_shape() -> None:
    note = parse("Some intro #intro\n\n# Title\n")
    pre = note.sections[0]
    assert (pre.level, pre.heading, pre.anchor, pre.breadcrumb) == (0, "", "", ())
    assert pre.text == "Some intro #intro"
    assert "intro" in pre.tags


# --------------------------------------------------------------------------- headings


@pytest.mark.parametrize(
    ("heading_line", "heading", "tags"),
    [
        pytest.param(
            "### Built-in Algorithms `#exam-tip`",
            "Built-in Algorithms",
            ("exam-tip",),
            id="code-span-tag",
        ),
        pytest.param("## Setup `#a` `#b`", "Setup", ("a", "b"), id="two-code-span-tags"),
        pytest.param("## Setup #python", "Setup", ("python",), id="plain-tag"),
        pytest.param("## Setup #a #b", "Setup", ("a", "b"), id="two-plain-tags"),
        pytest.param("## **Bold** _it_ heading", "Bold it heading", (), id="emphasis"),
        pytest.param("## See [docs](d.md)", "See docs", (), id="link-text"),
        pytest.param("## Use `code` here", "Use code here", (), id="code-span"),
        pytest.param("## C# tips", "C# tips", (), id="c-sharp"),
        pytest.param("## Notes on #1", "Notes on #1", (), id="number-sign"),
        pytest.param("## A &amp; B", "A & B", (), id="entity"),
    ],
)
def test_heading_text_is_cleaned(heading_line: str, heading: str, tags: tuple[str, ...]) -> None:
    note = parse(f"{heading_line}\nbody\n")
    (only,) = note.sections
    assert only.heading == heading
    assert only.tags == tags


def test_trailing_tag_after_issue_number_is_dropped() -> None:
    (only,) = parse("## Issue #42 #bug\n").sections
    assert only.heading == "Issue #42"
    assert only.tags == ("bug",)


def test_duplicate_headings_get_unique_anchors() -> None:
    note = parse("# Notes\n## Setup\n## Setup\n### Setup\n## Setup!\n")
    assert [s.anchor for s in note.sections] == ["notes", "setup", "setup-1", "setup-2", "setup-3"]
    assert note.anchors[:5] == ("notes", "setup", "setup-1", "setup-2", "setup-3")


def test_breadcrumbs() -> None:
    text = "# A\n## B\n### C\n#### D\n## E\n### F\n# G\n### H\n"
    note = parse(text)
    crumbs = {s.heading: s.breadcrumb for s in note.sections}
    assert crumbs == {
        "A": (),
        "B": ("A",),
        "C": ("A", "B"),
        "D": ("A", "B", "C"),
        "E": ("A",),
        "F": ("A", "E"),
        "G": (),
        "H": ("G",),
    }
    assert section(note, "D").trail == ("A", "B", "C", "D")


def test_block_ids_and_html_block_anchors_are_note_anchors() -> None:
    note = parse('# A\nA paragraph ^Block-1\n\n<div id="Box"></div>\n\n<a name="top">\n')
    assert "block-1" in note.anchors
    assert "^block-1" in note.anchors
    assert "box" in note.anchors
    assert "top" in note.anchors


def test_inline_html_anchor_is_a_note_anchor() -> None:
    note = parse('# A\n\n<a name="here"></a>\n\ntext <span id="there"></span>\n')
    assert "here" in note.anchors
    assert "there" in note.anchors


# --------------------------------------------------------------------------- tags

TAGS_TEXT = """\
# Title

**Tags:** `#a` `#b`

## One `#h1tag`
body #local

### One child
child text

## Two
sibling
"""


def test_tag_scopes() -> None:
    note = parse(TAGS_TEXT)
    tags = {s.heading: s.tags for s in note.sections}
    assert tags == {
        "Title": ("a", "b"),
        "One": ("a", "b", "h1tag", "local"),
        "One child": ("a", "b", "h1tag"),  # heading tag inherited, body tag not
        "Two": ("a", "b"),
    }
    assert note.tags == ("a", "b")


def test_front_matter_tags_apply_to_every_section() -> None:
    text = "---\ntags: [fm, Other]\n---\nintro\n# T\n## S\n### U\n"
    note = parse(text)
    assert note.tags == ("fm", "other")
    assert len(note.sections) == 4
    for s in note.sections:
        assert s.tags[:2] == ("fm", "other")


def test_body_tag_only_on_its_section() -> None:
    note = parse("## A\nsee #only-here\n## B\nplain\n### C\n")
    assert section(note, "A").tags == ("only-here",)
    assert section(note, "B").tags == ()
    assert section(note, "C").tags == ()
    assert note.tags == ()


@pytest.mark.parametrize(
    ("body", "tags"),
    [
        pytest.param("Inline `#notatag` here", (), id="code-span-mid-line"),
        pytest.param("`x = 1 # note`", (), id="code-comment"),
        pytest.param("`# note`", (), id="code-hash-space"),
        pytest.param("- item with tag `#tagged`", ("tagged",), id="list-item-end"),
        pytest.param("- item `#a` `#b`  ", ("a", "b"), id="list-item-two-spans"),
        pytest.param("text `#one`\nmore text", ("one",), id="end-of-first-line"),
        pytest.param("plain #tag in text", ("tag",), id="plain-tag"),
        pytest.param("url http://x/#frag", (), id="url-fragment"),
        pytest.param("<https://x.org/#frag>", (), id="autolink-fragment"),
        pytest.param("a#b and C#", (), id="no-space-before"),
        pytest.param("year #1984 vs #y1984", ("y1984",), id="digits"),
        pytest.param("#日本語 and #Café", ("日本語", "café"), id="unicode"),
        pytest.param("> quoted #inquote", ("inquote",), id="blockquote"),
        pytest.param("| h |\n|---|\n| #intable |", ("intable",), id="table-cell"),
        pytest.param("<!-- #hidden -->", (), id="html-comment"),
        pytest.param("```\n#fenced\n```", (), id="fenced"),
        pytest.param("[[Note#Heading]] and [[#Local]]", (), id="wiki-anchor"),
    ],
)
def test_body_tags(body: str, tags: tuple[str, ...]) -> None:
    note = parse(f"## S\n{body}\n")
    assert section(note, "S").tags == tags


def test_escaped_hash_is_not_a_tag() -> None:
    note = parse("## S\nUse \\#notatag here\n")
    assert section(note, "S").tags == ()


def test_h1_body_tags_are_note_tags_only_for_leading_h1() -> None:
    note = parse("## Intro\n# Later\n**Tags:** `#x`\n## Sub\n")
    assert note.tags == ()
    assert section(note, "Intro").tags == ()
    assert section(note, "Later").tags == ("x",)
    assert section(note, "Sub").tags == ()


# --------------------------------------------------------------------------- lines


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "---\ntitle: T\ntags: [x]\n---\n# A\na\n## B\nb\n",
            [(1, "A", 5, 6), (2, "B", 7, 8)],
            id="front-matter",
        ),
        pytest.param(
            "---\n---\n\n# A\n",
            [(1, "A", 4, 4)],
            id="empty-front-matter",
        ),
        pytest.param(
            "---\ntitle: T\n---\nSetext\n======\nx\n",
            [(1, "Setext", 4, 6)],
            id="front-matter-setext",
        ),
        pytest.param(
            "# A\n%%\ncomment\nlines\n%%\n## B\n",
            [(1, "A", 1, 5), (2, "B", 6, 6)],
            id="obsidian-comment-keeps-lines",
        ),
        pytest.param(
            "---\nprose line\n---\nmore\n",
            [(2, "prose line", 2, 4)],
            id="scalar-front-matter-is-setext",
        ),
    ],
)
def test_lines_offset_by_front_matter(text: str, expected: list[tuple[int, str, int, int]]) -> None:
    assert outline(text) == expected
    assert_contiguous(parse(text), text)


def test_preamble_starts_after_front_matter() -> None:
    text = "---\ntitle: T\n---\nintro\n# A\n"
    assert outline(text)[0] == (0, "", 4, 4)


def test_malformed_front_matter_is_reported_and_kept() -> None:
    text = "---\ntitle: [oops\n---\n# A\n"
    note, diagnostics = parse_note("n.md", text)
    assert len(diagnostics) == 1
    assert diagnostics[0].path == "n.md"
    assert diagnostics[0].line == 1
    assert "malformed" in diagnostics[0].message
    assert section(note, "A").line == 4
    assert note.title == "A"


# --------------------------------------------------------------------------- titles


@pytest.mark.parametrize(
    ("text", "path", "title"),
    [
        pytest.param("---\ntitle: FM\n---\n# H1\n", "n.md", "FM", id="front-matter-wins"),
        pytest.param("## Two\n# First H1\n# Second\n", "n.md", "First H1", id="first-h1"),
        pytest.param("# Title `#tag`\n", "n.md", "Title", id="h1-cleaned"),
        pytest.param("## Only H2\n", "dir/My Note.md", "My Note", id="file-name"),
        pytest.param("text\n", "dir/Other.MARKDOWN", "Other", id="markdown-suffix"),
        pytest.param("#\n", "x.md", "x", id="empty-h1"),
        pytest.param("---\ntitle: ''\n---\n# H\n", "n.md", "H", id="empty-fm-title"),
    ],
)
def test_title(text: str, path: str, title: str) -> None:
    note = parse(text, path)
    assert note.title == title
    assert all(s.title == title for s in note.sections)
    assert all(s.path == path for s in note.sections)


def test_aliases_come_from_front_matter() -> None:
    assert parse("---\naliases: [One, Two]\n---\n").aliases == ("One", "Two")


# --------------------------------------------------------------------------- links

LINKS_TEXT = """\
# A
See [md](./b.md#Part) and [[Note#H|alias]].
Embed ![[img.png]] and ![alt](pics/p.png)
Auto <https://e.com/#f> and [ext](https://x.org)

## B [[In Heading]]
[up](../../outside.md) [sib](../top.md)
"""


def test_links_with_lines() -> None:
    note = parse(LINKS_TEXT, "dir/n.md")
    a = section(note, "A")
    got = [(ln.kind, ln.raw, ln.line, ln.path, ln.anchor) for ln in a.links]
    assert got == [
        ("markdown", "./b.md#Part", 2, "dir/b.md", "Part"),
        ("wiki", "Note#H|alias", 2, None, "H"),
        ("embed", "img.png", 3, None, None),
        ("embed", "pics/p.png", 3, "dir/pics/p.png", None),
        ("external", "https://e.com/#f", 4, None, None),
        ("external", "https://x.org", 4, None, None),
    ]
    assert a.tags == ()  # '#f' in the autolink is not a tag
    b = note.sections[1]
    assert (b.level, b.line) == (2, 6)
    assert [(ln.kind, ln.raw, ln.line) for ln in b.links] == [
        ("wiki", "In Heading", 6),
        ("markdown", "../../outside.md", 7),
        ("markdown", "../top.md", 7),
    ]
    assert (b.links[1].outside, b.links[1].path) == (True, None)
    assert (b.links[2].outside, b.links[2].path) == (False, "top.md")


def test_link_lines_offset_by_front_matter() -> None:
    note = parse("---\ntitle: T\n---\n# A\n\n[x](y.md)\n[[z]]\n")
    assert [(ln.raw, ln.line) for ln in section(note, "A").links] == [("y.md", 6), ("z", 7)]


def test_links_in_code_are_ignored() -> None:
    note = parse("# A\n`[[notlink]]` and\n```\n[x](y.md) [[w]]\n```\n")
    assert section(note, "A").links == ()


def test_link_line_after_wrapped_code_span() -> None:
    note = parse("# A\n\nSome `code\nspan` and [link](a.md)\n")
    (link,) = section(note, "A").links
    assert link.line == 4


# --------------------------------------------------------------------------- %% bugs


def test_percent_percent_in_code_fences_is_not_a_comment() -> None:
    text = "# T\n```python\n%%time\nx = 1\n```\n## B\n```python\n%%bash\nls\n```\n## C\ntext\n"
    note = parse(text)
    assert [s.heading for s in note.sections] == ["T", "B", "C"]
    assert "%%time" in section(note, "T").text


def test_percent_percent_in_code_spans_is_not_a_comment() -> None:
    note = parse("# A\nUse `%%` for modulo.\n## B\nThe `%%` again.\n")
    assert [s.heading for s in note.sections] == ["A", "B"]


# --------------------------------------------------------------------------- seed note


@pytest.fixture
def seed() -> Note:
    if not SEED.is_file():
        pytest.skip("seed note not present")
    note, diagnostics = parse_note("sagemaker/sagemaker.md", decode(SEED.read_bytes()).text)
    assert diagnostics == []
    return note


def test_seed_note(seed: Note) -> None:
    text = decode(SEED.read_bytes()).text
    assert seed.title == "Amazon SageMaker"
    assert seed.tags == ("core", "important", "hands-on")
    assert_contiguous(seed, text)
    for s in seed.sections:
        assert s.path == "sagemaker/sagemaker.md"
        assert set(s.tags) >= {"core", "important", "hands-on"}

    gotchas = section(seed, "Gotchas")
    assert set(gotchas.tags) == {"gotcha", "core", "important", "hands-on"}
    assert gotchas.level == 2
    assert gotchas.breadcrumb == ("Amazon SageMaker",)
    assert "Training data must be in S3" in gotchas.text

    algos = section(seed, "Built-in Algorithms")
    assert "exam-tip" in algos.tags
    assert algos.level == 3
    assert algos.breadcrumb == ("Amazon SageMaker", "Core Components")
    assert "📖" in algos.text
    assert algos.links[0].path == "sagemaker/sagemaker-hyperparameters.md"

    for sibling in ("SageMaker Studio", "SageMaker Notebooks", "Overview", "Exam Tips"):
        assert "exam-tip" not in section(seed, sibling).tags
        assert "gotcha" not in section(seed, sibling).tags

    assert any("📖" in s.text for s in seed.sections)
    assert not any("ðŸ" in s.text for s in seed.sections)


def test_seed_note_lines_match_file(seed: Note) -> None:
    lines = decode(SEED.read_bytes()).text.split("\n")
    for s in seed.sections:
        if s.level:
            assert lines[s.line - 1].lstrip("#").strip().startswith(s.heading)


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        pytest.param("## S\n**bold**#notatag and `code`#nope\n", (), id="hash-right-after-markup"),
        pytest.param("## S\n**bold** #tag\n", ("tag",), id="hash-after-space-after-markup"),
        pytest.param("## S\nsee (#notatag)\n", (), id="hash-after-parenthesis"),
    ],
)
def test_tag_needs_white_space_before_it(text: str, tags: tuple[str, ...]) -> None:
    assert section(parse(text), "S").tags == tags


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        pytest.param("## See [[Other Note|the other]]\n", "See the other", id="alias"),
        pytest.param("## See [[Other Note]]\n", "See Other Note", id="target"),
    ],
)
def test_wiki_link_in_heading_shows_its_text(text: str, heading: str) -> None:
    note = parse(text)
    assert note.sections[0].heading == heading
    assert note.sections[0].links[0].kind == "wiki"


@pytest.mark.parametrize(
    "text",
    [
        "# T\n\nplain words\nover two lines  \nwith a hard break\n",
        "# T\n\n  indented start\n\ttab line\t\n",
        "# T\n\n| a | b |\n| - | - |\n| plain | cell |\n",
        "# T\n\n- item one\n- item two ^block-id\n\n> quoted plain\n",
        "# T\n\nsome *emphasis* and `code` `#tag`\n\nplain after markup\n",
        "# T\n\nentity &amp; and \\* escape and <b>html</b> and [link](x.md)\n",
        "plain preamble\n\n## Heading without markup\n\nbody\n",
    ],
)
def test_plain_text_fast_path_equals_full_inline_parse(text: str) -> None:
    from notesearch.notes import parse as module

    fast = module._parse("n.md", text, module._markdown(selective=True))
    full = module._parse("n.md", text, module._markdown(selective=False))
    assert fast == full
    assert fast[0].sections  # something was parsed
