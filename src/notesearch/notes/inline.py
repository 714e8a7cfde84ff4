"""One inline token's children -> plain text, tags, links and anchors, with their lines.

Tags and wiki links, which CommonMark does not know, are read here from the
inline text tokens markdown-it-py produces, so code never yields either.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote

from ..models import Link
from . import links as linkmod
from . import tags as tagmod
from .escapes import escaped_tags, escaped_wiki

if TYPE_CHECKING:
    from markdown_it.token import Token

_WIKI = re.compile(r"(!?)\[\[([^\[\]\n]+?)\]\]")


# [^<>] keeps each attempt inside one tag: linear even on "<<<<..." without ">".
HTML_ANCHOR = re.compile(r"""<[^<>]*?\b(?:name|id)\s*=\s*["']?([^"'\s<>]+)""", re.IGNORECASE)


@dataclass(slots=True)
class Inline:
    """Plain text, tags and links read from one inline token."""

    text: str
    tags: list[str]
    links: list[Link]
    stripped: str  # the text without its trailing tags (for headings)
    anchors: list[str]  # ``<a name=...>`` / ``id=...`` in inline HTML


def read_inline(path: str, children: Sequence[Token], first_line: int, raw: str = "") -> Inline:
    """Walk one inline token's children: text, tags, links, trailing tag spans.

    A code span whose whole content is one tag counts as a tag only where this
    user puts them: in the run of such spans (and white space) that ends a
    line. Anywhere else it is code.
    """
    line = first_line
    # Per physical line: list of (kind, value) where kind is "text" | "tagspan".
    lines: list[list[tuple[str, str]]] = [[]]
    found_tags: list[str] = []
    found_links: list[Link] = []
    anchors: list[str] = []
    in_autolink = False
    escaped = escaped_tags(raw)
    escaped_wiki_names = escaped_wiki(raw)
    as_written = _AsWritten(raw)
    cursor = 0  # how far into ``raw`` code spans have been found
    previous = ""  # the text just before the current child, for '#' after a word
    for child in children:
        kind = child.type
        if kind == "text":
            content = child.content
            lines[-1].append(("text", content))
            if not in_autolink:
                if "#" in content:
                    found_tags.extend(
                        name
                        for offset, name in tagmod.find_in_text(content)
                        if (offset > 0 or not previous or previous[-1].isspace())
                        and name not in escaped
                    )
                if "[[" in content:
                    for match in _WIKI.finditer(content):
                        if match.group(2) in escaped_wiki_names:
                            continue  # written \[\[like this\]\]: text, not a link
                        embed = match.group(1) == "!"
                        found_links.append(linkmod.wiki_link(match.group(2), line, embed=embed))
            previous = content
            continue
        if kind == "code_inline":
            tag = tagmod.code_span_tag(child.content)
            if tag is not None:
                lines[-1].append(("tagspan", tag))
            else:
                lines[-1].append(("text", child.content))
            if "\n" in raw:  # a code span may wrap lines; markdown-it folds them to spaces
                cursor, wrapped = _code_span_newlines(raw, cursor, child.markup, child.content)
                line += wrapped
        elif kind in ("softbreak", "hardbreak"):
            lines.append([])
            line += 1
            previous = "\n"
            continue
        elif kind == "link_open":
            href = as_written(str(child.attrs.get("href", "")))
            if child.markup == "autolink" or child.info == "auto":
                in_autolink = True
                found_links.append(Link(kind="external", raw=href, line=line))
            else:
                found_links.append(linkmod.markdown_link(path, href, line))
        elif kind == "link_close":
            in_autolink = False
        elif kind == "image":
            src = as_written(str(child.attrs.get("src", "")))
            found_links.append(linkmod.markdown_link(path, src, line, embed=True))
            alt = "".join(c.content for c in child.children or [] if c.type == "text")
            lines[-1].append(("text", alt))
        elif kind == "html_inline":
            anchors.extend(HTML_ANCHOR.findall(child.content))
        previous = "x"  # markup such as ** or `: a '#' right after it is not a tag

    text_lines: list[str] = []
    stripped_lines: list[str] = []
    trailing: list[str] = []
    for segments in lines:
        cut = len(segments)
        while cut > 0:
            seg_kind, value = segments[cut - 1]
            if seg_kind == "tagspan" or (seg_kind == "text" and not value.strip()):
                cut -= 1
            else:
                break
        line_tags = [value for seg_kind, value in segments[cut:] if seg_kind == "tagspan"]
        trailing.extend(line_tags)
        rendered = "".join("#" + v if k == "tagspan" else v for k, v in segments)
        text_lines.append(rendered.strip())
        stripped_lines.append("".join(v for _, v in segments[:cut]).strip())

    stripped = " ".join(part for part in stripped_lines if part)
    # A heading like `## Setup #python` ends in plain tags: drop them from the text;
    # a wiki link shows its alias (or its target), as Obsidian renders it.
    stripped = _WIKI.sub(_wiki_display, _drop_trailing_plain_tags(stripped))
    return Inline(
        text="\n".join(text_lines),
        tags=list(tagmod.unique([*found_tags, *trailing])),
        links=found_links,
        stripped=stripped,
        anchors=anchors,
    )


def _code_span_newlines(raw: str, cursor: int, markup: str, content: str) -> tuple[int, int]:
    """(new cursor, line breaks inside) of the code span found in ``raw`` from ``cursor``."""
    words = content.split()
    body = r"\s+".join(re.escape(w) for w in words) if words else ""
    match = re.compile(re.escape(markup) + r"\s*" + body + r"\s*" + re.escape(markup)).search(
        raw, cursor
    )
    if match is None:
        return cursor, 0
    return match.end(), match.group(0).count("\n")


class _AsWritten:
    """Link targets as the note writes them, each distinct target looked up once.

    markdown-it percent-encodes targets (``a b.md`` -> ``a%20b.md``,
    ``..\\x`` -> ``..%5Cx``); when the decoded form is what the source says
    (and the encoded form is not), report that. Links come in source order, so
    the decoded form is looked for from the previous link on first: one pass
    over a paragraph of many links, not one pass per link.
    """

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.percent = "%" in raw
        self.cursor = 0
        self.known: dict[str, str] = {}

    def __call__(self, target: str) -> str:
        if "%" not in target:
            return target
        known = self.known.get(target)
        if known is None:
            decoded = unquote(target)
            literal = self.percent and target in self.raw
            known = decoded if not literal and self._contains(decoded) else target
            self.known[target] = known
        return known

    def _contains(self, text: str) -> bool:
        pos = self.raw.find(text, self.cursor)
        if pos == -1:
            return self.raw.find(text, 0, self.cursor + len(text) - 1) != -1
        self.cursor = pos
        return True


def _wiki_display(match: re.Match[str]) -> str:
    target, _, alias = match.group(2).partition("|")
    return alias or target


def _drop_trailing_plain_tags(text: str) -> str:
    """``Issue #42 #bug`` -> ``Issue #42``: trailing words that are tags go."""
    words = text.split(" ")
    while len(words) > 1 and words[-1].startswith("#") and tagmod.normalize(words[-1]):
        words.pop()
    return " ".join(words).rstrip()
