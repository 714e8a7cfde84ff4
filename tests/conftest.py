"""Shared fixtures: every test runs in its own temporary folder (helpers: tests/helpers.py).

The autouse fixture moves the working folder and the NOTESEARCH_* variables
to a temporary path, so no test can read or write the user's ./notes or
./index.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import (  # noqa: F401  (re-exported for older imports)
    BUNDLED_NOTES,
    CORPUS,
    FIXTURES,
    REPO,
    query_into_closed_pipe,
    until,
    write,
)


def _snapshot(folder: Path) -> list[tuple[str, int, int]]:
    return sorted(
        (str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    )


# Nor may the tests make or read the user's key for sealing indexes: one key
# for the whole session (module fixtures build indexes before any test's own
# environment is set), in a folder of its own; subprocesses inherit it.
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="ns-data-")
atexit.register(shutil.rmtree, os.environ["XDG_DATA_HOME"], ignore_errors=True)


@pytest.fixture(autouse=True)
def _repo_untouched() -> Iterator[None]:
    """Fail any test that writes the project's own ./index or ./notes."""
    before = (_snapshot(REPO / "index"), _snapshot(BUNDLED_NOTES))
    yield
    assert (_snapshot(REPO / "index"), _snapshot(BUNDLED_NOTES)) == before, (
        "a test touched the real ./index or ./notes"
    )


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NOTESEARCH_INDEX", str(tmp_path / "index"))
    monkeypatch.setenv("NOTESEARCH_NOTES", str(tmp_path / "notes"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("NOTESEARCH_NO_SERVER", raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    # The user's own ~/.config/notesearch/config.toml must not change any test.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    # Nor may a running `notesearch watch` answer a test's queries, or a test's
    # watch serve the user's. A short folder: a socket path has at most 107 bytes.
    runtime = tempfile.mkdtemp(prefix="ns-run-", dir="/tmp" if os.path.isdir("/tmp") else None)
    monkeypatch.setenv("XDG_RUNTIME_DIR", runtime)
    yield
    shutil.rmtree(runtime, ignore_errors=True)


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/notes in the test's own folder."""
    target = tmp_path / "notes"
    shutil.copytree(FIXTURES / "notes", target)
    return target


@pytest.fixture
def bundled(tmp_path: Path) -> Path:
    """A copy of the bundled sample notes (the README's demo)."""
    target = tmp_path / "notes"
    shutil.copytree(BUNDLED_NOTES, target)
    return target


@pytest.fixture
def corpus() -> Path:
    """The real Obsidian help vault beside the project; skips when absent."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpora/obsidian-help-en is not present")
    return CORPUS
