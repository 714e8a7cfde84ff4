"""Choose a short window of a section's text around its matches.

Pure text work: the matches come in as character spans (found by the search
module with the index's own analyzer, so stemmed matches count), and go out as
a :class:`~notesearch.models.Snippet` whose spans index into the snippet text.
Blocks of a section (paragraphs, list items, code) are separated by a blank
line in its text and shown apart: ``Training data must be in S3 · Built-in
algorithms expect ...``; other newlines and tabs become spaces.
"""

from __future__ import annotations

import re

from ..models import Snippet, Span

ELLIPSIS = "…"
WIDTH = 200
BLOCKS = " · "  # what a blank line between two blocks is shown as
_BREAKS = re.compile(r"\n\n+|[\n\t\r]")  # a blank line, or a character shown as a space


def _shown(text: str, spans: list[tuple[int, int]]) -> tuple[str, tuple[Span, ...]]:
    """``text`` (a window of at most a few hundred characters) on one line, its
    blocks apart, and ``spans`` moved to match."""
    out: list[str] = []  # pieces of the line
    mapping: list[int] = []  # each character of text -> where it is in the line
    size = pos = 0
    for brk in _BREAKS.finditer(text):
        start, end = brk.span()
        if start > pos:
            out.append(text[pos:start])
            mapping.extend(range(size, size + start - pos))
            size += start - pos
        if end - start > 1:  # a blank line: the blocks apart
            while out and out[-1].endswith(" "):  # "end of block  " + " · "
                piece = out.pop()
                kept = piece.rstrip(" ")
                size -= len(piece) - len(kept)
                if kept:
                    out.append(kept)
                    break
            mapping.extend([size] * (end - start))
            out.append(BLOCKS)
            size += len(BLOCKS)
        else:
            out.append(" ")
            mapping.append(size)
            size += 1
        pos = end
    if pos < len(text):
        out.append(text[pos:])
        mapping.extend(range(size, size + len(text) - pos))
        size += len(text) - pos
    mapping.append(size)
    return "".join(out), tuple(Span(min(mapping[a], size), min(mapping[b], size)) for a, b in spans)


def make_snippet(text: str, matches: list[Span], width: int = WIDTH) -> Snippet:
    """The ``width``-character window of ``text`` holding the most distinct matches.

    With no matches it is the start of the text. Cuts fall on white space
    where one is near, and are marked with an ellipsis.
    """
    if not text:
        return Snippet(text="")
    if not matches:
        end = _cut_end(text, min(len(text), width))
        body, _ = _shown(text[:end].rstrip(), [])
        return Snippet(text=body.rstrip() + (ELLIPSIS if end < len(text) else ""))

    matches = sorted(matches, key=lambda s: (s.start, s.end))
    best_start, best_score = matches[0].start, -1
    for i, first in enumerate(matches):
        seen: set[str] = set()
        for other in matches[i:]:
            if other.end - first.start > width:
                break
            seen.add(text[other.start : other.end].lower())
        if len(seen) > best_score:
            best_start, best_score = first.start, len(seen)

    lead = width // 4
    start = max(0, best_start - lead)
    end = min(len(text), start + width)
    if end - start < width:
        start = max(0, end - width)
    start = _cut_start(text, start, best_start)
    end = _cut_end(text, end)
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    inside = [
        (max(s.start, start) - start, min(s.end, end) - start)
        for s in matches
        if s.start < end and s.end > start
    ]
    piece, moved = _shown(text[start:end], inside)
    shift = len(prefix)
    spans = tuple(Span(s.start + shift, s.end + shift) for s in moved)
    return Snippet(text=prefix + piece + suffix, spans=spans)


def _cut_start(text: str, start: int, must_keep: int) -> int:
    if start == 0:
        return 0
    space = text.find(" ", start, must_keep)
    newline = text.find("\n", start, must_keep)
    candidates = [p for p in (space, newline) if p >= 0]
    return min(candidates) + 1 if candidates else start


def _cut_end(text: str, end: int) -> int:
    if end >= len(text):
        return len(text)
    window_start = max(0, end - 30)
    cut = max(text.rfind(" ", window_start, end), text.rfind("\n", window_start, end))
    return cut if cut > 0 else end
