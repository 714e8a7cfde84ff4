"""Enter: the section in the user's editor, by the rules of ``notesearch open``, UI suspended."""

from __future__ import annotations

import os
from typing import Any

from textual.app import App, SuspendNotSupported

from ..editor import editor_command, editor_source, pick_editor, run_editor
from ..errors import NotesearchError
from ..models import Pick


def edit(app: App[Any], pick: Pick) -> str | None:
    """Open ``pick`` in $VISUAL or $EDITOR and wait; what went wrong (one line), or None.

    The app gives the terminal to the editor and takes it back after; under
    a headless driver (tests), which cannot suspend, the editor just runs.
    """
    editor = pick_editor(os.environ)
    if editor is None:
        return "no editor set: set $EDITOR (or $VISUAL), e.g. export EDITOR=vim"
    try:
        argv = editor_command(editor, pick.file, pick.line, pick.column)
    except NotesearchError as exc:
        return exc.one_line()
    failed: list[str] = []

    def run() -> None:
        try:
            run_editor(argv, editor_source(os.environ))
        except NotesearchError as exc:  # caught here: an error must not skip the resume
            failed.append(exc.one_line())

    try:
        with app.suspend():
            run()
    except SuspendNotSupported:
        run()
    return failed[0] if failed else None
