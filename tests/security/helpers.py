"""Attack material: a crafted Whoosh table of contents, and ways to run notesearch as a user."""

from __future__ import annotations

import json
import os
import pickle
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from notesearch.cli import cli
from notesearch.engine.store import SCHEMA_VERSION


class Payload:
    """Unpickling this runs ``touch CANARY`` (what a crafted index would do)."""

    def __init__(self, canary: Path) -> None:
        self.canary = canary

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {shlex.quote(str(self.canary))}",))


def crafted_toc(canary: Path) -> bytes:
    """A ``_MAIN_1.toc`` that Whoosh accepts up to the schema, which is the payload."""
    import io

    from whoosh.filedb.structfile import StructFile
    from whoosh.index import _CURRENT_TOC_VERSION
    from whoosh.system import _FLOAT_SIZE, _INT_SIZE, _LONG_SIZE

    buffer = io.BytesIO()
    stream = StructFile(buffer)
    for size in (_INT_SIZE, _LONG_SIZE, _FLOAT_SIZE):
        stream.write_varint(size)
    stream.write_int(-12345)
    stream.write_int(_CURRENT_TOC_VERSION)
    for number in (3, 54, 0):
        stream.write_varint(number)
    stream.write_string(pickle.dumps(Payload(canary), protocol=2))
    stream.write_int(1)
    stream.write_int(0)
    stream.write_pickle([])
    return buffer.getvalue()


def plant_index(index_dir: Path, canary: Path, *, marker: bool = True) -> Path:
    """An index folder as a crafter ships it: CURRENT, gen-000001 with the crafted TOC."""
    gen = index_dir / "gen-000001"
    gen.mkdir(parents=True)
    (index_dir / "CURRENT").write_text("gen-000001\n", encoding="utf-8")
    if marker:
        (index_dir / "NOTESEARCH-INDEX").write_text("a notesearch index\n", encoding="utf-8")
    (gen / "_MAIN_1.toc").write_bytes(crafted_toc(canary))
    (gen / "meta.json").write_text(json.dumps({"schema_version": SCHEMA_VERSION}), encoding="utf-8")
    (gen / "files.json").write_text(json.dumps({"notes": {}}), encoding="utf-8")
    (gen / "stat.json").write_text(
        json.dumps({"notes": {}, "assets": [], "skipped": {}}), encoding="utf-8"
    )
    # A seal that is well formed but made with someone else's key.
    (gen / "seal.json").write_text(
        json.dumps({"version": 1, "files": {}, "mac": "00" * 32}), encoding="utf-8"
    )
    return gen


def invoke(*args: str) -> Result:
    """Run the command line in this process (click's runner)."""
    return CliRunner().invoke(cli, list(args))


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``notesearch ARGS`` in a new process, from ``cwd``, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "notesearch", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )


def one_line(stderr: str) -> str:
    """The one line of stderr (fails when there are more)."""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]
