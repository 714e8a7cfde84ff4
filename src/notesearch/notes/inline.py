"""One run of inline events -> plain text, tags, links and anchors, with their lines.

Tags and wiki links, which CommonMark does not know, are read here from the
text events pulldown-cmark (through pyromark) produces, so code never yields
either. Every event carries its byte range, so a link's line is the line its
source starts on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from ..models import Link
from ..records import record
from . import links as linkmod
from . import tags as tagmod
from . import urls
from .escapes import escaped_tags, escaped_wiki

if TYPE_CHECKING:
    from .source import Item, Source

# Ends the walk: an event that is no text, so the text before it is read like any other.
_FLUSH: Item = ("Rule", {"start": 0, "end": 0})
_WIKI = re.compile(r"(!?)\[\[([^\[\]\n]+?)\]\]")


# [^<>] keeps each attempt inside one tag: linear even on "<<<<..." without ">".
HTML_ANCHOR = re.compile(r"""<[^<>]*?\b(?:name|id)\s*=\s*["']?([^"'\s<>]+)""", re.IGNORECASE)


@record(frozen=False)
class Inline:
    """Plain text, tags and links read from one run of inline events."""

    text: str
    tags: list[str]
    links: list[Link]
    stripped: str  # the text without its trailing tags (for headings)
    anchors: list[str]  # ``<a name=...>`` / ``id=...`` in inline HTML


def read_inline(path: str, events: Sequence[Item], source: Source) -> Inline:
    """Walk one run of inline events: text, tags, links, trailing tag spans.

    A code span whose whole content is one tag counts as a tag only where this
    user puts them: in the run of such spans (and white space) that ends a
    line. Anywhere else it is code.
    """
    # Per physical line: list of (kind, value) where kind is "text" | "tagspan".
    lines: list[list[tuple[str, str]]] = [[]]
    found_tags: list[str] = []
    found_links: list[Link] = []
    anchors: list[str] = []
    if not events:
        return _assemble(lines, found_tags, found_links, anchors)
    raw = source.text(source.run_start(events[0][1]["start"]), events[-1][1]["end"])
    in_autolink = False
    escaped = escaped_tags(raw)
    escaped_wiki_names = escaped_wiki(raw)
    as_written = AsWritten(raw)
    previous = ""  # the text just before the current event, for '#' after a word
    image = 0  # how deep in image descriptions: their text is the image's alt text
    alt: list[str] = []
    pending: list[str] = []  # adjacent text events make one text
    pending_at = 0
    for event, where in (*events, _FLUSH):
        if type(event) is dict and "Text" in event:
            if image:
                if image == 1:
                    alt.append(event["Text"])
            else:
                if not pending:
                    pending_at = where["start"]
                pending.append(event["Text"])
            continue
        if pending:
            content = "".join(pending)
            pending.clear()
            if in_autolink:  # the URL, shown decoded; never a tag or a wiki link
                lines[-1].append(("text", urls.link_text(content)))
            else:
                lines[-1].append(("text", content))
                if "#" in content:
                    found_tags.extend(
                        name
                        for offset, name in tagmod.find_in_text(content)
                        if (offset > 0 or not previous or previous[-1].isspace())
                        and name not in escaped
                    )
                if "[[" in content:
                    line = source.line(pending_at)
                    for match in _WIKI.finditer(content):
                        if match.group(2) in escaped_wiki_names:
                            continue  # written \[\[like this\]\]: text, not a link
                        embed = match.group(1) == "!"
                        found_links.append(linkmod.wiki_link(match.group(2), line, embed=embed))
            previous = content
        if type(event) is str:
            if event in ("SoftBreak", "HardBreak") and not image:
                lines.append([])
                previous = "\n"
            continue
        key = next(iter(event))
        if image:
            if key == "Start" and _is_image(event):
                image += 1
            elif key == "End" and event["End"] == "Image":
                image -= 1
                if not image:
                    lines[-1].append(("text", "".join(alt)))
                    previous = "x"
            continue
        if key == "Code":
            code = event[key]
            tag = tagmod.code_span_tag(code)
            lines[-1].append(("tagspan", tag) if tag is not None else ("text", code))
        elif key == "Start":
            tag_start = event[key]
            if type(tag_start) is dict and "Link" in tag_start:
                data = tag_start["Link"]
                line = source.line(where["start"])
                kind = data["link_type"]
                if kind in ("Autolink", "Email"):
                    in_autolink = True
                    dest = data["dest_url"] if kind == "Autolink" else "mailto:" + data["dest_url"]
                    href = as_written(urls.normalize(dest))
                    found_links.append(Link(kind="external", raw=href, line=line))
                else:
                    href = as_written(urls.normalize(data["dest_url"]))
                    found_links.append(linkmod.markdown_link(path, href, line))
            elif type(tag_start) is dict and "Image" in tag_start:
                data = tag_start["Image"]
                src = as_written(urls.normalize(data["dest_url"]))
                line = source.line(where["start"])
                found_links.append(linkmod.markdown_link(path, src, line, embed=True))
                image = 1
                alt = []
                continue
        elif key == "End":
            if event[key] == "Link":
                in_autolink = False
        elif key == "InlineHtml":
            anchors.extend(HTML_ANCHOR.findall(event[key]))
        previous = "x"  # markup such as ** or `: a '#' right after it is not a tag
    return _assemble(lines, found_tags, found_links, anchors)


def _is_image(event: dict[str, Any]) -> bool:
    tag = event["Start"]
    return type(tag) is dict and "Image" in tag


def _assemble(
    lines: list[list[tuple[str, str]]],
    found_tags: list[str],
    found_links: list[Link],
    anchors: list[str],
) -> Inline:
    """The text lines, the heading form without trailing tags, and the tags found."""
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


class AsWritten:
    """Link targets as the note writes them, each distinct target looked up once.

    Targets come percent-encoded (``a b.md`` -> ``a%20b.md``, ``..\\x`` ->
    ``..%5Cx``: :func:`notesearch.notes.urls.encode`); when the decoded form is what the source says
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
