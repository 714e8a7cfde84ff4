"""A folder nested 1,000 levels deep: one warning, skipped; every other note indexed.

The walk keeps its own stack, so no depth reaches Python's recursion limit;
folders more than ``MAX_DEPTH`` levels down are skipped with one warning.
The tree is made and removed here without deep paths: ``os.makedirs`` and
``shutil.rmtree`` recurse once per level, and every deep path costs a lookup
per level.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from notesearch.cli import cli
from notesearch.notes.discover import MAX_DEPTH, discover
from tests.conftest import write

LEVELS = 1000


def _chain(root: Path, levels: int, notes: dict[int, str]) -> None:
    """``root/d/d/...``, ``levels`` deep, with ``notes[k]`` as ``nK.md`` at depth k.

    Built from the bottom up, wrapping the chain in one new folder at a time,
    so that no step resolves a long path (each ``mkdir`` of a deep path would).
    """
    root.mkdir(parents=True, exist_ok=True)
    top, wrap = root / "d", root / "wrap"
    for depth in range(levels, 0, -1):
        if depth == levels:
            top.mkdir()
        else:
            wrap.mkdir()
            os.rename(top, wrap / "d")
            os.rename(wrap, top)
        if depth in notes:
            (top / f"n{depth}.md").write_text(notes[depth], encoding="utf-8")


def _remove_chain(root: Path) -> None:
    """Remove the chain from the top, lifting what is below one level at a time."""
    top, lifted = root / "d", root / "lifted"
    while top.is_dir():
        for entry in os.scandir(top):
            if not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.path)
        if (top / "d").is_dir():
            os.rename(top / "d", lifted)
            os.rmdir(top)
            os.rename(lifted, top)
        else:
            os.rmdir(top)


def _deep(levels: int) -> str:
    """The relative path of the folder ``levels`` deep in the chain."""
    return "/".join(["d"] * levels)


@pytest.fixture
def deep_notes(tmp_path: Path) -> Iterator[Path]:
    """Notes at sane depths beside a 1,000-level chain with notes along it."""
    root = tmp_path / "notes"
    write(root, "top.md", "# Top\n\nshallowword\n")
    write(root, "z/last.md", "# Last\n\nshallowword after the chain\n")
    depths = (1, 100, MAX_DEPTH, MAX_DEPTH + 1, LEVELS)
    _chain(root, LEVELS, {depth: f"# N{depth}\n\ndeepword\n" for depth in depths})
    yield root
    _remove_chain(root)


@pytest.mark.slow
def test_a_too_deep_folder_is_one_warning_and_the_rest_is_found(deep_notes: Path) -> None:
    found = discover(deep_notes)
    # Depth first in name order, as the recursive walk went: d/ sorts before n1.md.
    assert [n.path for n in found.notes] == [
        f"{_deep(MAX_DEPTH)}/n{MAX_DEPTH}.md",
        f"{_deep(100)}/n100.md",
        f"{_deep(1)}/n1.md",
        "top.md",
        "z/last.md",
    ]
    assert [(w.message, w.path) for w in found.warnings] == [
        ("folder nested too deep; skipped", _deep(MAX_DEPTH + 1))
    ]


@pytest.mark.slow
def test_index_and_query_survive_a_1000_level_folder(deep_notes: Path) -> None:
    runner = CliRunner()
    built = runner.invoke(cli, ["index"], catch_exceptions=False)
    assert built.exit_code == 0, built.output
    assert built.stderr.count("folder nested too deep; skipped") == 1
    assert _deep(MAX_DEPTH + 1) in built.stderr
    found = runner.invoke(cli, ["query", "deepword shallowword", "--format", "paths"])
    assert found.exit_code == 0, found.output
    names = sorted(line.rsplit("/", 1)[-1] for line in found.stdout.splitlines())
    assert names == ["last.md", "n1.md", "n100.md", f"n{MAX_DEPTH}.md", "top.md"]


def test_a_folder_at_the_limit_is_walked(tmp_path: Path) -> None:
    root = tmp_path / "notes"
    _chain(root, MAX_DEPTH, {MAX_DEPTH: "x\n"})
    try:
        found = discover(root)
        assert [n.path for n in found.notes] == [f"{_deep(MAX_DEPTH)}/n{MAX_DEPTH}.md"]
        assert found.warnings == []
    finally:
        _remove_chain(root)
