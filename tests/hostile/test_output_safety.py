"""Output safety: text from notes and file names is data, on every stream and format.

No raw control byte other than rich's own styling (SGR, and OSC 8 links to
the note file) may reach stdout or stderr; markup-looking text prints as
written; JSON stays valid UTF-8 with C1 controls escaped; a closed pipe ends
the run quietly.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import write
from tests.hostile.helpers import (
    BIDI,
    C1_CSI,
    FORMATS,
    MARKUP,
    PAYLOAD,
    index_ok,
    nsub,
    rich_link_targets,
    run,
    subprocess_env,
    unsafe_chars,
)

# A file name cannot hold "/" (so no [link=file:///...] here) or NUL.
EVIL_NAME = "evil \x1b[2J\x1b]0;t\x07\u009b\u202e[bold red]:smile:.md"


def _evil_note(notes: Path) -> Path:
    return write(
        notes,
        EVIL_NAME,
        '---\ntags: [safe, "fm\\e[31mtag"]\n---\n'
        f"# Title {PAYLOAD} #head\x1btag\n\n"
        f"needle {PAYLOAD} #body\x1btag\u009bx\n\n"
        f"## Sub {MARKUP}\n\nneedle again [/] [bold]\n",
    )


@pytest.fixture
def evil(tmp_path: Path) -> Path:
    notes = tmp_path / "notes"
    _evil_note(notes)
    write(notes, "clean.md", "# Clean\n\nneedle in a clean note\n")
    index_ok()
    return notes


@pytest.mark.parametrize("color", ["always", "never"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_no_raw_control_bytes_in_any_format(evil: Path, fmt: str, color: str) -> None:
    result = run("query", "needle", "--format", fmt, "--color", color, "--all")
    assert result.exit_code == 0, result.stderr
    out = result.stdout_bytes.decode("utf-8")  # strict: valid UTF-8
    assert unsafe_chars(out) == [], out
    assert unsafe_chars(result.stderr_bytes) == [], result.stderr
    # The only hyperlinks are rich's own, to the note files.
    for url in rich_link_targets(out):
        if url:
            assert url.startswith("file://"), url
    if fmt in ("rich", "plain", "vimgrep"):
        # Visible escapes instead of the raw sequences; markup as written.
        assert "\\x1b" in out
        assert "[bold red]" in out
        assert ":smile:" in out and "😄" not in out
    if fmt == "paths":
        assert "\\x1b" in out


@pytest.mark.parametrize("fmt", ["rich", "plain", "vimgrep"])
def test_markup_in_notes_prints_literally(evil: Path, fmt: str) -> None:
    result = run("query", "again", "--format", fmt, "--color", "always")
    assert result.exit_code == 0, result.stderr
    out = result.stdout_bytes.decode("utf-8")
    assert "[link=file:///etc/passwd]x[/link]" in out
    assert "[/] [bold]" in out  # an unmatched [/] is text, not a MarkupError
    assert "😄" not in out


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_json_is_valid_utf8_and_escapes_c1(evil: Path, fmt: str) -> None:
    result = run("query", "needle", "--format", fmt, "--all")
    assert result.exit_code == 0
    raw = result.stdout_bytes
    assert b"\xc2\x9b" not in raw  # U+009B never raw
    assert b"\xe2\x80\xae" not in raw  # nor U+202E
    assert b"\x1b" not in raw and b"\x7f" not in raw
    assert b"\\u009b" in raw
    text = raw.decode("utf-8")
    records = (
        json.loads(text) if fmt == "json" else [json.loads(line) for line in text.splitlines()]
    )
    evil_records = [r for r in records if r["path"] == EVIL_NAME]
    assert evil_records, "the evil note is found and its path round-trips exactly"
    # The data is kept exactly; only its encoding is safe.
    assert any(C1_CSI in r["text"] and BIDI in r["text"] for r in evil_records)
    assert any(MARKUP in r["text"] for r in evil_records)


def test_export_is_safe(evil: Path) -> None:
    result = run("export")
    assert result.exit_code == 0
    assert b"\xc2\x9b" not in result.stdout_bytes and b"\x1b" not in result.stdout_bytes
    for line in result.stdout_bytes.decode("utf-8").splitlines():
        json.loads(line)


def test_index_warnings_name_evil_files_safely(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    # Invalid UTF-8 (cp1252 fallback), NUL bytes, a malformed front matter:
    # one warning each, naming a file whose name is an attack.
    write(notes, "a\x1b]0;t\x07\u202e.md", b"caf\xe9 \x93quoted\x94\n")
    write(notes, "b\nnew\x1b[2J.md", b"bin\x00ary\n")
    write(notes, "c\u009b\t.md", "---\ntitle: [unclosed\n---\ntext\n")
    result = index_ok()
    assert unsafe_chars(result.stderr_bytes) == [], result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 4, lines  # three warnings, one summary
    assert sum("warning:" in line for line in lines) == 3
    assert any("\\x1b" in line and "cp1252" in line for line in lines)
    assert any("NUL" in line for line in lines)
    assert any("malformed front matter" in line for line in lines)


@pytest.mark.parametrize(
    "query",
    [
        "needle \x1b]0;pwned\x07 (",
        'unclosed "\x1b[2J',
        "titel:\u009bx",
        "AND \u202eevil",
    ],
)
def test_query_errors_echo_the_query_safely(evil: Path, query: str) -> None:
    result = run("query", query)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert unsafe_chars(result.stderr_bytes) == [], result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("tag", ["a\x1bb", "\x1b]0;t\x07", "x\u202ey"])
def test_tag_warnings_and_errors_are_safe(evil: Path, tag: str) -> None:
    result = run("query", "needle", "--tag", tag)
    assert result.exit_code in (1, 2)
    assert unsafe_chars(result.stderr_bytes) == [], result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("tail", ["\x1b]0;pwned\x07", "\u009b2J", "\u202eevil"])
def test_did_you_mean_is_sanitized(evil: Path, tail: str) -> None:
    # Words are OR-ed, so a tail word that the evil note holds ("pwned", "2J")
    # finds it; the echoed query must be safe either way.
    result = run("query", f"neeedle {tail}")
    assert result.exit_code in (0, 1)
    if result.exit_code == 1:
        assert "Did you mean" in result.stderr
    assert unsafe_chars(result.stderr_bytes) == [], repr(result.stderr)


def test_correct_flag_message_is_sanitized(evil: Path) -> None:
    result = run("query", "neeedle \x1b]0;pwned\x07", "--correct", "--format", "plain")
    assert unsafe_chars(result.stderr_bytes) == [], repr(result.stderr)
    assert unsafe_chars(result.stdout_bytes) == []


def test_click_usage_errors_are_safe(evil: Path) -> None:
    for args in (
        ["\x1b]0;pwned\x07"],
        ["query", "x", "--format", "\x1b[2J"],
        ["query", "x", "--limit", "\u009b"],
        ["query", "x", "--bogus\x1b[2J"],
    ):
        result = run(*args)
        assert result.exit_code == 2
        assert unsafe_chars(result.stderr_bytes) == [], repr(result.stderr)


@pytest.mark.parametrize("fmt", FORMATS)
def test_newline_and_tab_in_file_names_stay_on_one_line(tmp_path: Path, fmt: str) -> None:
    notes = tmp_path / "notes"
    write(notes, "two\nlines\tand tab.md", "# T\n\nlinebreakword\n")
    index_ok()
    result = run("query", "linebreakword", "--format", fmt)
    assert result.exit_code == 0
    out = result.stdout_bytes.decode("utf-8")
    assert unsafe_chars(out) == []
    if fmt == "json":
        assert json.loads(out)[0]["path"] == "two\nlines\tand tab.md"
    elif fmt == "jsonl":
        assert len(out.splitlines()) == 1
        assert json.loads(out)["path"] == "two\nlines\tand tab.md"
    elif fmt == "rich":
        assert "linebreakword" in out
    else:
        assert len(out.splitlines()) == 1


@pytest.mark.parametrize(
    "fmt",
    [
        pytest.param(
            "plain",
        ),
        pytest.param(
            "vimgrep",
        ),
        pytest.param(
            "rich",
        ),
        "paths",
        "jsonl",
    ],
)
def test_control_characters_in_paths_are_escaped_not_folded(tmp_path: Path, fmt: str) -> None:
    notes = tmp_path / "notes"
    write(notes, "new\nline.md", "# A\n\nsharedword alpha\n")
    write(notes, "new line.md", "# B\n\nsharedword beta\n")
    index_ok()
    shown = {}
    for word in ("alpha", "beta"):
        result = run("query", word, "--format", fmt, "--color", "never")
        assert result.exit_code == 0
        first = result.stdout.splitlines()[0]
        shown[word] = first.split(":")[0] if fmt != "jsonl" else json.loads(first)["path"]
    assert shown["alpha"] != shown["beta"], shown


PIPE_CASES = {
    "plain": ["query", "pipeword", "--all", "--per-note", "0", "--format", "plain"],
    "jsonl": ["query", "pipeword", "--all", "--per-note", "0", "--format", "jsonl"],
    "json": ["query", "pipeword", "--all", "--per-note", "0", "--format", "json"],
    "vimgrep": ["query", "pipeword", "--all", "--per-note", "0", "--format", "vimgrep"],
    "paths": ["query", "pipeword", "--all", "--per-note", "0", "--format", "paths"],
    "rich": ["query", "pipeword", "--all", "--format", "rich", "--color", "always"],
    "export": ["export"],
}


@pytest.fixture(scope="module")
def pipe_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """1,000 notes: every format prints far more than a pipe buffer (64 KB)."""
    root = tmp_path_factory.mktemp("pipes")
    notes, index = root / "notes", root / "index"
    filler = "lorem ipsum dolor sit amet consectetur adipiscing elit " * 8
    for i in range(1000):
        write(notes, f"folder-with-a-long-name/n{i:04d}.md", f"# Note {i}\n\npipeword {filler}\n")
    proc = nsub("index", "-q", "--notes", str(notes), "--index", str(index), cwd=root)
    assert proc.returncode == 0, proc.stderr
    return notes, index


def _head_1(
    tmp_path: Path, corpus: tuple[Path, Path], args: list[str], reader: str = "head -1"
) -> tuple[int, str, list[str]]:
    """Run ``notesearch ARGS | READER``: (notesearch's exit status, its stderr, stdout lines)."""
    notes, index = corpus
    where = ["--notes", str(notes), "--index", str(index)]
    command = " ".join(
        [f"'{sys.executable}'", "-m", "notesearch", *(f"'{a}'" for a in [*args, *where])]
    )
    script = f"{command} 2>err.txt | {reader} > out.txt; echo ${{PIPESTATUS[0]}}"
    proc = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=subprocess_env(),
    )
    status = int(proc.stdout.strip())
    err = (tmp_path / "err.txt").read_text()
    return status, err, (tmp_path / "out.txt").read_text().splitlines()


