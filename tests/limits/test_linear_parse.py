"""Parsing in linear time: the one-pass scans give what the old expressions gave.

The old implementations are copied here as the reference; hypothesis feeds
both the same random text. The pathological notes that took the old code
minutes are kept as regression tests, each parsed in a child process with a
generous time limit (a hang guard, not a speed test: bench/pathological.py
has the timings).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from notesearch.notes import comments, escapes, inline, parse
from notesearch.notes.parse import parse_note
from tests.limits.reference import (
    old_escaped_wiki,
    old_mask_code_spans,
    old_mask_fences,
    old_strip_comments,
)

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "notesearch-limits-hypothesis")

SETTINGS = settings(
    max_examples=100,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# -- random text built from the pieces these scans care about -------------------------

CODE_PIECES = ["`", "``", "```", "````", "~~~", "~", " ", "   ", "    ", "\t", "\n", "%%", "%"]
CODE_PIECES += ["a", "x y", "\\", "#", "-->"]
WIKI_PIECES = ["\\[\\[", "\\]\\]", "[[", "]]", "\\[", "\\]", "[", "]", "\\", "n", "a b", "|"]
WIKI_PIECES += ["\n", " ", "!", "`", "%%", "#t", "\\#t"]

code_text = st.lists(st.sampled_from(CODE_PIECES), max_size=40).map("".join)
wiki_text = st.lists(st.sampled_from(WIKI_PIECES), max_size=40).map("".join)
any_text = st.text(alphabet="`~% \t\n\\[]#a!|", max_size=60)


@SETTINGS
@given(st.one_of(code_text, any_text))
def test_fences_are_masked_as_before(text: str) -> None:
    assert comments.mask_fences(text) == old_mask_fences(text)


@SETTINGS
@given(st.one_of(code_text, any_text))
def test_code_spans_are_masked_as_before(text: str) -> None:
    assert comments.mask_code_spans(text) == old_mask_code_spans(text)


@SETTINGS
@given(st.one_of(code_text, any_text))
def test_comments_are_stripped_as_before(text: str) -> None:
    assert comments.strip_comments(text) == old_strip_comments(text)


def _link_names(names: frozenset[str]) -> frozenset[str]:
    """The names a wiki link can have (inline._WIKI): the only ones ever asked about."""
    return frozenset(n for n in names if not set(n) & set("[]\n"))


@SETTINGS
@given(st.one_of(wiki_text, any_text))
def test_escaped_wiki_links_are_found_as_before(raw: str) -> None:
    assert escapes.escaped_wiki(raw) == _link_names(old_escaped_wiki(raw))


@pytest.mark.parametrize(
    "raw",
    [
        "\\[\\[n\\]\\]",
        "\\[\\[n\\]\\] [[n]]",
        "[[\\[\\[n\\]\\]n]]",  # taking the escaped link out leaves [[n]]
        "[\\[\\[n\\]\\][n]]",
        "[\\[\\[n\\]\\]\\[\\[n\\]\\][n]]",  # two touching cuts
        "[[n\\[\\[n\\]\\]]]",
        "[[\\[\\[n\\]\\]",
        "\\[\\[ \\[\\[a\\]\\]",  # the first opening swallows the second
        "\\[\\[a\\\\]\\]",  # a name that ends in a backslash
        "\\[\\[a\nb\\]\\] \\[\\[c\\]\\]",
        "\\[\\[\\]\\]\\]\\]",
    ],
)
def test_escaped_wiki_edge_cases(raw: str) -> None:
    assert escapes.escaped_wiki(raw) == _link_names(old_escaped_wiki(raw))


@pytest.mark.slow
@settings(SETTINGS, max_examples=3_000)
@given(st.one_of(code_text, wiki_text, any_text))
def test_every_scan_as_before_on_many_more_texts(text: str) -> None:
    """The four checks above at once, on many more texts (the full suite's run)."""
    assert comments.mask_fences(text) == old_mask_fences(text)
    assert comments.mask_code_spans(text) == old_mask_code_spans(text)
    assert comments.strip_comments(text) == old_strip_comments(text)
    assert escapes.escaped_wiki(text) == _link_names(old_escaped_wiki(text))


NOTE_PIECES = CODE_PIECES + WIKI_PIECES + ["# H", "- ", "> ", "<div>", "<a id=x>", "[a](<a b>)"]
note_text = st.lists(st.sampled_from(NOTE_PIECES), max_size=50).map("".join)


@settings(SETTINGS, max_examples=60)
@given(note_text)
def test_notes_parse_as_before(text: str) -> None:
    new = parse_note("n.md", text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parse, "strip_comments", old_strip_comments)
        patch.setattr(inline, "escaped_wiki", old_escaped_wiki)
        old = parse_note("n.md", text)
    assert new == old


# -- the notes that took minutes: now parsed at once ---------------------------------

PARSE = (
    "import sys\n"
    "from notesearch.notes.parse import parse_note\n"
    "note, _ = parse_note('n.md', sys.stdin.read())\n"
    "print(len(note.sections), sum(len(s.links) for s in note.sections))\n"
)

# Each at a size where the old code took minutes (bench/pathological.py).
PATHOLOGICAL = {
    # _CODE_SPAN backtracked over the run from each of its backticks: 73 s at 64 KB.
    "comment-and-backticks": "%%\n" + "`" * 256_000,
    # the fence expression rescanned a last line without a line break per backtick.
    "comment-and-fence-line": "%%\n" + "~" * 512_000,
    # one replace over the paragraph per escaped link: 231 s at 575 KB.
    "escaped-wiki-links": "\\[\\[n\\]\\] " * 60_000,
    "distinct-escaped-wiki-links": "".join(f"\\[\\[n{i}\\]\\] " for i in range(50_000)),
    # every opening scanned to the end of the line for a closing.
    "escaped-wiki-openings": "\\[\\[" * 100_000,
    # every '<' of an HTML block scanned to its end for a '>'.
    "html-without-close": "<div>\n" + "<a id=x " * 150_000,
    # every percent-encoded link target searched for over the whole paragraph.
    "encoded-link-targets": "".join(f"[a](<a b{i}>) " for i in range(80_000)),
}


@pytest.mark.slow
@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_note_is_parsed_without_hanging(text: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PARSE],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,  # the old code: minutes; the new one: seconds, under any load
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()
