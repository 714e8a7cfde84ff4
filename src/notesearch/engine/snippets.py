"""Choose a short window of a section's text around its matches.

Pure text work: the matches come in as character spans (found by the search
module with the index's own analyzer, so stemmed matches count), and go out as
a :class:`~notesearch.models.Snippet` whose spans index into the snippet text.
Blocks of a section (paragraphs, list items, code) are separated by a blank
line in its text and shown apart: ``Training data must be in S3 · Built-in
algorithms expect ...``; other newlines and tabs become spaces.
"""

from __future__ import annotations

from ..models import Snippet, Span

ELLIPSIS = "…"
WIDTH = 200
BLOCKS = " · "  # what a blank line between two blocks is shown as


def _shown(text: str, spans: list[tuple[int, int]]) -> tuple[str, tuple[Span, ...]]:
    """``text`` (a window of at most a few hundred characters) on one line, its
    blocks apart, and ``spans`` moved to match."""
    out: list[str] = []
    mapping = [0] * (len(text) + 1)
    i = 0
    while i < len(text):
        if text.startswith("\n\n", i):
            j = i
            while j < len(text) and text[j] == "\n":
                j += 1
            while out and out[-1] == " ":  # "end of block  " + " · "
                out.pop()
            for k in range(i, j):
                mapping[k] = len(out)
            out.extend(BLOCKS)
            i = j
            continue
        mapping[i] = len(out)
        out.append(" " if text[i] in "\n\t\r" else text[i])
        i += 1
    mapping[len(text)] = len(out)
    return "".join(out), tuple(
        Span(min(mapping[a], len(out)), min(mapping[b], len(out))) for a, b in spans
    )


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
