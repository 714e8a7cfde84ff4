"""The bottom line: the keys (or a message, or the stale-index flag) and the count."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Static

from ..models import Staleness
from ..sanitize import clean_line


class StatusLine(Horizontal):
    """Keys on the left, replaced for a while by a message; ``23 sections · 12 ms`` on the right."""

    DEFAULT_CSS = """
    StatusLine { height: 1; }
    StatusLine > #keys { width: 1fr; color: $text 70%; }
    StatusLine > #keys.alert { color: $warning; }
    StatusLine > #count { width: auto; }
    """

    def __init__(self, keys: str) -> None:
        super().__init__()
        self.keys = keys
        self.stale = Staleness(0, 0, 0)
        self._timer: Timer | None = None
        self._saying = False

    def compose(self) -> ComposeResult:
        yield Static(self.keys, id="keys")
        yield Static("", id="count")

    def count(self, text: str) -> None:
        self.query_one("#count", Static).update(text)

    def say(self, message: str, *, alert: bool = False, seconds: float = 4.0) -> None:
        """``message`` instead of the keys for ``seconds``."""
        keys = self.query_one("#keys", Static)
        keys.update(Text(clean_line(message), no_wrap=True, overflow="ellipsis"))
        keys.set_class(alert, "alert")
        self._saying = True
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(seconds, self.restore)

    def restore(self) -> None:
        """The keys again, or the stale-index flag."""
        self._saying = False
        keys = self.query_one("#keys", Static)
        if self.stale:
            keys.update(Text(f"{self.stale.describe()} · Ctrl-R updates it", no_wrap=True,
                             overflow="ellipsis"))  # fmt: skip
        else:
            keys.update(self.keys)
        keys.set_class(bool(self.stale), "alert")

    def set_stale(self, stale: Staleness) -> None:
        if stale != self.stale:
            self.stale = stale
            if not self._saying:
                self.restore()
