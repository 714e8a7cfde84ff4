"""Shared helpers for the hostile suite: running the CLI, checking output bytes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from notesearch.cli import cli

FORMATS = ("rich", "plain", "jsonl", "json", "paths", "vimgrep")

# Terminal payloads that must never reach a terminal raw. The CSI is not an
# SGR on purpose (clear screen): SGR sequences are what rich itself emits.
CSI = "\x1b[2J\x1b[H"
SGR = "\x1b[31m"
OSC_TITLE = "\x1b]0;pwned\x07"
OSC8 = "\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\"
OSC52 = "\x1b]52;c;cHduZWQ=\x07"
DCS = "\x1bPq#0;2;0;0;0\x1b\\"
C1_CSI = "\u009b2J"
DEL = "\x7f"
BIDI = "\u202e"
MARKUP = "[bold red]loud[/] [link=file:///etc/passwd]x[/link] [/] :smile:"
PAYLOAD = " ".join([CSI, SGR, OSC_TITLE, OSC8, OSC52, DCS, C1_CSI, DEL, BIDI + "txt", MARKUP])

# What rich emits for styling: SGR, and OSC 8 hyperlinks that always carry an id.
_RICH_SGR = re.compile("\x1b\\[[0-9;]*m")
_RICH_LINK = re.compile("\x1b\\]8;id=[0-9]+;[^\x1b\x07]*\x1b\\\\")
_RICH_LINK_END = re.compile("\x1b\\]8;;\x1b\\\\")
# Raw characters that must not appear in output: C0 controls but newline (and
# NUL with -0), DEL, C1 controls, bidi controls, line/paragraph separators.
UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
    """The CLI in-process; an exception other than SystemExit fails the test."""
    return CliRunner().invoke(cli, list(args), env=env, input=input, catch_exceptions=False)


def nsub(
    *args: str, timeout: float = 60, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``python -m notesearch ARGS`` in a real process (real stdio, real signals)."""
    return subprocess.run(
        [sys.executable, "-m", "notesearch", *args],
        capture_output=True,
        timeout=timeout,
        cwd=cwd or os.getcwd(),
        env=subprocess_env(),
    )


def subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env["LC_ALL"] = "C.UTF-8"  # strict UTF-8 stdio, as on a normal desktop
    env.pop("PYTHONIOENCODING", None)
    env.pop("PYTHONUTF8", None)
    return env


def strip_rich(text: str) -> str:
    """Remove the SGR and hyperlink sequences rich emits for styling."""
    for pattern in (_RICH_LINK, _RICH_LINK_END, _RICH_SGR):
        text = pattern.sub("", text)
    return text


def unsafe_chars(data: bytes | str, *, allow_nul: bool = False) -> list[str]:
    """Raw control characters left in output after rich's own sequences are removed.

    ``data`` as bytes must be valid UTF-8 (decoded strictly).
    """
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    text = strip_rich(text)
    found = UNSAFE.findall(text)
    if allow_nul:
        found = [ch for ch in found if ch != "\x00"]
    return found


def rich_link_targets(text: str) -> list[str]:
    """The URLs of every OSC 8 hyperlink opened in ``text``."""
    return re.findall("\x1b\\]8;[^;\x1b\x07]*;([^\x1b\x07]*)(?:\x1b\\\\|\x07)", text)


def index_ok(*extra: str) -> Result:
    result = run("index", *extra)
    assert result.exit_code == 0, result.stderr
    return result
