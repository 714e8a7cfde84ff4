"""Messages: the hint is its own sentence, every command a hint suggests works, doctor
tells "no index yet" from "damaged", and configuration paths mean what they say."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from notesearch.cli import cli
from notesearch.errors import NotesearchError
from tests.helpers import write

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def indexed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    notes = tmp_path / "notes"
    write(notes, "spot.md", "# Spot\n\n`#gotcha`\n\nspot training\n")
    write(notes, "fm-only.md", "---\ntitle: Lambda Layers\naliases: [layers]\ntags: [aws]\n---\n")
    assert run("index", "-q").exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("NOTESEARCH_NOTES", str(notes))
    return notes


@pytest.mark.parametrize(
    ("message", "hint", "line"),
    [
        ("no note 'x' in the index", "Closest: y.", "no note 'x' in the index. Closest: y."),
        ("empty query", "Give some words.", "empty query. Give some words."),
        ("done.", "Next.", "done. Next."),
        ("plain", None, "plain"),
    ],
)
def test_the_hint_is_its_own_sentence(message: str, hint: str | None, line: str) -> None:
    assert NotesearchError(message, hint=hint).one_line() == line


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["show", "nosuchnote"], "in the index. List the notes with `notesearch query 'path:*'"),
        (["query", "titel:spot"], "of query 'titel:spot'. Did you mean title:?"),
        (["query", " "], "empty query. Give some words"),
    ],
)
def test_errors_put_the_hint_after_the_message(
    indexed: Path, args: list[str], expected: str
) -> None:
    result = run(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert expected in result.stderr and result.stderr.count("\n") == 1


def test_the_command_a_hint_suggests_works(indexed: Path) -> None:
    hint = run("show", "nosuchnote").stderr
    command = hint.split("`")[1]
    assert command.startswith("notesearch query")
    listed = run(*shlex.split(command)[1:])
    assert listed.exit_code == 0
    assert sorted(Path(p).name for p in listed.stdout.splitlines()) == ["fm-only.md", "spot.md"]


def test_doctor_tells_no_index_from_damage(tmp_path: Path) -> None:
    missing = run("doctor", "--index", str(tmp_path / "no-index-here"))
    assert (missing.exit_code, missing.stdout) == (2, "")
    assert (
        missing.stderr == "notesearch: No index at ./no-index-here. Run `notesearch index` first.\n"
    )


@pytest.mark.parametrize(
    ("query", "extra"),
    [("lambda layers", []), ("layers", []), ("lambda", ["--tag", "aws"])],
)
def test_a_note_of_front_matter_alone_is_found(indexed: Path, query: str, extra: list[str]) -> None:
    result = run("query", query, "-l", "--absolute", *extra)
    assert result.stdout.splitlines() == [str(indexed / "fm-only.md")]


def test_config_paths_are_relative_to_their_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("NOTESEARCH_NOTES")
    monkeypatch.delenv("NOTESEARCH_INDEX")
    write(home, "vault/a.md", "# A\n\nplatypus\n")
    config = tmp_path / "xdg-config" / "notesearch"
    write(config, "config.toml", 'notes = "~/vault"\nindex = "../../indexes/vault"\n')
    write(home / "vault", ".notesearch.toml", 'index = ".ix"\n')
    work = tmp_path / "somewhere" / "else"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    shown = tomllib.loads(run("config").stdout)
    # the notes folder's own file wins over the user's, and is relative to the notes folder
    assert shown["notes"] == str(home / "vault")
    assert shown["index"] == str(home / "vault" / ".ix")
    assert run("index", "-q").exit_code == 0
    assert (home / "vault" / ".ix").is_dir() and not (work.parent / ".ix").exists()
    (home / "vault" / ".notesearch.toml").unlink()
    shown = tomllib.loads(run("config").stdout)
    assert shown["index"] == str(tmp_path / "indexes" / "vault")  # from config.toml's folder
    assert run("index", "-q").exit_code == 0
    assert (tmp_path / "indexes" / "vault").is_dir()
    found = run("query", "platypus", "-l")
    assert found.stdout == f"{home / 'vault' / 'a.md'}\n"


def test_home_variable_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    write(tmp_path / "xdg-config" / "notesearch", "config.toml", 'notes = "$HOME/notes"\n')
    monkeypatch.delenv("NOTESEARCH_NOTES")
    shown = tomllib.loads(run("config").stdout)
    assert shown["notes"] == os.path.join(str(tmp_path / "home"), "notes")


def _wrapped_ctrl_c() -> BaseException:
    """A Ctrl-C while a class is created, as Python 3.11 hands it on."""
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as inner:
            raise RuntimeError("Error calling __set_name__ on 'Field' instance 'notes'") from inner
    except RuntimeError as outer:
        return outer


def _cause_cycle() -> BaseException:
    first, second = ValueError("first"), ValueError("second")
    first.__cause__, second.__cause__ = second, first
    return first


@pytest.mark.parametrize(
    ("exc", "line", "code"),
    [
        (KeyboardInterrupt(), "interrupted", 130),
        (_wrapped_ctrl_c(), "interrupted", 130),
        (RuntimeError("boom"), "unexpected RuntimeError: boom.", 2),
        (_cause_cycle(), "unexpected ValueError: first.", 2),
    ],
)
def test_a_ctrl_c_python_wrapped_is_still_a_ctrl_c(
    exc: BaseException, line: str, code: int
) -> None:
    from notesearch.printers.messages import describe

    message, exit_code = describe(exc)
    assert message.startswith(line)
    assert exit_code == code
