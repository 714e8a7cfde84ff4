"""`watch`, `open` and `completion`: stdout, stderr and exit codes, asserted separately."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from notesearch.cli import completion as cli_tools
from notesearch.cli.completion import completion_command
from notesearch.cli.open import open_command
from notesearch.cli.watch import watch_command
from notesearch.engine.build import build_index
from notesearch.models import Diagnostic, IndexStats


def invoke(command: click.Command, *args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(command, list(args), env=env, catch_exceptions=False)


NO_EDITOR: dict[str, str | None] = {"VISUAL": None, "EDITOR": None}


@pytest.fixture
def indexed(notes: Path, tmp_path: Path) -> Path:
    build_index(notes, tmp_path / "index")
    return notes


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """subprocess.run replaced: records each argv, and the editor "succeeds"."""
    calls: list[list[str]] = []

    def fake_run(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        assert "shell" not in kwargs or kwargs["shell"] is False
        calls.append(list(argv))
        return subprocess.CompletedProcess(argv, 0)

    monkeypatch.setattr(subprocess, "run", fake_run)
    return calls


# --- help -------------------------------------------------------------------


@pytest.mark.parametrize("command", [watch_command, open_command, completion_command])
def test_help_has_examples(command: click.Command) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert result.stderr == ""


# --- open -------------------------------------------------------------------

QUOKKA = "zebra.md"  # "A note with a rare word: quokka.": line 3, column 26


@pytest.mark.parametrize(
    ("editor", "tail"),
    [
        ("vim", lambda p: ["+3", "--", p]),
        ("nvim", lambda p: ["+3", "--", p]),
        ("emacs -nw", lambda p: ["+3:26", "--", p]),
        ("emacsclient -t", lambda p: ["--", "+3:26", p]),
        ("nano", lambda p: ["--", "+3,26", p]),
        ("micro", lambda p: ["--", "+3:26", p]),
        ("kak", lambda p: ["--", "+3:26", p]),
        ("hx", lambda p: [f"{p}:3:26"]),
        ("code -w", lambda p: ["--goto", "--", f"{p}:3:26"]),
        ("subl", lambda p: ["--", f"{p}:3:26"]),
        ("gedit", lambda p: [p]),
    ],
)
def test_open_runs_the_editor_at_the_hit(
    indexed: Path, ran: list[list[str]], editor: str, tail: Callable[[str], list[str]]
) -> None:
    result = invoke(open_command, "quokka", env={"VISUAL": None, "EDITOR": editor})
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == ""
    path = os.path.abspath(indexed / QUOKKA)
    assert ran == [[*editor.split(), *tail(path)]]


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        # $VISUAL wins over $EDITOR.
        (
            ["quokka"],
            {"VISUAL": "code", "EDITOR": "vim"},
            ["code", "--goto", "--", "zebra.md:3:26"],
        ),
        # --pick N opens the Nth result, in `query` order.
        (["checkpoint"], {"EDITOR": "vim"}, ["vim", "+13", "--", "ml/training.md"]),
        (["checkpoint", "--pick", "2"], {"EDITOR": "vim"}, ["vim", "+6", "--", "ml/training.md"]),
        # Filters are those of `query`.
        (["public", "--tag", "security"], {"EDITOR": "vim"}, ["vim", "+12", "--", "aws/s3.md"]),
        (
            ["training", "--path", "decisions/*"],
            {"EDITOR": "vim"},
            ["vim", "+1", "--", "decisions/adr-016.md"],
        ),
    ],
)
def test_open_choices(
    indexed: Path,
    ran: list[list[str]],
    args: list[str],
    env: dict[str, str | None],
    expected: list[str],
) -> None:
    result = invoke(open_command, *args, env={**NO_EDITOR, **env})
    assert result.exit_code == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")
    *head, last = expected
    assert len(ran) == 1
    assert ran[0][:-1] == head
    assert ran[0][-1] == os.path.abspath(indexed / last)


@pytest.mark.parametrize(
    ("args", "env", "code", "stderr"),
    [
        (
            ["quokka"],
            NO_EDITOR,
            2,
            "notesearch: no editor set: set $EDITOR (or $VISUAL), e.g. export EDITOR=vim\n",
        ),
        (
            ["quokka"],
            {"VISUAL": " ", "EDITOR": ""},
            2,
            "notesearch: no editor set: set $EDITOR (or $VISUAL), e.g. export EDITOR=vim\n",
        ),
        (
            ["nosuchwordanywhere"],
            {"EDITOR": "vim"},
            1,
            "notesearch: nothing matched 'nosuchwordanywhere'\n",
        ),
        (
            ["quokka", "--pick", "2"],
            {"EDITOR": "vim"},
            1,
            "notesearch: --pick 2: only 1 result matched 'quokka'\n",
        ),
        (
            ["quokka"],
            {"EDITOR": "vim 'x"},
            2,
            'notesearch: cannot read the editor command "vim \'x": No closing quotation\n',
        ),
    ],
)
def test_open_errors(
    indexed: Path,
    ran: list[list[str]],
    args: list[str],
    env: dict[str, str | None],
    code: int,
    stderr: str,
) -> None:
    result = invoke(open_command, *args, env={**NO_EDITOR, **env})
    assert result.exit_code == code
    assert result.stdout == ""
    assert result.stderr == stderr
    assert ran == []


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (["quokka", "--pick", "0"], "Invalid value for '-p' / '--pick'"),
        (["(unbalanced"], "notesearch: "),
        ([], "Missing argument 'WORDS...'"),
    ],
)
def test_open_usage_and_query_errors_exit_2(
    indexed: Path, ran: list[list[str]], args: list[str], stderr: str
) -> None:
    result = invoke(open_command, *args, env={"VISUAL": None, "EDITOR": "vim"})
    assert result.exit_code == 2
    assert result.stdout == ""
    assert stderr in result.stderr
    assert ran == []


def test_open_without_an_index(notes: Path, ran: list[list[str]]) -> None:
    result = invoke(open_command, "quokka", env={"EDITOR": "vim"})
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "No index at" in result.stderr
    assert ran == []


@pytest.fixture
def recorder(tmp_path: Path) -> tuple[Path, Path]:
    """A real editor: a script named `vim` that writes its arguments, one per line."""
    folder = tmp_path / "bin"
    folder.mkdir()
    record = tmp_path / "argv.txt"
    script = folder / "vim"
    script.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}"\nexit "${{FAKE_STATUS:-0}}"\n',
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, record


@pytest.mark.parametrize(
    ("status", "code", "stderr"),
    [
        ("0", 0, ""),
        ("3", 2, "notesearch: the editor ($EDITOR) exited with status 3\n"),
    ],
)
def test_open_runs_a_real_editor_without_a_shell(
    indexed: Path, recorder: tuple[Path, Path], status: str, code: int, stderr: str
) -> None:
    script, record = recorder
    result = invoke(
        open_command,
        "quokka",
        env={"VISUAL": None, "EDITOR": f"{script} -u NONE", "FAKE_STATUS": status},
    )
    assert result.exit_code == code
    assert result.stdout == ""
    assert result.stderr == stderr
    path = os.path.abspath(indexed / "zebra.md")
    assert record.read_text(encoding="utf-8").splitlines() == ["-u", "NONE", "+3", "--", path]


def test_open_editor_not_found(indexed: Path) -> None:
    result = invoke(open_command, "quokka", env={"VISUAL": "no-such-editor-here", "EDITOR": None})
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "notesearch: editor not found: no-such-editor-here (from $VISUAL)\n"


def test_open_warns_when_the_index_is_stale(indexed: Path, ran: list[list[str]]) -> None:
    (indexed / "new.md").write_text("# New\n", encoding="utf-8")
    result = invoke(open_command, "quokka", env={"VISUAL": None, "EDITOR": "vim"})
    assert result.exit_code == 0
    assert "the index is out of date (0 changed, 1 new, 0 removed notes)" in result.stderr
    assert len(ran) == 1


# --- watch ------------------------------------------------------------------


def _stats(**counts: Any) -> IndexStats:
    return IndexStats(notes=4, sections=9, written=True, seconds=0.123, **counts)


@pytest.mark.parametrize(
    ("updates", "lines"),
    [
        ([], []),
        ([_stats(updated=1)], ["notesearch: updated: 1 updated, 0 added, 0 removed (0.12 s)"]),
        (
            [_stats(added=2), _stats(removed=1, renamed=1)],
            [
                "notesearch: updated: 0 updated, 2 added, 0 removed (0.12 s)",
                "notesearch: updated: 0 updated, 0 added, 1 removed, 1 renamed (0.12 s)",
            ],
        ),
    ],
)
def test_watch_prints_one_line_per_update_and_stops_on_ctrl_c(
    notes: Path, monkeypatch: pytest.MonkeyPatch, updates: list[IndexStats], lines: list[str]
) -> None:
    from notesearch import watch as watching

    def fake_watch(notes_dir: Path, index_dir: Path, **callbacks: Any) -> None:
        callbacks["on_ready"](_stats(added=4))
        callbacks["on_warning"](Diagnostic("binary file; skipped", "x.md"))
        for stats in updates:
            callbacks["on_update"](stats)
        raise KeyboardInterrupt

    monkeypatch.setattr(watching, "watch", fake_watch)
    result = invoke(watch_command, "--no-serve")  # serving: tests/test_serving.py
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"notesearch: {_stats(added=4).summary()}",
        "notesearch: watching ./notes for changes (Ctrl-C to stop)",
        "notesearch: warning: x.md: binary file; skipped",
        *lines,
        "notesearch: stopped",
    ]


def test_watch_errors_are_one_line_exit_2(tmp_path: Path) -> None:
    result = invoke(watch_command, "--notes", str(tmp_path / "missing"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "notesearch: notes folder ./missing does not exist\n"


@pytest.mark.slow
def test_watch_command_really_watches(notes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real watcher behind the command: stopped from inside, it exits 0."""
    from notesearch import watch as watching

    real_watch = watching.watch

    def watch_once(notes_dir: Path, index_dir: Path, **callbacks: Any) -> None:
        def ready(stats: IndexStats) -> None:
            callbacks["on_ready"](stats)
            (notes_dir / "new.md").write_text("# New\n\nplatypus\n", encoding="utf-8")

        def update(stats: IndexStats) -> None:
            callbacks["on_update"](stats)
            raise KeyboardInterrupt  # as Ctrl-C would, after the first update

        real_watch(notes_dir, index_dir, **{**callbacks, "on_ready": ready, "on_update": update})

    monkeypatch.setattr(watching, "watch", watch_once)
    result = invoke(watch_command)
    assert result.exit_code == 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("notesearch: 4 notes")
    assert lines[2].startswith("notesearch: updated: 0 updated, 1 added, 0 removed (")
    assert lines[-1] == "notesearch: stopped"


