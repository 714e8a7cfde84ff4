"""Choose a short window of a section's text around its matches.

Pure text work: the matches come in as character spans (found by the search
module with the index's own analyzer, so stemmed matches count), and go out as
a :class:`~notesearch.models.Snippet` whose spans index into the snippet text.
Newlines and tabs become spaces one for one, so offsets never shift.
"""

from __future__ import annotations

from ..models import Snippet, Span

ELLIPSIS = "…"
WIDTH = 200


def _clean(text: str) -> str:
    return text.replace("\n", " ").replace("\t", " ").replace("\r", " ")


def make_snippet(text: str, matches: list[Span], width: int = WIDTH) -> Snippet:
    """The ``width``-character window of ``text`` holding the most distinct matches.

    With no matches it is the start of the text. Cuts fall on white space
    where one is near, and are marked with an ellipsis.
    """
    if not text:
        return Snippet(text="")
    if not matches:
        end = _cut_end(text, min(len(text), width))
        body = _clean(text[:end]).rstrip()
        return Snippet(text=body + (ELLIPSIS if end < len(text) else ""))

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
    piece = _clean(text[start:end])
    shift = len(prefix) - start
    spans = tuple(
        Span(max(s.start, start) + shift, min(s.end, end) + shift)
        for s in matches
        if s.start < end and s.end > start
    )
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
