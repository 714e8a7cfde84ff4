"""parse_note gives the notes the markdown-it-py parser gave: a table of records.

tests/fixtures/parse_reference.json holds, for each fixture note, each
bundled note and each case below, the ``Note`` and diagnostics that the
markdown-it-py parser produced (written by ``bench/parse_compare.py
--write-reference``, which runs that parser from git). The few places where
the two parsers differ on purpose are in ``CHANGED``, with what is asserted now.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from notesearch import records
from notesearch.models import Diagnostic, Note
from notesearch.notes.parse import parse_note
from notesearch.notes.read import decode

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "fixtures" / "parse_reference.json"
NOTE_FOLDERS = (ROOT / "tests" / "fixtures" / "notes", ROOT / "notes")

# Inline and block constructs where two CommonMark parsers can part ways.
CASES: dict[str, str] = {
    "escaped-hash-and-brackets": "\\#notatag #tag \\[\\[not a link\\]\\] [[a link]]\n",
    "escape-before-tag": "a \\* #tag and \\\\#after-backslash\n",
    "entities": "&amp; &#35;notatag &copy; &#x26; #real\n",
    "tag-after-markup": "**bold**#no *em* #yes `code`#no [l](x.md)#no <b>#no</b>\n",
    "tag-code-spans-trailing": "# Title `#one` `#two`\n\ntext `#inline` more `#end`\n",
    "code-span-wrapped-then-link": "a `code\nspan` b\nc [l](x.md) [[w]]\n",
    "code-span-backticks": "``a ` b`` ```x``` `` ` ``\n",
    "hard-and-soft-breaks": "one  \ntwo\\\nthree\nfour\n",
    "image-alt": "![al &amp; \\_ `c` *t* [l](x) ![n](m.png)](i.png) after\n",
    "image-in-link": "[![im](i.png)](p.md) [[w]]\n",
    "embeds": "![[e.png]] ![[note#Sec|alias]] ![i](p q.png)\n",
    "autolinks": "<http://x.com/%20a%2F%C3%A9> <me@x.org> <https://x.y/#tag> <foo:bar>\n",
    "percent-encoding": (
        "[a](<a b.md>) [b](a%20b.md) [c](café.md) [d](..\\\\x.md) [e](%zz) [f](a%2)\n"
        "[g](a%2520b.md) [h](<a%20b c.md>) [i](x.md#Sec%20tion) [j](x.md#Straße)\n"
    ),
    "hosts": (
        "[a](http://例え.jp/パ) [b](https://bücher.de:8080/x?q=ü#f) [c](mailto:ü@例え.jp)\n"
        "[d](//例え.jp/x) [e](ftp://例え.jp/x) [f](HTTP://例え.jp) [g](http://user@ü.de/)\n"
        "[h](http://a_b.ü!x/y) [i](javascript:alert('ü')) [j](<http://ü.de x>)\n"
    ),
    "external-kinds": "[a](https://x.y) [b](//host/x) [c](mailto:a@b) [d](C:/x.md) [e](~/x.md)\n",
    "relative-and-outside": "[a](../x.md) [b](/abs.md) [c](./here.md#h) [d](#only-anchor) [e]()\n",
    "references": "[r] [R][] [z][r] [y][missing] [r] [[]]\n\n[r]: <u v.md> 'title'\n",
    "wiki-links": "[[a]] [[b|alias]] [[c#Heading]] [[d#^block]] [[e^blk]] [[ spaced ]] [[x\ny]]\n",
    "heading-links-and-tags": "# Setup [[guide|the guide]] [l](x.md) #python #ml\n\nbody #body\n",
    "heading-issue-number": "## Issue #42 #bug\n\ntext\n",
    "setext-multiline": "Line one #t\nline [two](x.md)\n===\n\nSub\n---\n",
    "atx-variants": "# A #\n## B ##########\n### C \\#\n####### seven\n#5 no\n#\n",
    "tables": (
        "| a | b `#t` |\n|---|:-:|\n| x \\| y | |\n| 1 | 2 | 3 |\n| [l](t.md) | #cell |\n\n"
        "text\n| h | i |\n|---|---|\n| j | k |\n"
    ),
    "lists": (
        "- a\n  b #t\n- c\n  - d [l](x.md)\n\n1. one\n\n   two\n2. three\n\n"
        "- [ ] task\n- [x] done\n* > quoted\n"
    ),
    "blockquotes": "> q #t\n> r [x](y.md)\nlazy\n>> nested\n\n> # Quoted heading\n",
    "html-blocks": (
        '<div id="top">\n<a name="anchor-1"></a>\ntext *not em*\n</div>\n\n'
        "<!--\n# hidden\n-->\n\n<details><summary>S</summary>\n\nmd *inside*\n\n</details>\n"
    ),
    "inline-html": 'a <span id="s1">x</span> <a name=n2>y</a> <!-- c --> <b\nclass="z">w</b>\n',
    "block-ids": "para ^block-1\n\n- item ^item-2\n\n> quote ^q3\n\nnot^id\n",
    "code-blocks": (
        "```py\n# not a heading\n#notatag [[no]]\n```\n\n    indented #no\n\n"
        "~~~\nunclosed\n  ## no\n"
    ),
    "fence-in-list": "- item\n\n  ```\n  code\n  ```\n- next\n",
    "comments": "a %% hidden #no [[no]] %% b\n%%\n# hidden\n%%\n`%%` and ```%%```\n",
    "front-matter": "---\ntitle: T\naliases: [A, B]\ntags: [x, y/z]\n---\n# H\n[l](a.md)\n",
    "front-matter-only": "---\ntitle: Only\ntags: t\n---\n",
    "front-matter-malformed": "---\ntitle: [unclosed\n---\n# H\n",
    "thematic-break-not-front-matter": "---\n\n# H\n\ntext\n",
    "breadcrumbs": "# A\n## B\n### C\n## D\n# E\n#### F\n",
    "duplicate-headings": "# X\n## X\n## X\n## X-1\n",
    "unicode": "# Café #café\n\nna\u00efve #日本語 #笔记：x ＃no\n",
    "tabs-and-spaces": "\tindented code?\n\n  two spaces\n\ttab line\t\n",
    "deep-nesting": "".join("> " * i + f"level {i}\n" for i in range(1, 30)),
    "empty": "",
    "whitespace-only": "  \n\n\t\n",
    "no-final-newline": "# A\ntext [l](x.md)",
    "emphasis-edge": "*a **b* c** _d_e_ __f__g *#t* ***h***\n",
    "brackets-edge": "[a [b] c](x.md) [not a link] [x] (y) ![alt] ![](e.png)\n",
    "link-destination-edge": "[a](x.md 'title') [b](<x y.md> \"t\") [c](x\\)y.md) [d](x(1).md)\n",
    "numbers-and-punctuation": "#123 #1a #a-b #a_b #a/b/ #a//b #-x C# x#y\n",
    "white-space-lines": "\xa0\nfirst\n\x0b\nmiddle\n\x0c\n\n| \xa0 | b |\n|---|---|\n",
    "numeric-references": "&#5; &#0; &#xFFFE; &#128; &#65; &#1114112; &#xD800; `&#5;`\n",
    "backslash-break-first": "\\\nsecond line\n\n# H\\\n",
    "definition-then-spaces": "[r]: u\n    \n|\n",
}

# Where the pyromark parser reads a note differently: (text, its links' targets and lines now).
# The old parser counted lines only at line breaks between inline tokens, so a link after
# a line break inside inline HTML, a link title or an image description was a line early.
CHANGED: dict[str, tuple[str, list[tuple[str, int]]]] = {
    "line-after-multiline-inline-html": (
        "a <span\nid=x> b [l](x.md)\n",
        [("x.md", 2)],
    ),
    "line-after-multiline-link-title": (
        'a [l](y.md "t\nt") [[w]]\n',
        [("y.md", 1), ("w", 2)],
    ),
    "line-after-multiline-image-description": (
        "a ![a\nb](i.png) [[w]]\n",
        [("i.png", 1), ("w", 2)],
    ),
    # ``[[]]`` is no link label, so ``[r]`` is a shortcut reference (as commonmark.js reads
    # it); markdown-it-py read no link.
    "reference-before-brackets": ("[r][[]]\n\n[r]: /u\n", [("/u", 1)]),
}


def record(result: tuple[Note, list[Diagnostic]]) -> dict[str, Any]:
    """One parse result as JSON data (tuples as lists)."""
    note, diagnostics = result
    data = {
        "note": records.asdict(note),
        "diagnostics": [records.asdict(d) for d in diagnostics],
    }
    loaded: dict[str, Any] = json.loads(json.dumps(data))
    return loaded


def inputs() -> dict[str, tuple[str, str]]:
    """Every input of the table: key -> (note path, text)."""
    found = {f"case:{name}": ("n.md", text) for name, text in CASES.items()}
    for folder in NOTE_FOLDERS:
        for file in sorted(folder.rglob("*.md")):
            path = file.relative_to(folder).as_posix()
            key = f"{folder.relative_to(ROOT).as_posix()}:{path}"
            found[key] = (path, decode(file.read_bytes()).text)
    return found


INPUTS = inputs()


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return loaded


def test_the_reference_covers_every_input(reference: dict[str, Any]) -> None:
    assert sorted(reference) == sorted(INPUTS)
    assert len(INPUTS) > len(CASES) >= 40


@pytest.mark.parametrize("key", sorted(INPUTS))
def test_same_note_as_the_markdown_it_parser(key: str, reference: dict[str, Any]) -> None:
    path, text = INPUTS[key]
    assert record(parse_note(path, text)) == reference[key]


@pytest.mark.parametrize("name", sorted(CHANGED))
def test_where_the_parsers_differ(name: str) -> None:
    text, expected = CHANGED[name]
    note, _ = parse_note("n.md", text)
    assert [(link.raw, link.line) for s in note.sections for link in s.links] == expected
