"""Tag syntax and tag arithmetic.

A tag is written ``#name`` where the name is letters (any script), digits,
``_``, ``-`` and ``/`` with at least one non-digit (Obsidian's rule). Tags are
compared case-insensitively and stored lowercase; ``/`` nests, so ``aws/s3``
is also under ``aws``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

# Tag characters: anything but white space and punctuation, except _ - and /.
# (Not just \w: combining marks, as in NFD "café" or Devanagari, belong to
# the word too.) ASCII, general and CJK punctuation end a tag, and so does
# full-width punctuation (``#笔记：`` is the tag 笔记), but not the full-width ＿.
_STOP = re.escape("!\"#$%&'()*+,.:;<=>?@[\\]^`{|}~")
_WIDE_STOP = "\uff01-\uff0f\uff1a-\uff20\uff3b-\uff3e\uff40\uff5b-\uff65"
_CHARS = f"[^\\s{_STOP}\u2000-\u206f\u3000-\u303f{_WIDE_STOP}]"
# A whole tag (as in a code span `#gotcha` or a --tag argument after '#').
TAG_NAME = re.compile(f"{_CHARS}+")


@cache
def _tag_in_text() -> re.Pattern[str]:
    """A tag inside running text: after the start of the text or white space (compiled
    on first use: a query never looks for one)."""
    return re.compile(f"(?:(?<=\\s)|^)#({_CHARS}+)")


def normalize(name: str) -> str | None:
    """Return the canonical form of a tag name, or None if it is not a tag.

    Accepts an optional leading ``#``; strips surrounding and trailing ``/``.
    Full-width letters and digits are folded (NFKC: ``ＡＷＳ`` is ``aws``).
    """
    name = unicodedata.normalize("NFKC", name.strip())
    if name.startswith("#"):
        name = name[1:]
    name = name.strip("/")
    if not name or not TAG_NAME.fullmatch(name):
        return None
    if all(ch.isdigit() or ch in "_-/" for ch in name):
        return None
    if "//" in name:
        return None
    return name.lower()


def find_in_text(text: str) -> list[tuple[int, str]]:
    """Tags written as ``#tag`` in running text, as (offset, normalized name)."""
    found: list[tuple[int, str]] = []
    if "#" not in text:
        return found
    for match in _tag_in_text().finditer(text):
        name = normalize(match.group(1))
        if name is not None:
            found.append((match.start(), name))
    return found


def code_span_tag(content: str) -> str | None:
    """The tag a code span holds when its whole content is one ``#tag``."""
    content = content.strip()
    if not content.startswith("#"):
        return None
    return normalize(content)


def ancestors(tag: str) -> list[str]:
    """``aws/s3/buckets`` -> ``["aws", "aws/s3", "aws/s3/buckets"]``."""
    parts = tag.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def expand(tags: Iterable[str]) -> list[str]:
    """Every tag with all its ancestors, deduplicated, order kept."""
    seen: dict[str, None] = {}
    for tag in tags:
        for name in ancestors(tag):
            seen.setdefault(name, None)
    return list(seen)


def unique(tags: Iterable[str]) -> tuple[str, ...]:
    """Deduplicate, keeping the first occurrence's position."""
    return tuple(dict.fromkeys(tags))
