"""Note text -> sections with tags and links.

CommonMark structure comes from pulldown-cmark (through pyromark): a heading
is what its block parser calls one (ATX or setext; never a ``#`` line inside
code, an HTML block or front matter), and every event carries its byte range,
so every section and link knows its line. Tags and wiki links, which
CommonMark does not know, are read from the inline text events, so code never
yields either.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pyromark

from ..models import Diagnostic, Link, Note, Section
from ..records import field, record
from . import front_matter
from . import links as linkmod
from . import tags as tagmod
from .comments import strip_comments
from .inline import HTML_ANCHOR, read_inline
from .names import strip_suffix
from .source import Source

if TYPE_CHECKING:
    from .source import Item

_BLOCK_ID = re.compile(r"(?:^|[\s\])])\^([A-Za-z0-9-]+)\s*$", re.MULTILINE)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]*>")

# Inline events; every other event starts or ends a block.
_INLINE = frozenset(("Text", "Code", "InlineHtml", "FootnoteReference", "InlineMath"))
_INLINE_TAGS = frozenset(
    ("Emphasis", "Strong", "Strikethrough", "Superscript", "Subscript", "Link", "Image")
)


@record
class _Markdown:
    """How notes are parsed: CommonMark plus tables (what the index has always read)."""

    options: pyromark.Options
    selective: bool  # read plain text runs without the inline walk


@lru_cache(maxsize=2)
def _markdown(selective: bool = True) -> _Markdown:
    """The parser settings; ``selective`` reads runs of plain text directly.

    A run of text events with no ``#`` and no ``[`` can hold no tag and no
    link: its text is its lines, trimmed (tests/notes/test_parse.py checks
    both ways give the same note). Headings are always walked.
    """
    return _Markdown(options=pyromark.Options.ENABLE_TABLES, selective=selective)


def _plain_text(run: Sequence[Item]) -> str | None:
    """The text of a run of plain text and line breaks, or None if it may hold more."""
    lines: list[str] = []
    parts: list[str] = []
    for event, _ in run:
        if type(event) is str:
            lines.append("".join(parts).strip())
            parts.clear()
            continue
        text = event.get("Text")
        if text is None or "#" in text or "[" in text:
            return None
        parts.append(text)
    lines.append("".join(parts).strip())
    return "\n".join(lines)


@record(frozen=False)
class _Draft:
    """A section while it is being built."""

    line: int  # 1-based line in the file
    level: int
    heading: str = ""
    heading_tags: list[str] = field(default_factory=list)
    body_tags: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


def parse_note(path: str, text: str) -> tuple[Note, list[Diagnostic]]:
    """Parse one note's text into a :class:`Note` and its warnings.

    Args:
        path: the note's path relative to the notes root, ``/`` separated.
        text: decoded text with ``\\n`` line endings (see :mod:`notesearch.read`).
    """
    return _parse(path, text, _markdown())


def _parse(path: str, text: str, md: _Markdown) -> tuple[Note, list[Diagnostic]]:
    fm = front_matter.split(text)
    diagnostics = [Diagnostic(message, path, line) for line, message in fm.warnings]
    body = strip_comments(fm.body)
    source = Source(body, fm.body_line)

    drafts: list[_Draft] = [_Draft(line=fm.body_line, level=0)]
    anchors_extra: list[str] = []
    run: list[Item] = []  # the inline events since the last block event
    heading: _Draft | None = None
    code: list[str] | None = None  # the text of the code block being read
    html: list[str] | None = None  # the lines of the HTML block being read
    entities = "&#" in body  # a numeric character reference may need the old reading
    items: Iterable[Item] = pyromark.events_with_range(body, options=md.options)
    for item in items:
        event = item[0]
        if type(event) is str:
            if event != "Rule":
                run.append(item)  # a soft or hard line break
            continue
        key = next(iter(event))
        if key == "Text" and code is not None:
            code.append(event[key])
            continue
        if key in _INLINE:
            if entities and key == "Text" and len(event[key]) == 1:
                item = _entity(item, source)
            run.append(item)
            continue
        if key == "Html":
            if html is not None:
                html.append(event[key])
            continue
        tag = event[key]
        if (type(tag) is str and tag in _INLINE_TAGS) or (
            type(tag) is dict and ("Link" in tag or "Image" in tag)
        ):
            run.append(item)
            continue
        # A block starts or ends: the inline events before it are one run.
        run = _trim(run, source)
        current = drafts[-1]
        if heading is not None:  # the heading's own text, up to its end
            parsed = read_inline(path, run, source)
            heading.heading = parsed.stripped
            heading.heading_tags = parsed.tags
            heading.links.extend(parsed.links)
            anchors_extra.extend(parsed.anchors)
            drafts.append(heading)
            heading = None
        elif run:
            _read_text(path, run, source, current, anchors_extra, md.selective)
        run = []
        if key == "Start":
            if type(tag) is dict and "Heading" in tag:
                level = int(tag["Heading"]["level"][1])
                heading = _Draft(line=source.line(item[1]["start"]), level=level)
            elif type(tag) is dict and "CodeBlock" in tag:
                code = []
            elif tag == "HtmlBlock":
                html = []
        elif code is not None and tag == "CodeBlock":
            drafts[-1].text.append("".join(code).rstrip("\n"))
            code = None
        elif html is not None and tag == "HtmlBlock":
            content = "".join(html)
            anchors_extra.extend(HTML_ANCHOR.findall(content))
            plain = _html_text(_HTML_COMMENT.sub("", content)).strip()
            if plain:
                drafts[-1].text.append(plain)
            html = None

    return _assemble(path, text, fm, drafts, anchors_extra), diagnostics


def _trim(run: list[Item], source: Source) -> list[Item]:
    """The run without lines of white space at its ends, and no line break first.

    (The old parser's inline text was its source stripped, so a first or last line of
    white space such as a no-break space was no line of its own; and pulldown-cmark
    may open a run with a hard break: trailing spaces on a blank-looking line. A
    backslash line break was kept.)
    """
    start, end = 0, len(run)
    while True:
        i = start
        while i < end and _blank(run[i][0]):
            i += 1
        if i == end or not _spaces_break(run[i], source):
            break
        start = i + 1
    while True:
        j = end
        while j > start and _blank(run[j - 1][0]):
            j -= 1
        if j == start or not _spaces_break(run[j - 1], source):
            break
        end = j - 1
    return run if (start, end) == (0, len(run)) else run[start:end]


def _blank(event: Any) -> bool:
    """Whether the event is text of white space only."""
    return type(event) is dict and "Text" in event and not event["Text"].strip()


def _spaces_break(item: Item, source: Source) -> bool:
    """Whether the event is a line break written as white space (not a backslash)."""
    return type(item[0]) is str and source.data[item[1]["start"] : item[1]["start"] + 1] != b"\\"


def _entity(item: Item, source: Source) -> Item:
    """A one-character text event as the old parser read it.

    A numeric character reference to a control character or a noncharacter
    (``&#5;``) was the replacement character there; pulldown-cmark keeps it.
    """
    event, where = item
    code = ord(event["Text"])
    if _valid_code(code) or not source.data.startswith(b"&#", where["start"]):
        return item
    return ({"Text": "\ufffd"}, where)


def _valid_code(code: int) -> bool:
    """markdown-it's ``isValidEntityCode``."""
    return not (
        0xD800 <= code <= 0xDFFF
        or 0xFDD0 <= code <= 0xFDEF
        or code & 0xFFFF in (0xFFFE, 0xFFFF)
        or code <= 0x08
        or code == 0x0B
        or 0x0E <= code <= 0x1F
        or 0x7F <= code <= 0x9F
        or code > 0x10FFFF
    )


def _read_text(
    path: str,
    run: Sequence[Item],
    source: Source,
    draft: _Draft,
    anchors: list[str],
    selective: bool,
) -> None:
    """Add one run of body text to its section: text, tags, links, anchors."""
    plain = _plain_text(run) if selective else None
    if plain is None:
        parsed = read_inline(path, run, source)
        plain = parsed.text
        draft.body_tags.extend(parsed.tags)
        draft.links.extend(parsed.links)
        anchors.extend(parsed.anchors)
    draft.text.append(plain)
    if "^" in plain:
        anchors.extend(_BLOCK_ID.findall(plain))


def _html_text(html: str) -> str:
    """The HTML with each tag a space.

    No tag starts after the last ``>``; leaving that tail out keeps the
    expression from rescanning it from every ``<`` (linear time).
    """
    cut = html.rfind(">") + 1
    return _HTML_TAG.sub(" ", html[:cut]) + html[cut:]


def _assemble(
    path: str,
    text: str,
    fm: front_matter.FrontMatter,
    drafts: list[_Draft],
    anchors_extra: list[str],
) -> Note:
    preamble = drafts[0]
    headed = drafts[1:]
    keep_preamble = any(part.strip() for part in preamble.text) or bool(preamble.links)
    # A note of front matter alone is one section, found by its title, aliases and tags.
    if not keep_preamble and not headed and (fm.title or fm.aliases or fm.tags):
        keep_preamble = True
        preamble.line = 1  # its lines are the front matter
    kept = ([preamble] if keep_preamble else []) + headed

    first_h1 = next((d for d in headed if d.level == 1), None)
    title = fm.title or (first_h1.heading if first_h1 and first_h1.heading else None)
    title = title or _file_title(path)

    # Note-level tags: front matter, the preamble, and the title section when
    # the note opens with its H1 (the ``**Tags:**`` line under the title).
    note_tags = list(fm.tags) + preamble.heading_tags + preamble.body_tags
    title_section = headed[0] if headed and headed[0].level == 1 else None
    if title_section is not None:
        note_tags += title_section.heading_tags + title_section.body_tags
    note_tags_t = tagmod.unique(note_tags)

    total_lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    slugs = linkmod.SlugMaker()
    sections: list[Section] = []
    stack: list[tuple[int, str, list[str]]] = []  # (level, heading, heading tags)
    for index, draft in enumerate(kept):
        end = kept[index + 1].line - 1 if index + 1 < len(kept) else max(total_lines, draft.line)
        if draft.level > 0:
            while stack and stack[-1][0] >= draft.level:
                stack.pop()
        breadcrumb = tuple(h for _, h, _ in stack if h)
        inherited = [t for _, _, ts in stack for t in ts]
        effective = tagmod.unique([*note_tags_t, *inherited, *draft.heading_tags, *draft.body_tags])
        sections.append(
            Section(
                path=path,
                title=title,
                heading=draft.heading,
                level=draft.level,
                breadcrumb=breadcrumb,
                anchor=slugs(draft.heading) if draft.level > 0 else "",
                line=draft.line,
                end_line=end,
                tags=effective,
                links=tuple(draft.links),
                text="\n\n".join(part for part in draft.text if part),
            )
        )
        if draft.level > 0:
            stack.append((draft.level, draft.heading, draft.heading_tags))

    anchors = tagmod.unique(
        [s.anchor for s in sections if s.anchor]
        + [a.lower() for a in anchors_extra]
        + ["^" + a.lower() for a in anchors_extra]
    )
    return Note(
        path=path,
        title=title,
        aliases=fm.aliases,
        tags=note_tags_t,
        anchors=anchors,
        sections=tuple(sections),
    )


def _file_title(path: str) -> str:
    return strip_suffix(posixpath.basename(path))
