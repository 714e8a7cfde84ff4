"""The result list: a few lines per result, one highlighted, drawn line by line.

Textual's OptionList wraps and measures every option on each update; a
result here is a fixed number of lines cut to the width, so a new answer
costs only the lines on screen, and of those only the ones that differ from
what is drawn already (the next keystroke's answer often repeats most of them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

Item = tuple[str, list[Text]]  # (id, its lines)
_Shown = tuple[str, object, tuple[object, ...], bool]  # a line as drawn: text, style, spans, cursor


def resize(widget: Widget, size: Size) -> None:
    """A new scrollable size without a layout of the whole screen (Textual's reactive
    ``virtual_size`` asks for one; its scrollbars must not come and go, see the CSS).
    The scrollbars are redrawn; the caller redraws the lines it changed."""
    if widget.virtual_size == size:
        return
    widget.set_reactive(Widget.virtual_size, size)
    widget._scroll_update(size)


def refresh_lines(widget: ScrollView, lines: Iterable[int]) -> None:
    """Redraw only these lines (of the scrollable content) where they are on screen."""
    top, height = widget.scroll_offset.y, widget.scrollable_content_region.height
    width = widget.scrollable_content_region.width
    regions: list[Region] = []
    for line in sorted(set(lines)):
        y = line - top
        if not 0 <= y < height:
            continue
        last = regions[-1] if regions else None
        if last is not None and last.bottom == y:  # runs of lines: one region
            regions[-1] = Region(0, last.y, width, last.height + 1)
        else:
            regions.append(Region(0, y, width, 1))
    if regions:
        widget.refresh(*regions)


def _shown(text: Text, chosen: bool) -> _Shown:
    # rich's Text equality leaves out the base style: a line looks the same only with it.
    return text.plain, text.style, tuple(text.spans), chosen


class ResultList(ScrollView):
    """Results, each an id and its lines; ``highlighted`` is the index of the chosen one."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"result-list--cursor"}
    DEFAULT_CSS = """
    ResultList { overflow-x: hidden; overflow-y: hidden; }
    ResultList > .result-list--cursor { background: $accent 35%; }
    """

    class Highlighted(Message):
        """The highlighted result changed."""

    def __init__(self, **kwargs: str) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.can_focus = False
        self.items: list[Item] = []
        self._starts: list[int] = []  # first line of each item
        self._owner: list[int] = []  # item of each line
        self.highlighted: int | None = None
        self._strips: dict[int, Strip] = {}  # line -> drawn, for _drawn_with
        self._drawn_with: tuple[int, Style, Style] | None = None  # width, base, cursor styles
        self._styles: tuple[Style, Style] = (Style(), Style())  # of the frame being drawn

    def set_items(self, items: list[Item], *, keep: bool = False) -> None:
        """Show ``items``, the first one highlighted (``keep``: the same one and scroll, when
        the new items only add to the old ones); only the lines that look different are
        drawn again."""
        before = self._looks()
        kept = (self.highlighted, self.scroll_offset.y) if keep else (0, 0)
        self.items = items
        self._starts, self._owner = [], []
        for number, (_, lines) in enumerate(items):
            self._starts.append(len(self._owner))
            self._owner += [number] * len(lines)
        self.highlighted = min(kept[0] or 0, len(items) - 1) if items else None
        after = self._looks()
        changed = [
            line
            for line in range(max(len(before), len(after)))
            if line >= len(before) or line >= len(after) or before[line] != after[line]
        ]
        for line in changed:
            self._strips.pop(line, None)
        resize(self, Size(self.scrollable_content_region.width, len(self._owner)))
        self.scroll_to(y=kept[1], animate=False, force=True)  # a new offset redraws it all
        refresh_lines(self, changed)

    def _looks(self) -> list[_Shown]:
        """Every line as it is drawn."""
        return [
            _shown(self.items[number][1][line - self._starts[number]], number == self.highlighted)
            for line, number in enumerate(self._owner)
        ]

    @property
    def highlighted_id(self) -> str | None:
        return None if self.highlighted is None else self.items[self.highlighted][0]

    def texts(self) -> list[str]:
        """Each item's lines as plain text (for tests)."""
        return ["\n".join(line.plain for line in lines) for _, lines in self.items]

    def move(self, delta: int) -> None:
        if self.highlighted is None:
            return
        self.highlight(max(0, min(len(self.items) - 1, self.highlighted + delta)))

    def page(self, delta: int) -> None:
        """About a screenful of results up or down."""
        if self.highlighted is None:
            return
        lines = max(1, len(self.items[self.highlighted][1]))
        self.move(delta * max(1, self.scrollable_content_region.height // lines - 1))

    def _item_lines(self, number: int | None) -> range:
        if number is None:
            return range(0)
        return range(self._starts[number], self._starts[number] + len(self.items[number][1]))

    def highlight(self, number: int) -> None:
        if number == self.highlighted:
            return
        changed = [*self._item_lines(self.highlighted), *self._item_lines(number)]
        for line in changed:
            self._strips.pop(line, None)
        self.highlighted = number
        top = self._starts[number]
        bottom = top + len(self.items[number][1])
        height = self.scrollable_content_region.height
        if top < self.scroll_offset.y:
            self.scroll_to(y=top, animate=False, force=True)
        elif bottom > self.scroll_offset.y + height:
            self.scroll_to(y=bottom - height, animate=False, force=True)
        refresh_lines(self, changed)
        self.post_message(self.Highlighted())

    def render_lines(self, crop: Region) -> list[Strip]:
        # The styles once per frame, not once per line (Textual works them out from
        # every ancestor's CSS each time it is asked).
        base = self.rich_style
        self._styles = (base, base + self.get_component_rich_style("result-list--cursor"))
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base, cursor = self._styles
        drawn_with = (width, base, cursor)
        if drawn_with != self._drawn_with:  # resized, or a new theme: nothing drawn is right
            self._strips, self._drawn_with = {}, drawn_with
        line = y + self.scroll_offset.y
        if line >= len(self._owner):
            return Strip.blank(width, base)
        strip = self._strips.get(line)
        if strip is None:
            number = self._owner[line]
            text = self.items[number][1][line - self._starts[number]]
            style = cursor if number == self.highlighted else base
            strip = self._strips[line] = self._strip(text, width, style)
        return strip

    def _strip(self, text: Text, width: int, base: Style) -> Strip:
        text = text.copy()
        text.truncate(width, overflow="ellipsis", pad=True)
        segments = [
            Segment(seg.text, base + seg.style if seg.style else base)
            for seg in text.render(self.app.console, end="")
        ]
        return Strip(segments, width).crop_extend(0, width, base)
