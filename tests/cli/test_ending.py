"""A query process ends as soon as its answer is flushed (no interpreter teardown):
what it prints, and its exit code, are those of the same query run in process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from notesearch.cli import cli
from tests.helpers import write


@pytest.fixture
def indexed(notes: Path) -> Path:
    result = CliRunner().invoke(cli, ["index"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return notes


def _process(*args: str) -> tuple[int, str, str]:
    env = {**os.environ, "NOTESEARCH_NO_SERVER": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "notesearch", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    return proc.returncode, proc.stdout, proc.stderr


def _in_process(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env={"NOTESEARCH_NO_SERVER": "1"})
    return result.exit_code, result.stdout, result.stderr


CASES = {
    "found": ("query", "training", "--format", "plain", "--all"),
    "found, jsonl": ("query", "training", "--format", "jsonl", "--all"),
    "nothing found": ("query", "zzyzxnothing", "--format", "plain"),
    "a query error": ("query", "tag:", "--format", "plain", "--tag", "("),
}


@pytest.mark.parametrize("name", list(CASES), ids=str)
def test_the_process_prints_what_the_query_prints_in_process(indexed: Path, name: str) -> None:
    code, out, err = _process(*CASES[name])
    assert (code, out, err) == _in_process(*CASES[name])
    assert code == {"found": 0, "found, jsonl": 0, "nothing found": 1}.get(name, 2)


def test_a_warning_on_stderr_and_the_hits_on_stdout_both_arrive(indexed: Path) -> None:
    write(indexed, "zz-new-note.md", "# New\n\ntraining again\n")  # not indexed yet
    code, out, err = _process("query", "training", "--format", "plain")
    assert code == 0
    assert out.count("\n") >= 1 and out.endswith("\n")
    assert err == (
        "notesearch: warning: the index is out of date (0 changed, 1 new, 0 removed notes); "
        "run `notesearch index` or pass --refresh\n"
    )
