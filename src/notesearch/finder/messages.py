"""The finder's own messages."""

from __future__ import annotations

from textual.message import Message

from ..live import Answer


class Answered(Message):
    """A search finished (posted from the search thread)."""

    def __init__(self, number: int, answer: Answer) -> None:
        super().__init__()
        self.number, self.answer = number, answer
