"""A plain ``notesearch query``, answered without the command line (notesearch.shortcut.query).

Each form it takes must print what the ``query`` command prints, byte for
byte on stdout and stderr, with the same exit code, without importing
click; every other form must be left to the command line untouched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from notesearch.engine.build import build_index
from notesearch.shortcut import query as query_shortcut
from tests.helpers import write

PARSE: list[tuple[list[str], Any]] = [
    (["query", "spot"], ({}, (), False, ["spot"])),
    (["query", "spot", "training"], ({}, (), False, ["spot", "training"])),
    (["query", "spot", "--tag", "gotcha"], ({}, ("gotcha",), False, ["spot"])),
    (["query", "--tag=a", "x", "--tag", "b"], ({}, ("a", "b"), False, ["x"])),
    (["query", "x", "-l"], ({}, (), True, ["x"])),
    (["query", "x", "--files"], ({}, (), True, ["x"])),
    (["query", "x", "-n", "3"], ({"limit": "3"}, (), False, ["x"])),
    (["query", "x", "--limit=3", "--limit", "4"], ({"limit": "4"}, (), False, ["x"])),
    (["query", "x", "-f", "json"], ({"format": "json"}, (), False, ["x"])),
    (["query", "x", "--format=vimgrep"], ({"format": "vimgrep"}, (), False, ["x"])),
    (["--notes", "a", "query", "x"], ({"notes": "a"}, (), False, ["x"])),
    (["--notes", "a", "query", "x", "--notes", "b"], ({"notes": "b"}, (), False, ["x"])),
    (["--color", "never", "query", "x"], ({"color": "never"}, (), False, ["x"])),
    (["query", "x", "--color", "always"], ({"color": "always"}, (), False, ["x"])),
    (["query", "query", "index"], ({}, (), False, ["query", "index"])),
    (["query", "a=b"], ({}, (), False, ["a=b"])),
    # left to the command line
    (["query"], None),
    (["query", "--tag", "gotcha"], None),
    (["query", "x", "-n", "0"], None),
    (["query", "x", "-n", "x"], None),
    (["query", "x", "-n", "+3"], None),
    (["query", "x", "-n3"], None),
    (["query", "x", "-f", "xml"], None),
    (["query", "x", "--color", "sometimes"], None),
    (["query", "x", "--tag"], None),
    (["query", "x", "--tag="], None),
    (["query", "x", "--tag", "-a"], None),
    (["query", "-x"], None),
    (["query", "--", "-x"], None),
    (["query", "x", "-"], None),
    (["query", "x", "--all"], None),
    (["query", "x", "--explain"], None),
    (["query", "x", "-lf", "json"], None),
    (["query", "x", "--files=yes"], None),
    (["query", "x", "--help"], None),
    (["-l", "query", "x"], None),
    (["--tag", "a", "query", "x"], None),
    (["index"], None),
    (["find", "x"], None),
    ([], None),
]


@pytest.mark.parametrize(("argv", "expected"), PARSE, ids=[" ".join(a) or "-" for a, _ in PARSE])
def test_only_a_plain_query_command_line_is_taken(argv: list[str], expected: Any) -> None:
    assert query_shortcut.parse(argv) == expected


# Run a command line through the process's entry point (the shortcut first) or straight
# through the command line, and report on stderr whether click was imported.
PROBE = """
import json, os, sys
entry, sys.argv = sys.argv[1], ["notesearch", *sys.argv[2:]]
real_exit = os._exit

def report(code):
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    sys.stderr.write("PROBE " + json.dumps([code, "click" in sys.modules]) + "\\n")
    sys.stderr.flush()
    real_exit(code)

os._exit = report
if entry == "shortcut":
    from notesearch.__main__ import run
else:
    from notesearch.cli import run
try:
    run()
except SystemExit as exc:
    report(exc.code if isinstance(exc.code, int) else int(exc.code is not None))
report(0)
"""


def _run(entry: str, *args: str, cwd: Path, env: dict[str, str]) -> tuple[str, str, int, bool]:
    """(stdout, stderr without the probe's line, exit code, click imported)."""
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, entry, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **env},
        timeout=120,
    )
    lines = proc.stderr.splitlines(keepends=True)
    probe = [line for line in lines if line.startswith("PROBE ")]
    assert probe, proc.stderr
    code, click = json.loads(probe[-1].removeprefix("PROBE "))
    assert code == proc.returncode
    rest = "".join(line for line in lines if not line.startswith("PROBE "))
    return proc.stdout, rest, code, click


@pytest.fixture
def indexed(notes: Path, tmp_path: Path) -> Path:
    build_index(notes, tmp_path / "index", jobs=1)
    return tmp_path / "index"


def _config(tmp_path: Path, text: str) -> dict[str, str]:
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "notesearch" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return {}


def _notes_file(tmp_path: Path, text: str) -> dict[str, str]:
    write(tmp_path / "notes", ".notesearch.toml", text)
    return {}


