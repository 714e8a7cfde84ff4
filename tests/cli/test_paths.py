"""Printed paths open from the working folder, as ripgrep's do (issue: paths from any folder).

A note below the working folder is printed relative to it, any other note
absolute; ``--absolute`` prints every path absolute; JSON keeps ``path`` (the
note's id, relative to the notes folder) and adds ``file`` (absolute).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from notesearch.cli import cli
from notesearch.paths import PathDisplay
from tests.helpers import write


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp/home/guide (notes) with tmp/home/guide-index, and a sibling folder tmp/elsewhere."""
    notes = tmp_path / "home" / "guide"
    write(notes, "sub/deep.md", "# Deep\n\n## Spot\n\nspot training saves money\n")
    write(notes, "top.md", "# Top\n\nnothing about spot training here\n")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.setenv("NOTESEARCH_NOTES", str(notes))
    monkeypatch.setenv("NOTESEARCH_INDEX", str(tmp_path / "home" / "guide-index"))
    assert run("index", "-q").exit_code == 0
    return notes


WHERE = [
    # (working folder, relative to tmp; how sub/deep.md is printed, "{abs}" = absolute)
    ("home", "guide/sub/deep.md"),
    ("home/guide", "sub/deep.md"),
    ("home/guide/sub", "deep.md"),
    ("elsewhere", "{abs}"),
]


@pytest.mark.parametrize(("cwd", "expected"), WHERE, ids=[w[0] for w in WHERE])
@pytest.mark.parametrize("fmt", ["paths", "plain", "vimgrep", "rich"])
def test_paths_are_printed_from_the_working_folder(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cwd: str, expected: str, fmt: str
) -> None:
    monkeypatch.chdir(tmp_path / cwd)
    result = run("query", "spot training", "--format", fmt, "--color", "never", "-n", "1")
    assert result.exit_code == 0
    assert result.stderr.startswith("1 section in ") if fmt == "rich" else result.stderr == ""
    shown = expected.replace("{abs}", str(vault / "sub" / "deep.md"))
    first = result.stdout.splitlines()[0]
    assert first == shown if fmt == "paths" else first.startswith(shown + ":")
    # The printed path opens from here.
    assert Path(first.split(":")[0]).is_file()


@pytest.mark.parametrize("cwd", ["home", "elsewhere"])
def test_absolute_prints_every_path_absolute(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cwd: str
) -> None:
    monkeypatch.chdir(tmp_path / cwd)
    result = run("query", "spot training", "-l", "--absolute")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [str(vault / "sub" / "deep.md"), str(vault / "top.md")]


def test_null_separated_paths_follow_the_same_rule(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path / "home")
    result = run("query", "spot training", "-l", "-0")
    assert result.stdout == "guide/sub/deep.md\0guide/top.md\0"


@pytest.mark.parametrize("cwd", ["home/guide/sub", "elsewhere"])
def test_json_keeps_the_note_id_and_adds_the_file(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cwd: str
) -> None:
    monkeypatch.chdir(tmp_path / cwd)
    records = [json.loads(x) for x in run("query", "spot", "--format", "jsonl").stdout.splitlines()]
    assert (records[0]["path"], records[0]["file"]) == (
        "sub/deep.md",
        str(vault / "sub" / "deep.md"),
    )
    exported = [json.loads(x) for x in run("export").stdout.splitlines()]
    assert {r["file"] for r in exported} == {str(vault / "sub/deep.md"), str(vault / "top.md")}


def test_links_and_orphans_print_paths_from_here(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(vault, "top.md", "# Top\n\nsee [deep](sub/deep.md)\n")
    monkeypatch.chdir(tmp_path / "home")
    assert run("index", "-q").exit_code == 0
    back = run("links", "sub/deep.md", "--backlinks", "--format", "plain")
    assert back.stdout.splitlines()[0].split("\t")[0] == "guide/top.md"
    orphans = run("links", "--orphans", "--format", "plain")
    assert orphans.stdout == "guide/top.md\n"


@pytest.mark.parametrize(
    ("root", "cwd", "path", "absolute", "expected"),
    [
        ("notes", "/w", "a/b.md", False, "notes/a/b.md"),
        ("/w/notes", "/w/notes/a", "a/b.md", False, "b.md"),
        ("/v", "/w", "a/b.md", False, "/v/a/b.md"),
        ("../v", "/w/x", "b.md", False, "/w/v/b.md"),
        ("notes", "/w", "b.md", True, "/w/notes/b.md"),
        ("/w/notes-2", "/w/notes", "b.md", False, "/w/notes-2/b.md"),  # a prefix is not a parent
    ],
)
def test_path_display_rule(root: str, cwd: str, path: str, absolute: bool, expected: str) -> None:
    display = PathDisplay(root, cwd, absolute=absolute)
    assert display.shown(path) == expected
    assert display.file(path) == os.path.normpath(os.path.join(cwd, root, path))
