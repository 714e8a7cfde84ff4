"""The real program in a real terminal (tmux): start, type, read the screen, Enter, the editor."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from notesearch.vault import Vault
from tests.finder.helpers import fake_editor

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def _screen(tmux: list[str]) -> str:
    return subprocess.run(
        [*tmux, "capture-pane", "-p", "-t", "finder"], capture_output=True, text=True, check=True
    ).stdout


def _until(tmux: list[str], check: str, timeout: float = 15.0) -> str:
    end = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < end:
        screen = _screen(tmux)
        if check in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{check!r} never appeared on the screen:\n{screen}")


def test_find_in_tmux(notes: Path, tmp_path: Path) -> None:
    Vault(notes, tmp_path / "index").refresh()
    record = fake_editor(tmp_path / "bin")
    socket = f"ns-{os.getpid()}-{time.monotonic_ns()}"
    tmux = ["tmux", "-L", socket, "-f", os.devnull]
    command = shlex.join([sys.executable, "-m", "notesearch", "find"])
    env = {**os.environ, "VISUAL": str(tmp_path / "bin" / "vim"), "TERM": "xterm-256color"}
    done = tmp_path / "status"
    shell = f"{command}; echo $? > {shlex.quote(str(done))}"
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "finder", "-x", "120", "-y", "35", "-c", str(tmp_path),
         shell],
        env=env, check=True,
    )  # fmt: skip
    try:
        _until(tmux, "F1 keys")
        subprocess.run(
            [*tmux, "send-keys", "-t", "finder", "-l", "spot training #gotcha"], check=True
        )
        screen = _until(tmux, "1 section ·")
        assert "notes/ml/training.md:5  Model Training › Spot Training" in screen
        assert "Spot training requires checkpointing" in screen  # the preview, too
        assert len(screen.splitlines()[0]) <= 120
        subprocess.run([*tmux, "send-keys", "-t", "finder", "Enter"], check=True)
        for _ in range(150):
            if record.exists():
                break
            time.sleep(0.1)
        assert record.read_text().splitlines() == ["+5", "--", str(notes / "ml" / "training.md")]
        _until(tmux, "1 section ·")  # back after the editor
        subprocess.run([*tmux, "send-keys", "-t", "finder", "Escape"], check=True)
        for _ in range(100):
            if done.exists() and done.read_text().strip():
                break
            time.sleep(0.1)
        assert done.read_text().strip() == "0"
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True, check=False)
