"""One sanitizer for every piece of text that came from notes or file names.

Terminal control characters in data must never reach a terminal raw (an
``ESC`` can retitle the window, fake a hyperlink or write the clipboard), and
bidi overrides can make text read differently from what it is. Each such
character is replaced by a visible escape (``\\x1b``, ``\\u202e``), one for
one, so the output stays on one line and means what the note says.
"""

from __future__ import annotations

import re
from functools import cache

# Every character that is invisible or changes how text around it reads:
# Unicode categories Cc (C0 and C1 controls, DEL; tab and newline included:
# callers fold them first if they want spaces), Cf (format characters: bidi
# marks, embeddings, overrides and isolates, U+061C, zero-width space and
# joiners, word joiner and invisible operators, BOM, interlinear annotation
# U+FFF9-U+FFFB, the soft hyphen, tag characters U+E0000-U+E007F), Zl and Zp
# (line and paragraph separators) and Cs (lone surrogates: undecodable bytes
# of a file name, which cannot be written as UTF-8 at all); and the Hangul
# fillers U+115F, U+1160, U+3164, U+FFA0, letters that draw nothing.
#
# The ranges are what :func:`unsafe_ranges` computes from ``unicodedata``
# (Unicode 14.0, Python 3.11), written out because scanning every code point
# costs 0.15 s at each start; tests/security/test_sanitize.py checks that
# they still cover every such character of the running Python.
UNSAFE_CATEGORIES = ("Cc", "Cf", "Zl", "Zp", "Cs")
HANGUL_FILLERS = (0x115F, 0x1160, 0x3164, 0xFFA0)
RANGES = (
    (0x0000, 0x001F), (0x007F, 0x009F), (0x00AD, 0x00AD), (0x0600, 0x0605),
    (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891),
    (0x08E2, 0x08E2), (0x115F, 0x1160), (0x180E, 0x180E), (0x200B, 0x200F),
    (0x2028, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164), (0xD800, 0xDFFF),
    (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE007F),
)  # fmt: skip


def unsafe_ranges() -> list[tuple[int, int]]:
    """The unsafe characters by ``unicodedata``, as (first, last) ranges (slow: for tests)."""
    import unicodedata

    found = [
        c
        for c in range(0x110000)
        if unicodedata.category(chr(c)) in UNSAFE_CATEGORIES or c in HANGUL_FILLERS
    ]
    ranges: list[tuple[int, int]] = []
    for c in found:
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1] = (ranges[-1][0], c)
        else:
            ranges.append((c, c))
    return ranges


def _char_class(ranges: tuple[tuple[int, int], ...], keep: str = "") -> re.Pattern[str]:
    parts = []
    for first, last in ranges:
        for start, end in _split_out(first, last, {ord(k) for k in keep}):
            parts.append(re.escape(chr(start)) + ("-" + re.escape(chr(end)) if end > start else ""))
    return re.compile("[" + "".join(parts) + "]")


def _split_out(first: int, last: int, keep: set[int]) -> list[tuple[int, int]]:
    """``first..last`` without the code points in ``keep``, as ranges."""
    pieces, start = [], first
    for k in sorted(c for c in keep if first <= c <= last):
        if start < k:
            pieces.append((start, k - 1))
        start = k + 1
    if start <= last:
        pieces.append((start, last))
    return pieces


# Each class costs a few tenths of a millisecond to compile (the regular expression
# compiler sets each code point of a range one by one): the two that not every
# command uses are compiled on first use.
_UNSAFE = _char_class(RANGES)


@cache
def _unsafe_block() -> re.Pattern[str]:
    return _char_class(RANGES, keep="\t\n")  # whole notes keep their lines


@cache
def json_unsafe() -> re.Pattern[str]:
    """What JSON output must escape beyond json.dumps: the same, but not the C0
    controls json.dumps escapes itself, and lone surrogates as JSON escapes."""
    return _char_class(RANGES, keep="".join(map(chr, range(0x20))))


def escape(code: int) -> str:
    """The visible escape of one unsafe character: ``\\x1b``, ``\\u200b``, ``\\U000e0041``."""
    if 0xDC80 <= code <= 0xDCFF:  # a raw byte kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def json_escape(code: int) -> str:
    """The JSON escape of one character: ``\\uXXXX``, a surrogate pair above U+FFFF."""
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def _escape(match: re.Match[str]) -> str:
    return escape(ord(match.group(0)))


def clean(text: str) -> str:
    """Replace unsafe characters with visible escapes."""
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def clean_block(text: str) -> str:
    """As :func:`clean`, but newlines and tabs are kept (for whole notes)."""
    unsafe = _unsafe_block()
    return unsafe.sub(_escape, text) if unsafe.search(text) else text


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
