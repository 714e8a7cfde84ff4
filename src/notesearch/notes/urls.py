"""Link destinations in the percent-encoded form notesearch has always stored.

The parser gives a destination as written, with escapes and entities
resolved (``a b.md``, ``..\\x``). Stored targets have always been that
destination percent-encoded the CommonMark reference way (markdown-it's
``normalizeLink``: every character outside ``A-Za-z0-9;/?:@&=+$,-_.!~*'()#``
as UTF-8 ``%XX``, an existing ``%XX`` kept), then decoded back by
:class:`notesearch.notes.inline.AsWritten` where the source says so. An
autolink's text is shown decoded (``normalizeLinkText``).
"""

from __future__ import annotations

import re
from urllib.parse import quote

_SAFE = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789;/?:@&=+$,-_.!~*'()#"
)
_HEX = frozenset("0123456789abcdefABCDEF")
# Escapes an autolink's text keeps as they are (reserved characters, and ``%`` itself).
_KEEP_ENCODED = frozenset(";/?:@&=+$,#%")
_ESCAPES = re.compile(r"(?:%[0-9a-fA-F]{2})+")


def encode(url: str) -> str:
    """``url`` percent-encoded outside the safe set, keeping existing ``%XX`` escapes."""
    if all(ch in _SAFE for ch in url):
        return url
    out: list[str] = []
    i = 0
    size = len(url)
    while i < size:
        ch = url[i]
        if ch in _SAFE:
            out.append(ch)
        elif ch == "%" and i + 2 < size and url[i + 1] in _HEX and url[i + 2] in _HEX:
            out.append(url[i : i + 3])
            i += 3
            continue
        elif "\ud800" <= ch <= "\udfff":
            out.append("%EF%BF%BD")  # a lone surrogate: the replacement character
        else:
            out.append(quote(ch, safe=""))
        i += 1
    return "".join(out)


def link_text(url: str) -> str:
    """An autolink's text: its ``%XX`` escapes decoded, except reserved characters'."""
    if "%" not in url:
        return url
    return _ESCAPES.sub(_decode_run, url)


def _decode_run(match: re.Match[str]) -> str:
    """One run of ``%XX`` escapes, decoded as UTF-8 sequence by sequence."""
    seq = match.group(0)
    data = bytes(int(seq[i + 1 : i + 3], 16) for i in range(0, len(seq), 3))
    out: list[str] = []
    i = 0
    while i < len(data):
        b1 = data[i]
        if b1 < 0x80:
            ch = chr(b1)
            out.append(f"%{b1:02X}" if ch in _KEEP_ENCODED else ch)
            i += 1
            continue
        width = (
            2 if b1 & 0xE0 == 0xC0 else 3 if b1 & 0xF0 == 0xE0 else 4 if b1 & 0xF8 == 0xF0 else 0
        )
        chunk = data[i : i + width]
        if width and len(chunk) == width and all(b & 0xC0 == 0x80 for b in chunk[1:]):
            try:
                out.append(chunk.decode())
            except UnicodeDecodeError:
                out.append("\ufffd" * width)
            i += width
            continue
        out.append("\ufffd")
        i += 1
    return "".join(out)
