"""A note body as the parser sees it: UTF-8 bytes, with byte offsets mapped to file lines."""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyromark.event import Range

# One parser event and its byte range (``{"start": ..., "end": ...}``). The event is
# pyromark's: a string (``"SoftBreak"``) or a one-key dict (``{"Text": "..."}``,
# ``{"Start": {"Link": {...}}}``). Its stubs type it as a union of TypedDicts that
# ``type(event) is str`` does not narrow, and the parser reads it in its hot loop: Any.
Item = tuple[Any, "Range"]


class Source:
    """The body's bytes and where its lines start, for the parser's byte ranges.

    Args:
        body: the body text (front matter cut off, comments blanked).
        first_line: the 1-based line of the file where the body starts.
    """

    __slots__ = ("_breaks", "data", "first_line")

    def __init__(self, body: str, first_line: int = 1) -> None:
        self.data = body.encode("utf-8", "surrogatepass")
        self.first_line = first_line
        self._breaks: list[int] | None = None

    def line(self, offset: int) -> int:
        """The 1-based line of the file that holds the byte at ``offset``."""
        if self._breaks is None:
            data = self.data
            breaks = []
            pos = data.find(b"\n")
            while pos != -1:
                breaks.append(pos)
                pos = data.find(b"\n", pos + 1)
            self._breaks = breaks
        return self.first_line + bisect_left(self._breaks, offset)

    def run_start(self, offset: int) -> int:
        """Where a run of inline events starting at ``offset`` starts in the source.

        An escaped character's range leaves out its backslash: ``\\#x`` is
        the text ``#x`` from one byte on. The backslash belongs to the run.
        """
        return offset - 1 if offset and self.data[offset - 1] == 0x5C else offset

    def text(self, start: int, end: int) -> str:
        """The source between two byte offsets."""
        return self.data[start:end].decode("utf-8", "surrogatepass")
