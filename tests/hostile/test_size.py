"""Size: a 20 MB note, a single 1 MB line, thousands of headings in one note."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest

from notesearch import build_index, open_index, search
from tests.helpers import write
from tests.hostile.helpers import index_ok, run

LIMIT = 10 * 1024 * 1024  # README: "Notes over 10 MB are skipped with a warning."


def test_20_mb_note_is_skipped_with_one_warning(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    big = notes / "huge.md"
    big.parent.mkdir(parents=True)
    with open(big, "wb") as fh:
        fh.write(b"# Huge\n\nhugeneedle\n")
        chunk = b"lorem ipsum dolor sit amet " * 40_000  # ~1 MB
        for _ in range(20):
            fh.write(chunk)
    assert big.stat().st_size > 2 * LIMIT
    write(notes, "small.md", "# Small\n\nsmallword\n")
    result = index_ok()
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1, warnings
    assert "huge.md" in warnings[0] and "limit" in warnings[0]
    assert "1 note," in result.stderr and "1 skipped" in result.stderr
    assert run("query", "hugeneedle").exit_code == 1
    assert run("query", "smallword", "--format", "paths").stdout == "notes/small.md\n"
    # A second run still leaves it out (and still counts it as skipped).
    again = index_ok()
    assert "1 note," in again.stderr and "1 skipped" in again.stderr
    assert run("query", "hugeneedle").exit_code == 1


def test_size_limit_is_configurable_and_inclusive(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    exact = b"# Exact\n\nexactword " + b"x" * 50 + b"\n"
    write(notes, "exact.md", exact)
    write(notes, "over.md", exact + b"y")
    warned: list[str] = []
    stats = build_index(
        notes, tmp_path / "index", max_bytes=len(exact), on_warning=lambda d: warned.append(str(d))
    )
    assert stats.notes == 1 and stats.skipped == 1
    assert len(warned) == 1 and warned[0].startswith("over.md: ")


def test_note_growing_past_the_limit_after_discovery_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The size checked is the size read, not the size stat() saw."""
    import notesearch.notes.discover as walk_mod  # what build_index walks the notes with

    notes = tmp_path / "notes"
    grower = write(notes, "grow.md", "# Grow\n\ngrowword\n")
    real = walk_mod.discover

    def discover_then_grow(*args, **kwargs):
        found = real(*args, **kwargs)
        with open(grower, "ab") as fh:
            fh.write(b"z" * 5000)
        return found

    monkeypatch.setattr(walk_mod, "discover", discover_then_grow)
    warned: list[str] = []
    stats = build_index(
        notes, tmp_path / "index", max_bytes=1000, on_warning=lambda d: warned.append(str(d))
    )
    assert stats.notes == 0 and stats.skipped == 1
    assert len(warned) == 1 and "grow.md" in warned[0]


def _long_line(needle_at: int, total: int, needle: str, seed: int = 5) -> str:
    rng = random.Random(seed)
    words = ["lorem", "ipsum", "dolor", "sitamet", "consectetur", "adipiscing", "elit"]
    parts: list[str] = []
    size = 0
    placed = False
    while size < total:
        if not placed and size >= needle_at:
            parts.append(needle)
            placed = True
        word = rng.choice(words)
        parts.append(word)
        size += len(word) + 1
    return " ".join(parts)


@pytest.mark.parametrize("where", [0, 500_000, 900_000, 999_000])
def test_one_megabyte_line_snippet_is_short_and_holds_the_match(tmp_path: Path, where: int) -> None:
    line = _long_line(where, 1_000_000, "zanzibarneedle")
    write(tmp_path / "notes", "long.md", f"# Long line\n{line}\n")
    index_ok()
    result = run("query", "zanzibarneedle", "--format", "jsonl")
    assert result.exit_code == 0
    (record,) = [json.loads(x) for x in result.stdout.splitlines()]
    snippet = record["snippet"]
    assert len(snippet) < 400
    assert "\n" not in snippet
    assert "zanzibarneedle" in snippet
    marked = [snippet[h["start"] : h["end"]] for h in record["highlights"]]
    assert marked == ["zanzibarneedle"]
    # vimgrep points at the word, on line 2, at its real column.
    vim = run("query", "zanzibarneedle", "--format", "vimgrep").stdout
    column = line.index("zanzibarneedle") + 1
    assert vim.startswith(f"notes/long.md:2:{column}:")
    assert len(vim) < 600


def test_one_megabyte_line_stemmed_match_far_in(tmp_path: Path) -> None:
    line = _long_line(900_000, 1_000_000, "checkpointing")
    write(tmp_path / "notes", "long.md", f"# Long line\n{line}\n")
    index_ok()
    with open_index(tmp_path / "index", tmp_path / "notes") as idx:
        (hit,) = search(idx, "checkpoints").hits
    text = hit.snippet.text
    assert len(text) < 400
    assert [text[s.start : s.end] for s in hit.snippet.spans] == ["checkpointing"]


def test_one_megabyte_line_match_after_a_false_prefix_hit(tmp_path: Path) -> None:
    filler = "lorem ipsum dolor "
    line = (
        "needlework "
        + filler * (900_000 // len(filler))
        + "the needle is here "
        + filler * (100_000 // len(filler))
    )
    write(tmp_path / "notes", "long.md", f"# Long line\n{line}\n")
    index_ok()
    with open_index(tmp_path / "index", tmp_path / "notes") as idx:
        (hit,) = search(idx, "needle").hits
    text = hit.snippet.text
    assert len(text) < 400
    assert [text[s.start : s.end] for s in hit.snippet.spans] == ["needle"]


def test_one_megabyte_token_without_spaces(tmp_path: Path) -> None:
    write(tmp_path / "notes", "blob.md", "# Blob\n\n" + "Q" * 1_000_000 + " blobneedle tail\n")
    index_ok()
    result = run("query", "blobneedle", "--format", "plain")
    assert result.exit_code == 0
    assert len(result.stdout) < 500
    assert "blobneedle" in result.stdout


@pytest.mark.slow
def test_five_thousand_headings(tmp_path: Path) -> None:
    body = "".join(f"## Heading {i}\n\nbody text {i} sectionword\n\n" for i in range(5000))
    body += "## Same\n\nx\n\n" * 50  # duplicate headings too
    write(tmp_path / "notes", "many.md", "# Many\n\n" + body)
    index_ok()  # finishes (no timing asserted)
    with open_index(tmp_path / "index", tmp_path / "notes") as idx:
        sections = list(idx.sections())
        assert len(sections) == 1 + 5000 + 50
        anchors = [s.anchor for s in sections]
        assert len(set(anchors)) == len(anchors)
        lines = [(s.line, s.end_line) for s in sections]
        assert all(b[0] == a[1] + 1 for a, b in itertools.pairwise(lines))
        (hit,) = search(idx, '"Heading 4321"', per_note=0).hits[:1]
        assert hit.section.heading == "Heading 4321"
        assert hit.section.breadcrumb == ("Many",)
