"""Helpers the tests share (fixtures are in conftest.py)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpora" / "obsidian-help-en"
BUNDLED_NOTES = REPO / "notes"


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
