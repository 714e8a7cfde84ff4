"""Every security test gets its own secret key folder (``XDG_DATA_HOME``) and runs as a user would:
no NOTESEARCH_NOTES or NOTESEARCH_INDEX, so ``./notes`` and ``./index`` are the defaults."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _own_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("NOTESEARCH_INDEX", raising=False)
    monkeypatch.delenv("NOTESEARCH_NOTES", raising=False)