def _cases(names: list[str]) -> list:
    return list(names)


@pytest.mark.slow
@pytest.mark.parametrize("case", _cases(list(PIPE_CASES)))
def test_closed_pipe_ends_quietly(
    tmp_path: Path, pipe_corpus: tuple[Path, Path], case: str
) -> None:
    status, err, lines = _head_1(tmp_path, pipe_corpus, PIPE_CASES[case])
    assert err == "", err  # no BrokenPipeError traceback, no "Exception ignored"
    assert len(lines) == 1
    assert status == 0  # results were printed: not 1 ("nothing matched")


@pytest.mark.slow
@pytest.mark.parametrize("case", _cases(["plain", "jsonl", "rich", "export"]))
def test_pipe_closed_before_the_first_write(
    tmp_path: Path, pipe_corpus: tuple[Path, Path], case: str
) -> None:
    # `| true` closes the pipe before the first write: EPIPE every time.
    status, err, _ = _head_1(tmp_path, pipe_corpus, PIPE_CASES[case], reader="true")
    assert err == ""
    assert status == 0


def test_real_terminal_run_is_safe(tmp_path: Path) -> None:
    """A real process (not CliRunner) with forced color: same guarantees."""
    notes = tmp_path / "notes"
    _evil_note(notes)
    assert nsub("index", "-q").returncode == 0
    proc = nsub("query", "needle", "--color", "always", "--format", "rich")
    assert proc.returncode == 0, proc.stderr
    assert unsafe_chars(proc.stdout) == []
    assert unsafe_chars(proc.stderr) == []
