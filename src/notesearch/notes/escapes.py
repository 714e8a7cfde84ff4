"""What an inline source writes escaped: ``\\#notatag`` and ``\\[\\[not a link\\]\\]``.

The parser resolves backslash escapes, so its text events show ``#notatag``
and ``[[not a link]]`` as if they were written plainly; these read the raw
source to tell them apart. Each is one pass over the source (linear time):
replacing over the whole paragraph once per escaped link took minutes on a
paragraph of 50,000 of them (tests/limits/test_linear_parse.py).
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict

from . import tags as tagmod

_ESCAPED_TAG = re.compile(r"\\#([^\s#]+)")
_OPEN = "\\[\\["
_CLOSE = "\\]\\]"
# Names a wiki link can have: no brackets, no line break (inline._WIKI).
_ESCAPED_LINK = re.compile(r"\\\[\\\[([^\[\]\n]+)\\\]\\\]")
_PLAIN_LINK = re.compile(r"\[\[([^\[\]\n]+)\]\]")


def escaped_tags(raw: str) -> frozenset[str]:
    """Tags written only with an escaped hash (``\\#notatag``) in the raw inline source."""
    if "\\#" not in raw:
        return frozenset()
    escaped = {tagmod.normalize(m) for m in _ESCAPED_TAG.findall(raw)}
    plain = {name for _, name in tagmod.find_in_text(raw)}
    return frozenset(name for name in escaped if name is not None and name not in plain)


def escaped_wiki(raw: str) -> frozenset[str]:
    """Link targets written as escaped brackets (``\\[\\[name\\]\\]``) and never unescaped.

    A name counts when the source still has no ``[[name]]`` once every
    ``\\[\\[name\\]\\]`` is taken out of it. Only names a wiki link can have
    (no brackets, no line break) are returned: no other name can be asked about.
    """
    if _OPEN not in raw:
        return frozenset()
    names = {name for name in _escaped_names(raw) if "[" not in name and "]" not in name}
    if not names:
        return frozenset()
    plain = {m.group(1) for m in _PLAIN_LINK.finditer(raw)}
    # Every ``\[\[name\]\]`` of a bracket-free name: they never overlap.
    where: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for match in _ESCAPED_LINK.finditer(raw):
        if match.group(1) in names:
            where[match.group(1)].append(match.span())
    return frozenset(
        name
        for name in names
        if name not in plain and not _joined_link(raw, where[name], f"[[{name}]]")
    )


def _escaped_names(raw: str) -> list[str]:
    """What ``re.findall(r"\\\\\\[\\\\\\[(.+?)\\\\\\]\\\\\\]", raw)`` gives, in one pass.

    From each ``\\[\\[`` (left to right, after the previous match), the name
    runs to the first ``\\]\\]`` at least one character on, when no line
    break comes first.
    """
    opens = _positions(raw, _OPEN)
    closes = _positions(raw, _CLOSE)
    breaks = _positions(raw, "\n")
    names: list[str] = []
    resume = 0
    c = b = 0
    for start in opens:
        if start < resume:
            continue
        c = bisect.bisect_left(closes, start + 5, c)
        if c == len(closes):
            break
        b = bisect.bisect_left(breaks, start + 4, b)
        close = closes[c]
        if b < len(breaks) and breaks[b] < close:
            continue
        names.append(raw[start + 4 : close])
        resume = close + 4
    return names


def _positions(text: str, needle: str) -> list[int]:
    """Every start of ``needle`` in ``text``, overlapping ones included."""
    found = []
    pos = text.find(needle)
    while pos != -1:
        found.append(pos)
        pos = text.find(needle, pos + 1)
    return found


def _joined_link(raw: str, spans: list[tuple[int, int]], link: str) -> bool:
    """Whether taking ``spans`` out of ``raw`` joins its pieces into ``link``.

    Only text within ``len(link) - 1`` characters of a cut can form a new
    occurrence, so each cut looks at that much on either side.
    """
    if not spans:
        return False
    # The pieces left once the spans are cut out; touching spans make one cut.
    pieces: list[tuple[int, int]] = []
    last = 0
    for start, end in spans:
        if start > last or not pieces:
            pieces.append((last, start))
        last = end
    pieces.append((last, len(raw)))
    reach = len(link) - 1
    for cut in range(1, len(pieces)):
        left = _gather(raw, pieces, cut - 1, reach, backwards=True)
        right = _gather(raw, pieces, cut, reach, backwards=False)
        if link in left + right:
            return True
    return False


def _gather(
    raw: str, pieces: list[tuple[int, int]], index: int, reach: int, *, backwards: bool
) -> str:
    """Up to ``reach`` characters of the joined pieces, ending with piece ``index``
    (``backwards``) or starting with it."""
    parts: list[str] = []
    size = 0
    step = -1 if backwards else 1
    while 0 <= index < len(pieces) and size < reach:
        start, end = pieces[index]
        if backwards:
            part = raw[max(start, end - (reach - size)) : end]
        else:
            part = raw[start : min(end, start + reach - size)]
        parts.append(part)
        size += len(part)
        index += step
    return "".join(reversed(parts) if backwards else parts)