# (command line, setup -> extra environment, whether the shortcut answers it)
SAME: dict[str, tuple[list[str], Any, bool]] = {
    "words": (["query", "spot", "training"], None, True),
    "a tag": (["query", "training", "--tag", "gotcha"], None, True),
    "two tags": (["query", "training", "--tag", "ml", "--tag", "exam-tip"], None, True),
    "an unknown tag": (["query", "training", "--tag", "gotch"], None, True),
    "paths": (["query", "training", "-l"], None, True),
    "json": (["query", "training", "--format", "json", "-n", "2"], None, True),
    "jsonl": (["query", "training", "-f", "jsonl"], None, True),
    "vimgrep": (["query", "checkpoints", "--format=vimgrep"], None, True),
    "plain, colour always": (
        ["query", "training", "--format", "plain", "--color", "always"],
        None,
        True,
    ),
    "nothing found": (["query", "xylophone"], None, True),
    "a typo": (["query", "spot", "trainnig"], None, True),
    "a syntax error": (["query", "spot", "AND", "("], None, True),
    "a phrase": (["query", '"spot training"'], None, True),
    "folders before": (["--notes", "notes", "--index", "index", "query", "quokka"], None, True),
    "no index there": (["query", "training", "--index", "nowhere"], None, True),
    "no notes there": (["--notes", "nowhere", "query", "training"], None, True),
    "format and limit from the config file": (
        ["query", "training"],
        lambda t: _config(t, 'format = "jsonl"\nlimit = 1\n'),
        True,
    ),
    "a format no command knows, in the config file": (
        ["query", "training"],
        lambda t: _config(t, 'format = "table"\n'),
        False,
    ),
    "the command line over the config file": (
        ["query", "training", "--format", "paths", "--limit", "2"],
        lambda t: _config(t, 'format = "jsonl"\nlimit = 1\n'),
        True,
    ),
    "the notes folder's file": (
        ["query", "training"],
        lambda t: _notes_file(t, 'format = "paths"\n'),
        True,
    ),
    "a bad config file": (["query", "training"], lambda t: _config(t, "limit = [\n"), False),
    "another option": (["query", "training", "--all"], None, False),
    "a changed note": (
        ["query", "quokka"],
        lambda t: (write(t / "notes", "zebra.md", "# Zebra\n\nquokka, edited\n"), {})[1],
        True,
    ),
    "relative variables": (
        ["query", "training"],
        lambda t: {"NOTESEARCH_NOTES": "notes", "NOTESEARCH_INDEX": "index"},
        True,
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SAME), ids=str)
def test_each_form_is_answered_as_the_command_line_answers_it(
    name: str, indexed: Path, tmp_path: Path
) -> None:
    argv, setup, taken = SAME[name]
    env = {"NOTESEARCH_NO_SERVER": "1"}
    if setup is not None:
        env.update(setup(tmp_path) or {})
    out, err, code, click = _run("shortcut", *argv, cwd=tmp_path, env=env)
    cli_out, cli_err, cli_code, _ = _run("cli", *argv, cwd=tmp_path, env=env)
    assert (out, err, code) == (cli_out, cli_err, cli_code)
    assert click is not taken  # answered without click, or left to the command line


def test_a_closed_pipe_ends_quietly(notes: Path, tmp_path: Path) -> None:
    for i in range(200):
        write(notes, f"many/n{i:03}.md", f"# Training {i}\n\ntraining words {i}\n" * 5)
    build_index(notes, tmp_path / "index", jobs=1)
    proc = subprocess.run(
        [
            "bash",
            "-c",
            f"{sys.executable} -m notesearch query training --limit 500 -l | head -c 1 >/dev/null"
            '; echo "status=${PIPESTATUS[0]}"',
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "NOTESEARCH_NO_SERVER": "1"},
        timeout=120,
    )
    assert proc.stdout.strip().splitlines()[-1] == "status=0"
    assert proc.stderr == ""


def test_a_closed_stdout_is_one_line_as_from_the_command_line(
    indexed: Path, tmp_path: Path
) -> None:
    """Started with stdout closed (``>&-``): left to the command line, one line, exit 2."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "notesearch", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            env={**os.environ, "NOTESEARCH_NO_SERVER": "1"},
            preexec_fn=lambda: os.close(1),
            timeout=120,
        )

    plain, other = run("query", "training"), run("query", "training", "--all")
    assert (plain.returncode, plain.stderr) == (other.returncode, other.stderr)
    assert plain.returncode == 2
    assert len(plain.stderr.splitlines()) == 1, plain.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_is_one_line_as_from_the_command_line(indexed: Path, tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        with open("/dev/full", "w") as full:
            return subprocess.run(
                [sys.executable, "-m", "notesearch", *args],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                cwd=tmp_path,
                env={**os.environ, "NOTESEARCH_NO_SERVER": "1"},
                timeout=120,
            )

    plain, other = run("query", "training"), run("query", "training", "--all")
    assert (plain.returncode, plain.stderr) == (other.returncode, other.stderr)
    assert plain.returncode == 2
    assert "No space left on device" in plain.stderr and len(plain.stderr.splitlines()) == 1
