"""Note text -> sections with tags and links.

CommonMark structure comes from markdown-it-py: a heading is what its block
parser calls one (ATX or setext; never a ``#`` line inside code, an HTML block
or front matter), and tokens carry ``.map`` line ranges, so every section
knows its lines. Tags and wiki links, which CommonMark does not know, are read
from the inline text tokens, so code never yields either.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from ..models import Diagnostic, Link, Note, Section
from . import front_matter
from . import links as linkmod
from . import tags as tagmod
from .comments import strip_comments
from .inline import HTML_ANCHOR, read_inline
from .names import strip_suffix

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

_BLOCK_ID = re.compile(r"(?:^|[\s\])])\^([A-Za-z0-9-]+)\s*$", re.MULTILINE)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]*>")


# Characters that can start inline markup (escapes, code spans, emphasis,
# links, images, autolinks, HTML, entities) or a tag. Inline text without
# any of them is plain text, line by line.
_INLINE_MARKUP = re.compile(r"[\\`*_\[\]!<&#]")


@lru_cache(maxsize=2)
def _markdown(selective: bool = True) -> MarkdownIt:
    """The Markdown parser; ``selective`` skips inline parsing of plain text."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"maxNesting": 100}).enable("table")
    # CommonMark's preset nests 20 deep and drops what lies deeper; notes with
    # deep lists or quotes must not lose text. And every link is kept as
    # written (javascript:, file:...): it is classified, never followed.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    if selective:
        md.core.ruler.at("inline", _selective_inline)
    return md


def _selective_inline(state: StateCore) -> None:
    """markdown-it's inline stage, run only where markup can be.

    Inline parsing is most of markdown-it's time; a paragraph with no markup
    character is marked ``plain`` and read by :func:`_plain_text` instead
    (tests/test_parse.py checks both give the same note). Headings are
    always parsed.
    """
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "inline":
            continue
        if (i and tokens[i - 1].type == "heading_open") or _INLINE_MARKUP.search(token.content):
            token.children = []
            state.md.inline.parse(token.content, state.md, state.env, token.children)
        else:
            token.meta["plain"] = True


def _plain_text(content: str) -> str:
    """What inline parsing makes of text without markup: its lines, trimmed."""
    return "\n".join(line.strip() for line in content.split("\n"))


@dataclass(slots=True)
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


def _parse(path: str, text: str, md: MarkdownIt) -> tuple[Note, list[Diagnostic]]:
    fm = front_matter.split(text)
    diagnostics = [Diagnostic(message, path, line) for line, message in fm.warnings]
    body = strip_comments(fm.body)
    offset = fm.body_line - 1
    tokens = md.parse(body)

    drafts: list[_Draft] = [_Draft(line=fm.body_line, level=0)]
    anchors_extra: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open" and token.map is not None:
            inline = tokens[i + 1]
            level = int(token.tag[1:])
            parsed = read_inline(
                path, inline.children or [], token.map[0] + 1 + offset, inline.content
            )
            draft = _Draft(line=token.map[0] + 1 + offset, level=level)
            draft.heading = parsed.stripped
            draft.heading_tags = parsed.tags
            draft.links.extend(parsed.links)
            anchors_extra.extend(parsed.anchors)
            drafts.append(draft)
            i += 3
            continue
        current = drafts[-1]
        if token.type == "inline" and token.map is not None and token.meta.get("plain"):
            plain = _plain_text(token.content)
            current.text.append(plain)
            if "^" in plain:
                anchors_extra.extend(_BLOCK_ID.findall(plain))
        elif token.type == "inline" and token.map is not None:
            parsed = read_inline(
                path, token.children or [], token.map[0] + 1 + offset, token.content
            )
            current.text.append(parsed.text)
            current.body_tags.extend(parsed.tags)
            current.links.extend(parsed.links)
            anchors_extra.extend(parsed.anchors)
            if "^" in parsed.text:
                anchors_extra.extend(_BLOCK_ID.findall(parsed.text))
        elif token.type in ("fence", "code_block"):
            current.text.append(token.content.rstrip("\n"))
        elif token.type == "html_block":
            anchors_extra.extend(HTML_ANCHOR.findall(token.content))
            plain = _html_text(_HTML_COMMENT.sub("", token.content)).strip()
            if plain:
                current.text.append(plain)
        i += 1

    return _assemble(path, text, fm, drafts, anchors_extra), diagnostics


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
