"""``notesearch index`` with nothing to do, answered before the command line is imported.

The shortcut (notesearch.shortcut) must say what the ``index`` command says
when nothing changed, import none of the command line, and leave every other
case (another form, a change, a locked or damaged index, a bad config file)
to the command line untouched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from notesearch import shortcut
from notesearch.engine import store
from notesearch.engine.build import build_index
from notesearch.shortcut import index as index_shortcut
from tests.helpers import write

PARSE = [
    (["index"], ({}, False)),
    (["index", "-q"], ({}, True)),
    (["index", "--quiet"], ({}, True)),
    (["--notes", "a", "index"], ({"notes": "a"}, False)),
    (["--notes=a", "index", "--index", "b"], ({"notes": "a", "index": "b"}, False)),
    (["--notes", "a", "index", "--notes", "b"], ({"notes": "b"}, False)),
    (["index", "--notes", "a", "--notes=b", "-q"], ({"notes": "b"}, True)),
    (["--index", "index", "index"], ({"index": "index"}, False)),
    (["index", "--rebuild"], None),
    (["index", "-j", "2"], None),
    (["index", "--jobs=1"], None),
    (["-q", "index"], None),
    (["index", "--notes"], None),
    (["index", "--notes="], None),
    (["index", "--notes", ""], None),
    (["index", "index"], None),
    (["index", "--quiet=yes"], None),
    (["query", "index"], None),
    ([], None),
    (["--help"], None),
    (["index", "--help"], None),
    (["--color", "never", "index"], None),
    (["--version"], None),
]


@pytest.mark.parametrize(("argv", "expected"), PARSE, ids=[" ".join(a) or "-" for a, _ in PARSE])
def test_only_a_plain_index_command_line_is_taken(
    argv: list[str], expected: tuple[dict[str, str], bool] | None
) -> None:
    assert index_shortcut.parse(argv) == expected


# The process's own entry point, as the console script runs it; prints whether the
# shortcut answered (notesearch.__main__._end ended it) and whether click was imported.
PROBE = """
import json, os, sys
sys.argv = ["notesearch", *sys.argv[1:]]
import notesearch.__main__ as entry
answered, real_end, real_exit = [False], entry._end, os._exit

def end(code):
    answered[0] = True
    real_end(code)

def report(code):
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    heavy = [m for m in ("click", "typing", "dataclasses") if m in sys.modules]
    sys.stderr.write("PROBE " + json.dumps([answered[0], code, heavy]) + "\\n")
    sys.stderr.flush()
    real_exit(code)

entry._end, os._exit = end, report
try:
    entry.run()
except SystemExit as exc:
    report(exc.code if isinstance(exc.code, int) else int(exc.code is not None))
