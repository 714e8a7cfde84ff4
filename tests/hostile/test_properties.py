"""Property-based tests: the parser, the decoder, the sanitizer and the query path."""

from __future__ import annotations

import io
import itertools
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from notesearch import QuerySyntaxError, build_index, open_index, search, suggest
from notesearch.errors import UnreadableNoteError
from notesearch.models import Hit, SearchResult, Section, Snippet
from notesearch.notes import parse as parse_module
from notesearch.notes.front_matter import split
from notesearch.notes.parse import parse_note
from notesearch.notes.read import decode
from notesearch.printers import make_printer
from notesearch.sanitize import clean, clean_line
from tests.helpers import write
from tests.hostile.helpers import UNSAFE, run

# Hypothesis keeps caches in ./.hypothesis by default: keep them out of the repository.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "notesearch-hostile-hypothesis")

SETTINGS = settings(
    max_examples=250,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

MARKDOWN_PIECES = [
    "#", "# ", "## H", "###### six", "####### seven", "\n", "\n\n", "---", "===", "...",
    "```", "~~~", "    ", "%%", "<!--", "-->", "[[", "]]", "[a](", ")", "`", "#tag",
    "\\#", "text", " ", "\t", "> ", "- ", "1. ", "title: x", "tags: [a, b]", "<div>",
    "</div>", "|a|b|\n|-|-|", "![i](x.png)", "^block", "é", "<a name='x'>", "*", "_",
    "[x]: http://e.com", "\ufeff", "\x0c", "\x85", "\u2028", "\x1b[2J", "\u202e",
]  # fmt: skip
markdown = st.lists(st.sampled_from(MARKDOWN_PIECES), max_size=40).map("".join)
any_text = markdown | st.text(max_size=300)


def _total_lines(text: str) -> int:
    return text.count("\n") + (0 if text.endswith("\n") or not text else 1)


@SETTINGS
@given(any_text)
def test_parse_note_never_raises(text: str) -> None:
    parse_note("n.md", text)
    parse_note("n.md", "---\n" + text)


# Plain-text pieces: words, spaces, line ends, punctuation that is not markup.
PLAIN_PIECES = [
    "word",
    "Wort",
    "é",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    ".",
    ",",
    ":",
    "-",
    "(x)",
    "^id",
]
plain_or_markdown = st.lists(st.sampled_from(PLAIN_PIECES + MARKDOWN_PIECES), max_size=40).map(
    "".join
)


@SETTINGS
@given(plain_or_markdown | any_text)
def test_skipping_inline_parsing_of_plain_text_changes_nothing(text: str) -> None:
    """The fast path (no inline parse where no markup can be) gives the same note."""
    selective, full = (
        parse_module._markdown(selective=True),
        parse_module._markdown(selective=False),
    )
    for variant in (text, "# Title\n\n" + text, "- " + text, "> " + text):
        assert parse_module._parse("n.md", variant, selective) == parse_module._parse(
            "n.md", variant, full
        )
    parse_note("n.md", "---\ntitle: t\n---\n" + text)


@SETTINGS
@given(any_text)
def test_section_ranges_are_ordered_and_contiguous(text: str) -> None:
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # what read.decode hands over
    note, _ = parse_note("n.md", text)
    sections = note.sections
    body_line = split(text).body_line
    for section in sections:
        assert body_line <= section.line <= section.end_line
    for before, after in itertools.pairwise(sections):
        assert after.line == before.end_line + 1
    if sections:
        assert sections[-1].end_line == max(_total_lines(text), sections[-1].line)
    anchors = [s.anchor for s in sections if s.level > 0]
    assert len(anchors) == len(set(anchors))


@SETTINGS
@given(st.binary(max_size=300))
def test_decode_never_raises_anything_unexpected(data: bytes) -> None:
    try:
        decoded = decode(data)
    except UnreadableNoteError:
        return
    assert "\r" not in decoded.text
    assert "\x00" not in decoded.text


@SETTINGS
@given(st.text(max_size=200))
def test_sanitizer_leaves_no_unsafe_character(text: str) -> None:
    assert UNSAFE.search(clean(text)) is None
    line = clean_line(text)
    assert UNSAFE.search(line) is None
    assert "\n" not in line


@SETTINGS
@given(
    path=st.text(min_size=1, max_size=40), heading=st.text(max_size=40), body=st.text(max_size=80)
)
def test_line_printers_print_one_safe_line_per_hit(path: str, heading: str, body: str) -> None:
    path = path.encode("utf-8", "replace").decode("utf-8")  # names reach us as valid str
    section = Section(
        path=path,
        title="t",
        heading=heading,
        level=1,
        breadcrumb=("crumb",),
        anchor="a",
        line=1,
        end_line=2,
        tags=("x",),
        links=(),
        text=body,
    )
    result = SearchResult(
        query="q", hits=(Hit(section, 1.0, Snippet(text=body, line=1, column=1), 1),)
    )
    for fmt in ("plain", "vimgrep", "paths"):
        out = io.StringIO()
        printer = make_printer(fmt, out, io.StringIO(), color=False)
        printer.hits(result)
        printer.close()
        text = out.getvalue()
        assert text.count("\n") == 1 and text.endswith("\n"), (fmt, text)
        assert UNSAFE.search(text[:-1]) is None, (fmt, text)


QUERY_PIECES = [
    "a", "b", "spot", "training", " ", '"', "(", ")", "*", "?", "~", "~2", "^", "^2", ":",
    "-", "+", "!", "&", "|", "\\", "/", "[", "]", "{", "}", "<", ">", "=", "'", "#",
    "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO", "title:", "tag:", "path:", "link:",
    "heading:", "body:", "titel:", "file:", "[a TO b]", "{a TO}", "é", "\x00", "\x1b",
    "\u202e", "\n", "\t", "0", "9", "ADR-016", "aws/s3", "std::vector", "2026-01-01",
]  # fmt: skip
queries = st.lists(st.sampled_from(QUERY_PIECES), max_size=12).map("".join) | st.text(max_size=40)


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("query-prop")
    notes, index = root / "notes", root / "index"
    write(notes, "aws/s3.md", "# S3\n\nspot training checkpoint #aws/s3 [[Other]] ADR-016\n")
    write(notes, "b.md", "# Other\n\n## Spot\n\nsagemaker training 2026-01-01 std::vector\n")
    build_index(notes, index)
    return notes, index


@pytest.mark.slow
@SETTINGS
@given(text=queries)
def test_any_query_gives_results_or_one_line_syntax_error(
    small_index: tuple[Path, Path], text: str
) -> None:
    notes, index = small_index
    with open_index(index, notes) as idx:
        try:
            result = search(idx, text, limit=5)
        except QuerySyntaxError as exc:
            message = str(exc) + (f" {exc.hint}" if exc.hint else "")
            assert message.strip()
            assert "\n" not in message
            return
        for hit in result.hits:
            assert hit.section.path in ("aws/s3.md", "b.md")
        if not result.hits:
            suggest(idx, text)  # what the CLI does next: must not raise either


@settings(
    max_examples=60,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=queries.filter(lambda q: UNSAFE.search(q) is None))  # see test_output_safety
def test_cli_query_never_tracebacks(small_index: tuple[Path, Path], text: str) -> None:
    notes, index = small_index
    args = ["--notes", str(notes), "--index", str(index), "--format", "plain"]
    result = run("query", *args, "--", text)  # "--": a query may start with "-"
    assert result.exit_code in (0, 1, 2), result.stderr
    assert "Traceback" not in result.stderr
    assert UNSAFE.search(result.stderr.replace("\n", "")) is None, repr(result.stderr)
    if result.exit_code == 2:
        assert result.stderr.count("\n") == 1, result.stderr
