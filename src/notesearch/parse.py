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
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import unquote

from . import front_matter
from . import links as linkmod
from . import tags as tagmod
from .models import Diagnostic, Link, Note, Section

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

_WIKI = re.compile(r"(!?)\[\[([^\[\]\n]+?)\]\]")
_OBSIDIAN_COMMENT = re.compile(r"%%.*?%%", re.DOTALL)
_BLOCK_ID = re.compile(r"(?:^|[\s\])])\^([A-Za-z0-9-]+)\s*$", re.MULTILINE)
# [^<>] keeps each attempt inside one tag: linear even on "<<<<..." without ">".
_HTML_ANCHOR = re.compile(r"""<[^<>]*?\b(?:name|id)\s*=\s*["']?([^"'\s<>]+)""", re.IGNORECASE)
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


@dataclass(slots=True)
class _Inline:
    """Plain text, tags and links read from one inline token."""

    text: str
    tags: list[str]
    links: list[Link]
    stripped: str  # the text without its trailing tags (for headings)
    anchors: list[str]  # ``<a name=...>`` / ``id=...`` in inline HTML


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
    body = _strip_comments(fm.body)
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
            parsed = _read_inline(
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
            parsed = _read_inline(
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
            anchors_extra.extend(_HTML_ANCHOR.findall(token.content))
            plain = _HTML_TAG.sub(" ", _HTML_COMMENT.sub("", token.content)).strip()
            if plain:
                current.text.append(plain)
        i += 1

    return _assemble(path, text, fm, drafts, anchors_extra), diagnostics


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[`~]*[ \t]*$|\Z)", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)


def _strip_comments(body: str) -> str:
    """Blank out Obsidian ``%% comments %%`` (keeping line breaks), but not in code.

    ``%%time`` in a Jupyter cell or `` `%%` `` in a code span is code, not a
    comment. Code is masked by a light scan for fences and code spans first.
    """
    if "%%" not in body:
        return body
    masked = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), _FENCE.sub(_blank, body))
    pieces = []
    last = 0
    for match in _OBSIDIAN_COMMENT.finditer(masked):
        pieces.append(body[last : match.start()])
        pieces.append(_blank(match))
        last = match.end()
    pieces.append(body[last:])
    return "".join(pieces)


def _blank(match: re.Match[str]) -> str:
    """Spaces for the matched text, keeping its line breaks (same length)."""
    return re.sub(r"[^\n]", " ", match.group(0))


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
                text="\n".join(part for part in draft.text if part),
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
    name = posixpath.basename(path)
    for suffix in linkmod.NOTE_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def _read_inline(path: str, children: Sequence[Token], first_line: int, raw: str = "") -> _Inline:
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
    escaped = _escaped_tags(raw)
    escaped_wiki = _escaped_wiki(raw)
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
                        if match.group(2) in escaped_wiki:
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
            href = _as_written(str(child.attrs.get("href", "")), raw)
            if child.markup == "autolink" or child.info == "auto":
                in_autolink = True
                found_links.append(Link(kind="external", raw=href, line=line))
            else:
                found_links.append(linkmod.markdown_link(path, href, line))
        elif kind == "link_close":
            in_autolink = False
        elif kind == "image":
            src = _as_written(str(child.attrs.get("src", "")), raw)
            found_links.append(linkmod.markdown_link(path, src, line, embed=True))
            alt = "".join(c.content for c in child.children or [] if c.type == "text")
            lines[-1].append(("text", alt))
        elif kind == "html_inline":
            anchors.extend(_HTML_ANCHOR.findall(child.content))
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
    return _Inline(
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


def _as_written(target: str, raw: str) -> str:
    """The link target as the note writes it.

    markdown-it percent-encodes targets (``a b.md`` -> ``a%20b.md``,
    ``..\\x`` -> ``..%5Cx``); when the decoded form is what the source says,
    report that.
    """
    if "%" not in target:
        return target
    decoded = unquote(target)
    return decoded if decoded in raw and target not in raw else target


_ESCAPED_TAG = re.compile(r"\\#([^\s#]+)")


def _escaped_tags(raw: str) -> frozenset[str]:
    """Tags written only with an escaped hash (``\\#notatag``) in the raw inline source."""
    if "\\#" not in raw:
        return frozenset()
    escaped = {tagmod.normalize(m) for m in _ESCAPED_TAG.findall(raw)}
    plain = {name for _, name in tagmod.find_in_text(raw)}
    return frozenset(name for name in escaped if name is not None and name not in plain)


_ESCAPED_WIKI = re.compile(r"\\\[\\\[(.+?)\\\]\\\]")


def _escaped_wiki(raw: str) -> frozenset[str]:
    """Targets written as escaped brackets (``\\[\\[name\\]\\]``) and never unescaped."""
    if "\\[" not in raw:
        return frozenset()
    return frozenset(
        name
        for name in _ESCAPED_WIKI.findall(raw)
        if f"[[{name}]]" not in raw.replace(f"\\[\\[{name}\\]\\]", "")
    )


def _wiki_display(match: re.Match[str]) -> str:
    target, _, alias = match.group(2).partition("|")
    return alias or target


def _drop_trailing_plain_tags(text: str) -> str:
    """``Issue #42 #bug`` -> ``Issue #42``: trailing words that are tags go."""
    words = text.split(" ")
    while len(words) > 1 and words[-1].startswith("#") and tagmod.normalize(words[-1]):
        words.pop()
    return " ".join(words).rstrip()
