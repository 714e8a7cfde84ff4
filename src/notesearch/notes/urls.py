"""Link destinations in the percent-encoded form notesearch has always stored.

The parser gives a destination as written, with escapes and entities
resolved (``a b.md``, ``..\\x``). Stored targets have always been that
destination normalized the CommonMark reference way (markdown-it's
``normalizeLink``: a non-ASCII host name of an ``http:``, ``https:`` or
``mailto:`` URL in punycode, then every character outside
``A-Za-z0-9;/?:@&=+$,-_.!~*'()#`` as UTF-8 ``%XX``, an existing ``%XX``
kept), then decoded back by :class:`notesearch.notes.inline.AsWritten`
where the source says so. An autolink's text is shown decoded
(``normalizeLinkText``).
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import quote

_SAFE = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789;/?:@&=+$,-_.!~*'()#"
)
_HEX = frozenset("0123456789abcdefABCDEF")
# Escapes an autolink's text keeps as they are (reserved characters, and ``%`` itself).
_KEEP_ENCODED = frozenset(";/?:@&=+$,#%")
_ESCAPES = re.compile(r"(?:%[0-9a-fA-F]{2})+")
# Enough of mdurl's URL parse to find a host name.
_PROTOCOL = re.compile(r"[a-z0-9.+-]+:", re.IGNORECASE)
_PORT = re.compile(r":[0-9]*$")
_HOST_PART = re.compile(r"[+a-z0-9A-Z_-]{0,63}")
_HOST_PART_START = re.compile(r"([+a-z0-9A-Z_-]{0,63})(.*)", re.DOTALL)
_LABEL_DOTS = re.compile("[.\u3002\uff0e\uff61]")
_NOT_HOST = "%/?;#'{}|\\^`<>\" \r\n\t"
_SLASHED = ("http:", "https:", "ftp:", "gopher:", "file:")


def normalize(url: str) -> str:
    """A link destination as stored: host name in punycode, then :func:`encode`.

    Only a URL with non-ASCII characters can have a host name to recode.
    """
    url = url.strip()
    return encode(url if url.isascii() else _ascii_host(url))


def _ascii_host(url: str) -> str:
    """``url`` with its host name in punycode, where it has one (mdurl's URL parse)."""
    proto_match = _PROTOCOL.match(url)
    proto = proto_match.group(0) if proto_match else ""
    rest = url[len(proto) :]
    hostless = proto in ("javascript", "javascript:")
    slashes = rest.startswith("//") and not hostless
    if slashes:
        rest = rest[2:]
    if hostless or not (slashes or (proto and proto not in _SLASHED)):
        return url
    ends = [i for i in (rest.find(c) for c in "/?#") if i != -1]
    at = rest.rfind("@", 0, min(ends) + 1) if ends else rest.rfind("@")
    auth = ""
    if at != -1:
        auth, rest = rest[:at], rest[at + 1 :]
    end = next((i for i, ch in enumerate(rest) if ch in _NOT_HOST), len(rest))
    if end > 0 and rest[end - 1] == ":":
        end -= 1
    host, rest = rest[:end], rest[end:]
    port = ""
    port_match = _PORT.search(host)
    if port_match:
        port = port_match.group(0)[1:]
        host = host[: port_match.start()]
    host, moved = _valid_host(host)
    rest = moved + rest
    if host and (not proto or proto in ("http:", "https:", "mailto:")) and ":" not in host:
        with contextlib.suppress(UnicodeError):
            host = ".".join(
                label if label.isascii() else "xn--" + label.encode("punycode").decode()
                for label in _LABEL_DOTS.split(host)
            )
    return "".join(
        (
            proto,
            "//" if slashes else "",
            auth + "@" if auth else "",
            host,
            ":" + port if port else "",
            rest,
        )
    )


def _valid_host(host: str) -> tuple[str, str]:
    """The host name's valid labels, and what follows them (part of the path)."""
    if host.startswith("[") and host.endswith("]"):
        return host, ""
    parts = host.split(".")
    for i, part in enumerate(parts):
        if not part or _HOST_PART.fullmatch(part):
            continue
        if _HOST_PART.fullmatch("".join("x" if ord(ch) > 127 else ch for ch in part)):
            continue
        valid, not_host = parts[:i], parts[i + 1 :]
        bit = _HOST_PART_START.fullmatch(part)
        if bit:
            valid.append(bit.group(1))
            not_host.insert(0, bit.group(2))
        return ".".join(valid), ".".join(not_host)
    return (host, "") if len(host) <= 255 else ("", "")


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
