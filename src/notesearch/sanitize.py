"""One sanitizer for every piece of text that came from notes or file names.

Terminal control characters in data must never reach a terminal raw (an
``ESC`` can retitle the window, fake a hyperlink or write the clipboard), and
bidi overrides can make text read differently from what it is. Each such
character is replaced by a visible escape (``\\x1b``, ``\\u202e``), one for
one, so the output stays on one line and means what the note says.
"""

from __future__ import annotations

import re

# C0 controls (tab and newline included: callers fold them first if they want
# spaces), DEL, C1 controls, bidi embeddings/overrides/isolates, the
# line/paragraph separators, and lone surrogates (undecodable bytes of a file
# name, which cannot be written as UTF-8 at all).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if 0xDC80 <= code <= 0xDCFF:  # a raw byte kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str) -> str:
    """Replace unsafe characters with visible escapes."""
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


_UNSAFE_BLOCK = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def clean_block(text: str) -> str:
    """As :func:`clean`, but newlines and tabs are kept (for whole notes)."""
    return _UNSAFE_BLOCK.sub(_escape, text) if _UNSAFE_BLOCK.search(text) else text


def clean_line(text: str) -> str:
    """As :func:`clean`, but newlines and tabs become spaces first."""
    return clean(text.replace("\r\n", " ").replace("\n", " ").replace("\t", " "))


def clean_with_spans(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """Sanitize ``text`` and move the ``(start, end)`` spans to match."""
    if not _UNSAFE.search(text):
        return text, spans
    pieces: list[str] = []
    mapping = [0] * (len(text) + 1)
    out = 0
    for i, ch in enumerate(text):
        mapping[i] = out
        piece = _UNSAFE.sub(_escape, ch)
        pieces.append(piece)
        out += len(piece)
    mapping[len(text)] = out
    return "".join(pieces), [(mapping[s], mapping[e]) for s, e in spans]
