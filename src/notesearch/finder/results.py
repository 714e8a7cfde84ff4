"""The result list: a few lines per result, one highlighted, drawn line by line.

Textual's OptionList wraps and measures every option on each update; a
result here is a fixed number of lines cut to the width, so a new answer
costs only the lines on screen.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

Item = tuple[str, list[Text]]  # (id, its lines)


def resize(widget: Widget, size: Size) -> None:
    """A new scrollable size without a layout of the whole screen (Textual's reactive
    ``virtual_size`` asks for one; its scrollbars must not come and go, see the CSS)."""
    widget.set_reactive(Widget.virtual_size, size)
    widget._scroll_update(size)
    widget.refresh()


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
        self._cache: dict[tuple[int, int, bool, int], Strip] = {}

    def set_items(self, items: list[Item], *, keep: bool = False) -> None:
        """Show ``items``, the first one highlighted (``keep``: the same one and scroll, when
        the new items only add to the old ones); the same ones again: nothing to do."""
        if items == self.items:
            return
        kept = (self.highlighted, self.scroll_offset.y) if keep else (0, 0)
        self.items, self._cache = items, {}
        self._starts, self._owner = [], []
        for number, (_, lines) in enumerate(items):
            self._starts.append(len(self._owner))
            self._owner += [number] * len(lines)
        resize(self, Size(self.scrollable_content_region.width, len(self._owner)))
        self.scroll_to(y=kept[1], animate=False, force=True)
        self.highlighted = min(kept[0] or 0, len(items) - 1) if items else None
        self.refresh()

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

    def highlight(self, number: int) -> None:
        if number == self.highlighted:
            return
        self.highlighted = number
        top = self._starts[number]
        bottom = top + len(self.items[number][1])
        height = self.scrollable_content_region.height
        if top < self.scroll_offset.y:
            self.scroll_to(y=top, animate=False, force=True)
        elif bottom > self.scroll_offset.y + height:
            self.scroll_to(y=bottom - height, animate=False, force=True)
        self.refresh()
        self.post_message(self.Highlighted())

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = y + self.scroll_offset.y
        if line >= len(self._owner):
            return Strip.blank(width, self.rich_style)
        number = self._owner[line]
        part = line - self._starts[number]
        chosen = number == self.highlighted
        key = (number, part, chosen, width)
        strip = self._cache.get(key)
        if strip is None:
            base = self.rich_style
            if chosen:
                base += self.get_component_rich_style("result-list--cursor")
            strip = self._cache[key] = self._strip(self.items[number][1][part], width, base)
        return strip

    def _strip(self, text: Text, width: int, base: Style) -> Strip:
        text = text.copy()
        text.truncate(width, overflow="ellipsis", pad=True)
        segments = [
            Segment(seg.text, base + seg.style if seg.style else base)
            for seg in text.render(self.app.console, end="")
        ]
        return Strip(segments, width).crop_extend(0, width, base)
