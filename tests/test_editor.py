"""The editor command line, per editor family: no shell, paths never read as options."""

from __future__ import annotations

import pytest

from notesearch.editor import EditorError, editor_command, editor_family, pick_editor

NOTE = "/home/me/notes/ml/training.md"


@pytest.mark.parametrize(
    ("editor", "line", "column", "argv"),
    [
        # vi family: +LINE is an option to them, so it goes before `--`; no column.
        ("vi", 12, None, ["vi", "+12", "--", NOTE]),
        ("vim", 12, 5, ["vim", "+12", "--", NOTE]),
        ("nvim", 7, None, ["nvim", "+7", "--", NOTE]),
        ("/usr/bin/nvim", 7, None, ["/usr/bin/nvim", "+7", "--", NOTE]),
        ("gvim -f", 3, None, ["gvim", "-f", "+3", "--", NOTE]),
        ("vim.basic", 3, None, ["vim.basic", "+3", "--", NOTE]),
        ("nvim.appimage", 3, None, ["nvim.appimage", "+3", "--", NOTE]),
        # emacs: +LINE[:COL] before `--` (after it, every word is a file).
        ("emacs", 12, None, ["emacs", "+12", "--", NOTE]),
        ("emacs -nw", 12, 5, ["emacs", "-nw", "+12:5", "--", NOTE]),
        ("emacs-29.1", 12, 5, ["emacs-29.1", "+12:5", "--", NOTE]),
        # emacsclient, nano, micro, kak: +LINE is read among the operands, after `--`.
        ("emacsclient -t", 12, 5, ["emacsclient", "-t", "--", "+12:5", NOTE]),
        ("emacsclient", 12, None, ["emacsclient", "--", "+12", NOTE]),
        ("nano", 12, 5, ["nano", "--", "+12,5", NOTE]),
        ("nano", 12, None, ["nano", "--", "+12", NOTE]),
        ("micro", 12, 5, ["micro", "--", "+12:5", NOTE]),
        ("kak", 12, 5, ["kak", "--", "+12:5", NOTE]),
        ("kak", 12, None, ["kak", "--", "+12", NOTE]),
        # helix: file:line[:col], and no `--` (older releases ignore files after it).
        ("hx", 12, 5, ["hx", f"{NOTE}:12:5"]),
        ("helix", 12, None, ["helix", f"{NOTE}:12"]),
        # VS Code family: --goto, then `--`, then path:line[:col].
        ("code", 12, None, ["code", "--goto", "--", f"{NOTE}:12"]),
        ("code -w", 12, 5, ["code", "-w", "--goto", "--", f"{NOTE}:12:5"]),
        ("code-insiders --wait", 1, 1, ["code-insiders", "--wait", "--goto", "--", f"{NOTE}:1:1"]),
        ("codium", 4, None, ["codium", "--goto", "--", f"{NOTE}:4"]),
        # Sublime Text: `--` then path:line[:col].
        ("subl -w", 12, 5, ["subl", "-w", "--", f"{NOTE}:12:5"]),
        ("subl", 12, None, ["subl", "--", f"{NOTE}:12"]),
        # Unknown editors: just the path (they may take `--` for a file name).
        ("gedit", 12, 5, ["gedit", NOTE]),
        ("my-editor --flag 'two words'", 2, None, ["my-editor", "--flag", "two words", NOTE]),
    ],
)
def test_editor_command_per_family(
    editor: str, line: int, column: int | None, argv: list[str]
) -> None:
    assert editor_command(editor, NOTE, line, column) == argv


@pytest.mark.parametrize(
    ("editor", "path", "argv"),
    [
        ("vim", "-rf.md", ["vim", "+2", "--", "./-rf.md"]),
        ("nano", "+5.md", ["nano", "--", "+2", "./+5.md"]),
        ("kak", "+5", ["kak", "--", "+2", "./+5"]),
        ("hx", "-x.md", ["hx", "./-x.md:2"]),
        ("code", "--help", ["code", "--goto", "--", "./--help:2"]),
        ("gedit", "-s", ["gedit", "./-s"]),
        ("vim", "sub/-x.md", ["vim", "+2", "--", "sub/-x.md"]),
    ],
)
def test_a_path_is_never_an_option(editor: str, path: str, argv: list[str]) -> None:
    assert editor_command(editor, path, 2) == argv


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"VISUAL": "code -w", "EDITOR": "vim"}, "code -w"),
        ({"EDITOR": "vim"}, "vim"),
        ({"VISUAL": "", "EDITOR": "nano"}, "nano"),
        ({"VISUAL": "   ", "EDITOR": "nano"}, "nano"),
        ({"VISUAL": "hx"}, "hx"),
        ({}, None),
        ({"EDITOR": ""}, None),
    ],
)
def test_pick_editor_visual_wins(env: dict[str, str], expected: str | None) -> None:
    assert pick_editor(env) == expected


@pytest.mark.parametrize(
    ("program", "family"),
    [
        ("vim", "vim"),
        ("/opt/homebrew/bin/nvim", "vim"),
        ("NVIM.EXE", "vim"),
        ("emacsclient", "emacsclient"),
        ("code-insiders", "vscode"),
        ("hx", "helix"),
        ("subl", "subl"),
        ("vimdiff-like", None),
        ("gedit", None),
    ],
)
def test_editor_family(program: str, family: str | None) -> None:
    assert editor_family(program) == family


@pytest.mark.parametrize(
    ("editor", "path", "line", "column", "error"),
    [
        ("", NOTE, 1, None, EditorError),
        ("   ", NOTE, 1, None, EditorError),
        ("vim 'unclosed", NOTE, 1, None, EditorError),
        ("vim", "", 1, None, ValueError),
        ("vim", NOTE, 0, None, ValueError),
        ("vim", NOTE, 1, 0, ValueError),
    ],
)
def test_editor_command_errors(
    editor: str, path: str, line: int, column: int | None, error: type[Exception]
) -> None:
    with pytest.raises(error):
        editor_command(editor, path, line, column)
