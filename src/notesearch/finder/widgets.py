"""The finder's pieces: the query line, a result's two lines, the Markdown preview, the help."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input, Static

from ..models import Hit, Span
from ..sanitize import clean, clean_with_spans
from .keys import help_text
from .results import resize

if TYPE_CHECKING:
    from rich.markdown import Markdown

MATCH = Style(bold=True, underline=True, color="yellow")  # a matched word in a snippet
MARK = Style(bold=True, reverse=True)  # a matched word in the preview (plain: still seen)
_PLAIN = Style()  # Textual's filters (NO_COLOR) want a style on every segment
SpanFinder = Callable[[str, frozenset[str]], Sequence[Span]]


class QueryLine(Input):
    """The query line: ``?`` on an empty line shows the keys (elsewhere it is a wildcard)."""

    async def _on_key(self, event: events.Key) -> None:
        if event.character == "?" and not self.value:
            event.stop()
            event.prevent_default()
            self.app.action_help()  # type: ignore[attr-defined]
            return
        await super()._on_key(event)


class Line(Widget):
    """One line of text, redrawn without a layout of the screen (its size never changes)."""

    DEFAULT_CSS = "Line { height: 1; }"

    def __init__(
        self, text: str | Text = "", *, id: str | None = None, right: bool = False
    ) -> None:
        super().__init__(id=id)
        self.text, self.right = text, right

    def show(self, text: str | Text) -> None:
        if isinstance(text, str):
            text = self._text(text)
        if text != self.text:
            self.text = text
            self.refresh()

    @property
    def plain(self) -> str:
        return self.text.plain if isinstance(self.text, Text) else self.text

    def render(self) -> Text:
        text = self.text
        return text if isinstance(text, Text) else self._text(text)

    def _text(self, text: str) -> Text:
        return Text(
            text, no_wrap=True, overflow="ellipsis", justify="right" if self.right else None
        )


def hit_prompt(hit: Hit, place: str) -> list[Text]:
    """A result's two lines: ``path:line  breadcrumb  #tags``, then its snippet, matches marked."""
    section = hit.section
    head = Text(no_wrap=True, overflow="ellipsis")
    head.append(clean(place), style="bold cyan")
    trail = " › ".join(clean(part) for part in section.trail)
    if trail:
        head.append("  " + trail, style="bold")
    if section.tags:
        head.append("  " + " ".join("#" + clean(t) for t in section.tags), style="green")
    raw = hit.snippet.text.replace("\n", " ")
    text, spans = clean_with_spans(raw, [(s.start, s.end) for s in hit.snippet.spans])
    snippet = Text("  " + text, no_wrap=True, overflow="ellipsis", style="dim")
    for start, end in spans:
        snippet.stylize(MATCH, start + 2, end + 2)
    return [head, snippet]


def suggestion_prompt(corrected: str) -> list[Text]:
    text = Text("Did you mean: ", style="italic", no_wrap=True, overflow="ellipsis")
    text.append(clean(corrected), style="bold yellow")
    text.append("   (Ctrl-S or Enter)", style="dim")
    return [text]


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
    """The selected section rendered as Markdown, every match marked, scrolled to the first."""

    DEFAULT_CSS = "Preview { overflow-x: hidden; overflow-y: scroll; scrollbar-size-vertical: 1; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.can_focus = False
        self._markdown = ""
        self._find: SpanFinder | None = None
        self._terms: frozenset[str] = frozenset()
        self._lines: list[Strip] = []
        self._width = 0
        self.first_match: int | None = None

    def show(self, markdown: str, terms: frozenset[str], find: SpanFinder | None) -> None:
        """Show ``markdown``; ``find`` gives the matches of ``terms`` in one rendered line."""
        if (markdown, terms) == (self._markdown, self._terms):
            return  # the same section and matches: nothing to draw again
        self._markdown, self._terms, self._find = markdown, terms, find
        self._width = 0
        self._layout_lines()

    @property
    def text(self) -> str:
        """The rendered lines as plain text (for tests)."""
        return "\n".join(strip.text for strip in self._lines)

    def _layout_lines(self) -> None:
        width = max(10, self.scrollable_content_region.width)
        if width == self._width:
            return
        self._width = width
        console = self.app.console
        options = console.options.update(width=width, height=None)
        rendered = console.render_lines(
            _markdown_class()(self._markdown, hyperlinks=False), options, pad=False
        )
        self._lines, self.first_match = [], None
        for number, segments in enumerate(rendered):
            plain = "".join(seg.text for seg in segments if not seg.control)
            found = self._find is not None and plain.strip()
            spans = self._find(plain, self._terms) if found and self._find else ()
            if spans and self.first_match is None:
                self.first_match = number
            styled = [Segment(g.text, g.style or _PLAIN, g.control) for g in segments]
            self._lines.append(Strip(marked(styled, spans, MARK)))
        resize(self, Size(width, len(self._lines)))
        top = max(0, (self.first_match or 0) - 2)
        self.scroll_to(y=top, animate=False, force=True)
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._layout_lines()

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        return self._lines[index].crop_extend(0, width, self.rich_style)


class HelpScreen(ModalScreen[None]):
    """The keys, over the finder; any of Esc, F1, ? or q closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Static { width: auto; max-width: 90%; height: auto; padding: 1 2;
                          border: round $accent; background: $surface; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,question_mark,q,enter", "close", "close", show=False)
    ]

    def compose(self) -> ComposeResult:
        yield Static(Text(help_text()), id="keys-help")

    def action_close(self) -> None:
        self.dismiss(None)
