"""Shared fixtures: every test runs in its own temporary folder.

The autouse fixture moves the working folder and the NOTESEARCH_* variables
to a temporary path, so no test can read or write the user's ./notes or
./index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpora" / "obsidian-help-en"
BUNDLED_NOTES = REPO / "notes"


def _snapshot(folder: Path) -> list[tuple[str, int, int]]:
    return sorted(
        (str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    )


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


def until(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``check`` every 50 ms until it holds or ``timeout`` seconds pass."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.05)
    return check()


def query_into_closed_pipe(consumer: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``notesearch query training --all | CONSUMER``, with the query's exit status
    as the last line of stdout (``status=N``)."""
    return subprocess.run(
        [
            "bash",
            "-c",
            f"{sys.executable} -m notesearch query training --per-note 0 --all | {consumer}"
            '; echo "status=${PIPESTATUS[0]}"',
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def write(root: Path, rel: str, text: str | bytes) -> Path:
    """Write a note (creating folders); bytes are written as they are."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path
