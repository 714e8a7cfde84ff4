"""Fixtures of the engine's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from notesearch.engine.build import build_index
from notesearch.engine.reader import Index, open_index


@pytest.fixture
def fixture_index(notes: Path, tmp_path: Path) -> Iterator[Index]:
    """The fixture notes, indexed and open."""
    build_index(notes, tmp_path / "index")
    index = open_index(tmp_path / "index", notes)
    yield index
    index.close()
