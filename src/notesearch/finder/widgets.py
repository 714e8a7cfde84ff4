"""The finder's pieces: the query line, a result's two lines, one-line widgets, the help."""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input, Static

from ..models import Hit
from ..sanitize import clean, clean_with_spans
from .keys import help_text

MATCH = Style(bold=True, underline=True, color="yellow")  # a matched word in a snippet


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
    """One line of text, redrawn without a layout of the screen (its size never changes).

    Drawn as one strip (Textual's line API), kept until the text, the width or the
    style change: Textual's own path from a renderable to a line costs more than
    every result line together.
    """

    DEFAULT_CSS = "Line { height: 1; }"

    def __init__(
        self, text: str | Text = "", *, id: str | None = None, right: bool = False
    ) -> None:
        super().__init__(id=id)
        self.text, self.right = text, right
        self._drawn: tuple[tuple[int, Style], Strip] | None = None  # (width, style), strip

    def show(self, text: str | Text) -> None:
        if isinstance(text, str):
            text = self._text(text)
        if text != self.text:
            self.text, self._drawn = text, None
            self.refresh()

    @property
    def plain(self) -> str:
        return self.text.plain if isinstance(self.text, Text) else self.text

    def render_line(self, y: int) -> Strip:
        width, base = self.content_region.width, self.rich_style
        if y:
            return Strip.blank(width, base)
        if self._drawn is None or self._drawn[0] != (width, base):
            text = self.text if isinstance(self.text, Text) else self._text(self.text)
            text = text.copy()
            text.truncate(width, overflow="ellipsis")
            if self.right:
                text.align("right", width)
            segments = [
                Segment(seg.text, base + seg.style if seg.style else base)
                for seg in text.render(self.app.console, end="")
            ]
            self._drawn = (width, base), Strip(segments).crop_extend(0, width, base)
        return self._drawn[1]

    def _text(self, text: str) -> Text:
        return Text(text, no_wrap=True, overflow="ellipsis")


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
