"""The parsing code before it was made linear, kept as the reference the new scans must
equal (tests/limits/test_linear_parse.py) and be timed against (bench/pathological.py).
Never used by notesearch itself.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

_OLD_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[`~]*[ \t]*$|\Z)", re.M | re.S)


_OLD_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)


_OLD_COMMENT = re.compile(r"%%.*?%%", re.DOTALL)


_OLD_ESCAPED_WIKI = re.compile(r"\\\[\\\[(.+?)\\\]\\\]")


_OLD_HTML_TAG = re.compile(r"<[^>]*>")


def _old_blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def old_mask_fences(body: str) -> str:
    return _OLD_FENCE.sub(_old_blank, body)


def old_mask_code_spans(text: str) -> str:
    return _OLD_CODE_SPAN.sub(lambda m: " " * len(m.group(0)), text)


def old_strip_comments(body: str) -> str:
    if "%%" not in body:
        return body
    masked = _OLD_CODE_SPAN.sub(lambda m: " " * len(m.group(0)), _OLD_FENCE.sub(_old_blank, body))
    pieces = []
    last = 0
    for match in _OLD_COMMENT.finditer(masked):
        pieces.append(body[last : match.start()])
        pieces.append(_old_blank(match))
        last = match.end()
    pieces.append(body[last:])
    return "".join(pieces)


def old_escaped_wiki(raw: str) -> frozenset[str]:
    if "\\[" not in raw:
        return frozenset()
    return frozenset(
        name
        for name in _OLD_ESCAPED_WIKI.findall(raw)
        if f"[[{name}]]" not in raw.replace(f"\\[\\[{name}\\]\\]", "")
    )


class OldAsWritten:
    def __init__(self, raw: str) -> None:
        self.raw = raw

    def __call__(self, target: str) -> str:
        if "%" not in target:
            return target
        decoded = unquote(target)
        return decoded if decoded in self.raw and target not in self.raw else target


def old_html_text(html: str) -> str:
    return _OLD_HTML_TAG.sub(" ", html)


def use_old_code() -> None:
    from notesearch.notes import inline, parse

    parse.strip_comments = old_strip_comments
    parse._html_text = old_html_text
    inline.escaped_wiki = old_escaped_wiki
    inline._AsWritten = OldAsWritten