# --- completion ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("shell", "markers"),
    [
        ("bash", ["_NOTESEARCH_COMPLETE=bash_complete", "complete -o nosort -F", "notesearch"]),
        ("zsh", ["#compdef notesearch", "_NOTESEARCH_COMPLETE=zsh_complete", "compdef"]),
        (
            "fish",
            ["_NOTESEARCH_COMPLETE=fish_complete", "complete --no-files --command notesearch"],
        ),
    ],
)
def test_completion_prints_the_script(shell: str, markers: list[str]) -> None:
    result = invoke(completion_command, shell)
    assert result.exit_code == 0
    for marker in markers:
        assert marker in result.stdout
    assert result.stdout.endswith("\n") and not result.stdout.endswith("\n\n")
    assert "_notesearch_completion" in result.stdout


def test_completion_rejects_other_shells() -> None:
    result = invoke(completion_command, "powershell")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Invalid value for '{bash|zsh|fish}'" in result.stderr


def test_completion_matches_click_own_script() -> None:
    """Same text as `_NOTESEARCH_COMPLETE=zsh_source notesearch`, so either way works."""
    from click.shell_completion import get_completion_class

    expected = get_completion_class("zsh")(
        click.Command("notesearch"), {}, cli_tools.PROG_NAME, cli_tools.COMPLETE_VAR
    ).source()
    assert invoke(completion_command, "zsh").stdout == expected.rstrip("\n") + "\n"
