"""The preview: the selected section rendered as Markdown, every match marked."""

from __future__ import annotations

import functools
import itertools
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..models import Span
from .results import refresh_lines, resize

if TYPE_CHECKING:
    from rich.markdown import Markdown

MARK = Style(bold=True, reverse=True)  # a matched word in the preview (plain: still seen)
_PLAIN = Style()  # Textual's filters (NO_COLOR) want a style on every segment
SpanFinder = Callable[[str, frozenset[str]], Sequence[Span]]
Rendered = list[tuple[list[Segment], str]]  # a section's lines: segments, unmarked, and text


def marked(segments: list[Segment], spans: Sequence[Span], mark: Style) -> list[Segment]:
    """``segments`` (one rendered line) with the characters in ``spans`` restyled."""
    if not spans:
        return segments
    out: list[Segment] = []
    pos = 0
    for seg in segments:
        text, style = seg.text, seg.style
        if seg.control or not text:
            out.append(seg)
            continue
        end = pos + len(text)
        cuts = sorted({pos, end} | {b for s in spans for b in (s.start, s.end) if pos < b < end})
        for a, b in itertools.pairwise(cuts):
            inside = any(s.start <= a and b <= s.end for s in spans)
            piece = text[a - pos : b - pos]
            out.append(Segment(piece, (style + mark if style else mark) if inside else style))
        pos = end
    return out


@functools.cache
def _markdown_class() -> type[Markdown]:
    """rich's Markdown, its code blocks without syntax colouring (Pygments costs tens of ms
    per block); imported on the first preview, not when the finder opens."""
    from rich.markdown import CodeBlock, Markdown
    from rich.padding import Padding

    class PlainCode(CodeBlock):
        def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
            yield Padding(Text(str(self.text).rstrip(), style="bold"), (0, 2))

    class Plain(Markdown):
        elements: ClassVar = {**Markdown.elements, "fence": PlainCode, "code_block": PlainCode}

    return Plain


class Preview(ScrollView):
    """The selected section rendered as Markdown, every match marked, scrolled to the first.

    The Markdown of the last few sections is kept rendered (at a width), so a query that
    keeps the same section only marks its lines again, and only the lines that look
    different on screen are drawn again. Lines are marked as they are drawn, and those
    above the first match to find it: a long section costs its screenful.
    """

    DEFAULT_CSS = "Preview { overflow-x: hidden; overflow-y: scroll; scrollbar-size-vertical: 1; }"
    KEPT = 16  # sections kept rendered

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.can_focus = False
        self._markdown = ""
        self._find: SpanFinder | None = None
        self._terms: frozenset[str] = frozenset()
        self._rendered: Rendered = []  # each line, unmarked, and its text
        self._renders: OrderedDict[tuple[str, int], Rendered] = OrderedDict()  # by text, width
        self._marked: dict[int, Strip] = {}  # line -> marked, for _markdown, _terms, _width
        self._matched: set[int] = set()  # the lines of _marked with a match
        self._width = 0
        self._base = Style()  # of the frame being drawn
        self.first_match: int | None = None
        self._title: str | None = None

    def show(
        self, markdown: str, terms: frozenset[str], find: SpanFinder | None, title: str = ""
    ) -> None:
        """Show ``markdown`` under ``title``; ``find`` gives the matches of ``terms`` in one
        rendered line."""
        if title != self._title:  # a new title redraws all of the preview: only then
            self._title, self.border_title = title, Text(title)  # text, not markup
        if (markdown, terms) == (self._markdown, self._terms):
            return  # the same section and matches: nothing to draw again
        self._markdown, self._terms, self._find = markdown, terms, find
        self._layout_lines(again=True)

    @property
    def text(self) -> str:
        """The rendered lines as plain text (for tests)."""
        return "\n".join(plain for _, plain in self._rendered)

    def _rendered_at(self, width: int) -> Rendered:
        """The Markdown's lines at ``width``, unmarked (rendered once, kept for a while)."""
        key = (self._markdown, width)
        rendered = self._renders.get(key)
        if rendered is not None:
            self._renders.move_to_end(key)
            return rendered
        console = self.app.console
        options = console.options.update(width=width, height=None)
        lines = console.render_lines(
            _markdown_class()(self._markdown, hyperlinks=False), options, pad=False
        )
        rendered = []
        for segments in lines:
            plain = "".join(seg.text for seg in segments if not seg.control)
            styled = [Segment(g.text, g.style or _PLAIN, g.control) for g in segments]
            rendered.append((styled, plain))
        self._renders[key] = rendered
        if len(self._renders) > self.KEPT:
            self._renders.popitem(last=False)
        return rendered

    def _layout_lines(self, *, again: bool = False) -> None:
        """Lay the section out at the current width (``again``: new text or matches)."""
        width = max(10, self.scrollable_content_region.width)
        if width == self._width and not again:
            return
        before = self._rendered, self._width, self.scroll_offset.y
        drawn = {
            line: self._marked[line]
            for line in self._visible()
            if line in self._marked and width == self._width
        }
        self._width, self._rendered = width, self._rendered_at(width)
        self._marked, self._matched = {}, set()
        self.first_match = next(
            (number for number in range(len(self._rendered)) if self._mark(number)[1]), None
        )
        # A section shorter than the pane is as tall as the pane: the same scrollbar as the
        # last short one, not drawn again.
        resize(self, Size(width, max(len(self._rendered), self.scrollable_content_region.height)))
        top = max(0, (self.first_match or 0) - 2)
        self.scroll_to(y=top, animate=False, force=True)
        rendered, width_before, top_before = before
        moved = top_before != self.scroll_offset.y
        if rendered is not self._rendered or width_before != width or moved or not drawn:
            self.refresh()  # another section, width or place: all of it
            return
        # The same lines in the same place, marked for other words: only those that changed.
        changed = [line for line, strip in drawn.items() if self._line(line) != strip]
        refresh_lines(self, changed)

    def _visible(self) -> range:
        top = self.scroll_offset.y
        return range(top, min(len(self._rendered), top + self.scrollable_content_region.height))

    def _line(self, number: int) -> Strip:
        """Line ``number`` of the section with its matches marked."""
        return self._mark(number)[0]

    def _mark(self, number: int) -> tuple[Strip, bool]:
        """Line ``number`` marked, and whether it holds a match."""
        strip = self._marked.get(number)
        if strip is not None:
            return strip, number in self._matched
        segments, plain = self._rendered[number]
        find = self._find
        spans = find(plain, self._terms) if find is not None and plain.strip() else ()
        if spans:
            self._matched.add(number)
        strip = self._marked[number] = Strip(marked(segments, spans, MARK))
        return strip, bool(spans)

    def on_resize(self, event: events.Resize) -> None:
        self._layout_lines()

    def render_lines(self, crop: Region) -> list[Strip]:
        self._base = self.rich_style  # once per frame, not per line
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        if index >= len(self._rendered):
            return Strip.blank(width, self._base)
        return self._line(index).crop_extend(0, width, self._base)
