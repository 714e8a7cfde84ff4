"""The finder tests share an indexed copy of the fixture notes (tests/fixtures/notes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from notesearch.vault import Vault


@pytest.fixture
def indexed(notes: Path, tmp_path: Path) -> tuple[Path, Path]:
    """(notes, index): the fixture notes, indexed in the test's own folder."""
    index = tmp_path / "index"
    Vault(notes, index).refresh()
    return notes, index
