"""Helpers of the finder tests: an indexed copy of the fixture notes, the app, a fake editor."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path
from typing import Any

from notesearch.finder.app import FinderApp
from notesearch.finder.preview import Preview
from notesearch.finder.results import ResultList
from notesearch.live import Session
from notesearch.paths import PathDisplay
from notesearch.vault import Vault

SIZE = (120, 35)


def make_app(notes: Path, index: Path, limit: int = 10, **options: Any) -> FinderApp:
    """The finder over ``notes``, paths shown from the folder above them; quick timers."""
    session = Session(Vault(notes, index), limit=limit)
    options = {"debounce": 0.01, "poll": 0.1, "stale_every": 0.5, **options}
    return FinderApp(session, PathDisplay(str(notes), str(notes.parent)), **options)


async def settle(app: FinderApp, pilot: Any, timeout: float = 5.0) -> None:
    """Wait until the newest query's answer is shown."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    await pilot.pause(0.03)
    while app.shown != app.number and loop.time() < end:
        await pilot.pause(0.02)
    await pilot.pause()
    assert app.shown == app.number, "no answer shown"


def results(app: FinderApp) -> list[str]:
    """The result list's options as plain text, one string each."""
    return app.query_one(ResultList).texts()


def preview(app: FinderApp) -> str:
    return app.query_one("#preview", Preview).text


def fake_editor(folder: Path) -> Path:
    """A program named vim (so it gets ``+LINE -- PATH``) that writes its arguments to a file."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "vim"
    record = folder / "args"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {record}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return record


async def type_text(pilot: Any, text: str) -> None:
    """Type ``text`` key by key, as a user does."""
    await pilot.press(*text)
