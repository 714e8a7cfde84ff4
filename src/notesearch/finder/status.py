"""The bottom line: the keys (or a message, or the stale-index flag) and the count."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.timer import Timer

from ..models import Staleness
from ..sanitize import clean_line
from .widgets import Line


class StatusLine(Horizontal):
    """Keys on the left, replaced for a while by a message; ``23 sections · 12 ms`` on the right."""

    DEFAULT_CSS = """
    StatusLine { height: 1; }
    StatusLine > #keys { width: 1fr; color: $text 70%; padding-right: 1; }
    StatusLine > #keys.alert { color: $warning; }
    StatusLine > #count { width: 24; text-align: right; }
    """

    def __init__(self, keys: str) -> None:
        super().__init__()
        self.keys = keys
        self.stale = Staleness(0, 0, 0)
        self._timer: Timer | None = None
        self._saying = False

    def compose(self) -> ComposeResult:
        yield Line(self.keys, id="keys")
        yield Line("", id="count", right=True)

    def count(self, text: str) -> None:
        self.query_one("#count", Line).show(text)

    def say(self, message: str, *, alert: bool = False, seconds: float = 4.0) -> None:
        """``message`` instead of the keys for ``seconds``."""
        keys = self.query_one("#keys", Line)
        keys.show(clean_line(message))
        keys.set_class(alert, "alert")
        self._saying = True
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(seconds, self.restore)

    def restore(self) -> None:
        """The keys again, or the stale-index flag."""
        self._saying = False
        keys = self.query_one("#keys", Line)
        if self.stale:
            keys.show(f"{self.stale.describe()} · Ctrl-R updates it")
        else:
            keys.show(self.keys)
        keys.set_class(bool(self.stale), "alert")

    def set_stale(self, stale: Staleness) -> None:
        if stale != self.stale:
            self.stale = stale
            if not self._saying:
                self.restore()
