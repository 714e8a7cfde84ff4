"""Obsidian ``%% comments %%``, blanked out except where they are code.

``%%time`` in a Jupyter cell or `` `%%` `` in a code span is code, not a
comment, so code is masked first by a light scan for fences and code spans.
Each step is one pass over the text (linear time): a regular expression
that backtracks over a long run of backticks took minutes on a 64 KB note
(tests/limits/test_linear_parse.py keeps those notes as regression tests).
"""

from __future__ import annotations

import re

_OBSIDIAN_COMMENT = re.compile(r"%%.*?%%", re.DOTALL)
_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})")
_FENCE_CLOSE_REST = re.compile(r"[`~]*[ \t]*")
_BACKTICKS = re.compile(r"`+")
_NOT_NEWLINE = re.compile(r"[^\n]")


def strip_comments(body: str) -> str:
    """Blank out Obsidian ``%% comments %%`` (keeping line breaks), but not in code."""
    if "%%" not in body:
        return body
    masked = mask_code_spans(mask_fences(body))
    pieces = []
    last = 0
    for match in _OBSIDIAN_COMMENT.finditer(masked):
        pieces.append(body[last : match.start()])
        pieces.append(_blank(match.group(0)))
        last = match.end()
    pieces.append(body[last:])
    return "".join(pieces)


def mask_fences(body: str) -> str:
    """The body with each fenced code block blanked (line breaks kept).

    A fence opens on a line that starts with up to three spaces and three or
    more backticks or tildes and has a line break after it; it closes at the
    first later line of up to three spaces, at least as many of the same
    character, then only backticks, tildes, spaces and tabs; or at the end.
    """
    pieces: list[str] = []
    last = 0
    start = 0
    size = len(body)
    while start < size:
        end = body.find("\n", start)
        if end == -1:
            break  # a last line without a line break opens nothing
        opener = _FENCE_OPEN.match(body, start, end)
        if opener is None:
            start = end + 1
            continue
        fence = opener.group(1)
        close = _fence_close(body, end + 1, fence)
        pieces.append(body[last:start])
        pieces.append(_blank(body[start:close]))
        last = close
        start = close + 1
    pieces.append(body[last:])
    return "".join(pieces)


def _fence_close(body: str, start: int, fence: str) -> int:
    """Where the fence opened just before ``start`` ends: its closing line's end, or the end."""
    size = len(body)
    char = fence[0]
    while start < size:
        end = body.find("\n", start)
        if end == -1:
            end = size
        pos = start
        while pos < end and pos - start < 3 and body[pos] == " ":
            pos += 1
        run = pos
        while run < end and body[run] == char:
            run += 1
        if run - pos >= len(fence) and _FENCE_CLOSE_REST.fullmatch(body, run, end):
            return end
        start = end + 1
    return size


def mask_code_spans(text: str) -> str:
    """The text with each code span replaced by spaces (line breaks too).

    A span opens at a run of backticks, or at any later backtick of that run
    (the run's tail), and closes at the first later run of exactly as many
    backticks; from each run the longest tail that closes is taken. Runs
    are matched from the last to the first, so each run costs its length.
    """
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    if len(runs) < 2:
        return text
    # closing[i]: (opening position, index of the closing run) for run i, if any.
    closing: list[tuple[int, int] | None] = [None] * len(runs)
    nearest: dict[int, int] = {}  # run length -> index of the nearest such run after
    for i in range(len(runs) - 1, -1, -1):
        start, end = runs[i]
        for length in range(end - start, 0, -1):
            j = nearest.get(length)
            if j is not None:
                closing[i] = (end - length, j)
                break
        nearest[end - start] = i
    pieces: list[str] = []
    last = 0
    i = 0
    while i < len(runs):
        found = closing[i]
        if found is None:
            i += 1
            continue
        opening, j = found
        pieces.append(text[last:opening])
        last = runs[j][1]
        pieces.append(" " * (last - opening))
        i = j + 1
    pieces.append(text[last:])
    return "".join(pieces)


def _blank(text: str) -> str:
    """Spaces for the text, keeping its line breaks (same length)."""
    return _NOT_NEWLINE.sub(" ", text)
