"""Snapshots of folders, to show that notesearch left them byte for byte as they were."""

from __future__ import annotations

import os
from pathlib import Path


def snapshot(folder: Path) -> dict[str, tuple[str, bytes | str]]:
    """Every entry below ``folder``: (kind, content or link target), symlinks not followed."""
    found: dict[str, tuple[str, bytes | str]] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            rel = str(path.relative_to(folder))
            if path.is_symlink():
                found[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                found[rel] = ("dir", "")
            else:
                found[rel] = ("file", path.read_bytes())
    return found


def foreign_folder(folder: Path) -> Path:
    """Someone's folder that happens to look like an index: gen-*, lock, CURRENT."""
    (folder / "gen-important").mkdir(parents=True)
    (folder / "gen-important" / "thesis.txt").write_text("four years of work\n")
    (folder / "lock").write_text("my lock file\n")
    (folder / "CURRENT").write_text("gen-important\n")
    (folder / "gen-000001").mkdir()
    (folder / "gen-000001" / "data.bin").write_bytes(b"\x00\x01")
    return folder