report(0)
"""


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[str, str, list[Any]]:
    """(stdout, stderr without the probe's line, [answered, exit code, heavy modules
    imported: click, typing, dataclasses])."""
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=120,
    )
    lines = proc.stderr.splitlines()
    probe = [line for line in lines if line.startswith("PROBE ")]
    assert probe, proc.stderr
    rest = "".join(f"{line}\n" for line in lines if not line.startswith("PROBE "))
    return proc.stdout, rest, json.loads(probe[-1].removeprefix("PROBE "))


def _summary(stderr: str) -> str:
    """The summary line without its seconds."""
    assert stderr.startswith("notesearch: ") and stderr.endswith("s\n"), stderr
    return stderr.rsplit(" in ", 1)[0]


@pytest.fixture
def indexed(notes: Path, tmp_path: Path) -> Path:
    build_index(notes, tmp_path / "index", jobs=1)
    return tmp_path / "index"


def test_nothing_changed_is_answered_as_the_command_line_answers_it(
    notes: Path, indexed: Path, tmp_path: Path
) -> None:
    live = store.current(indexed)
    out, err, (answered, code, heavy) = _run("index", cwd=tmp_path)
    assert (out, answered, code, heavy) == ("", True, 0, [])
    # --jobs is not the shortcut's: the whole command line answers the same.
    full_out, full_err, (full_answered, full_code, _) = _run("index", "--jobs", "1", cwd=tmp_path)
    assert (full_out, full_answered, full_code) == ("", False, 0)
    assert _summary(err) == _summary(full_err)
    assert " 0 added, 0 updated, 0 removed, 0 renamed, " in err
    assert store.current(indexed) == live  # nothing written


@pytest.mark.parametrize(
    ("args", "env", "stderr"),
    [
        (["index", "-q"], {}, ""),
        (["--notes", "notes", "--index=index", "index"], {}, None),
        (["index", "--notes", "elsewhere", "--notes", "notes"], {}, None),
        (["index"], {"NOTESEARCH_NOTES": "notes", "NOTESEARCH_INDEX": "index"}, None),
    ],
    ids=["quiet", "options before", "the last option wins", "relative variables"],
)
def test_the_forms_it_takes(
    args: list[str], env: dict[str, str], stderr: str | None, indexed: Path, tmp_path: Path
) -> None:
    out, err, (answered, code, heavy) = _run(*args, cwd=tmp_path, env=env)
    assert (out, answered, code, heavy) == ("", True, 0, [])
    if stderr is not None:
        assert err == stderr
    else:
        assert " unchanged, " in _summary(err)


def _edit(notes: Path) -> None:
    path = next(p for p in sorted(notes.rglob("*.md")))
    path.write_text(path.read_text(encoding="utf-8") + "\nmore words\n", encoding="utf-8")


def _add(notes: Path) -> None:
    write(notes, "added/new.md", "# New\n\nfresh words\n")


def _bad_config(notes: Path) -> None:
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "notesearch" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("limit = [\n", encoding="utf-8")


def _damage(notes: Path) -> None:
    index = Path(os.environ["NOTESEARCH_INDEX"])
    gen = store.current(index)
    assert gen is not None
    (gen / "seal.json").write_text("{}", encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (_edit, " 1 updated, "),
        (_add, " 1 added, "),
        (_bad_config, "invalid TOML"),
        (_damage, "rebuild"),
    ],
    ids=["a note edited", "a note added", "a bad config file", "a damaged index"],
)
def test_anything_else_is_left_to_the_command_line(
    change: Any, said: str, notes: Path, indexed: Path, tmp_path: Path
) -> None:
    change(notes)
    live = store.current(indexed)
    assert shortcut.answer(["index"]) is None
    assert store.current(indexed) == live  # the shortcut wrote nothing
    out, err, (answered, _, _) = _run("index", cwd=tmp_path)
    assert (out, answered) == ("", False)
    assert said in err


def test_a_locked_index_is_left_to_the_command_line(indexed: Path) -> None:
    with store.locked(indexed, timeout=1.0):
        assert shortcut.answer(["index"]) is None
    assert shortcut.answer(["index", "-q"]) == 0


def test_no_index_yet_is_left_to_the_command_line(notes: Path, tmp_path: Path) -> None:
    assert shortcut.answer(["index"]) is None
    out, err, (answered, code, _) = _run("index", cwd=tmp_path)
    assert (out, answered, code) == ("", False, 0)
    assert " added, " in err
    assert shortcut.answer(["index", "-q"]) == 0


@pytest.mark.parametrize("stderr", ["closed", "a closed pipe"])
def test_no_stderr_ends_as_the_command_line_ends(
    stderr: str, indexed: Path, tmp_path: Path
) -> None:
    """What the command line does then is its own affair; the shortcut does the same."""

    def run(*args: str) -> int:
        read, write = os.pipe()
        os.close(read)
        try:
            return subprocess.run(
                [sys.executable, "-m", "notesearch", *args],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL if stderr == "closed" else write,
                cwd=tmp_path,
                timeout=120,
                preexec_fn=(lambda: os.close(2)) if stderr == "closed" else None,
            ).returncode
        finally:
            os.close(write)

    assert run("index") == run("index", "--jobs", "1")
