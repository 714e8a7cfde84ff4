"""How paths are compared and shown: the one containment rule, the one display rule."""

from __future__ import annotations

import os
from pathlib import Path


def within(root_real: str, path_real: str) -> bool:
    """True when ``path_real`` is ``root_real`` or below it (both real paths)."""
    return path_real == root_real or path_real.startswith(root_real.rstrip(os.sep) + os.sep)


def display(path: Path) -> str:
    """How a folder is named in messages: relative to the working folder when below it."""
    try:
        rel = path.resolve().relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return str(path)
    return "./" + str(rel) if str(rel) != "." else "."
