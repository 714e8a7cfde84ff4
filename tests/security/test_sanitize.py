"""Attack 3: invisible and direction-changing characters never reach the output raw.

Each code point sits in a note's file name, title and text; every output
format must show it as a visible escape (``\\u200b``), and JSON as a JSON
escape (a surrogate pair above U+FFFF), so that a JSON reader still gets it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from notesearch import sanitize
from notesearch.printers.jsonl import dumps
from tests.helpers import write
from tests.security.helpers import invoke

CODE_POINTS = [
    0x00AD,  # soft hyphen
    0x061C,  # Arabic letter mark
    0x115F,  # Hangul choseong filler
    0x1160,  # Hangul jungseong filler
    0x200B,  # zero-width space
    0x200C,  # zero-width non-joiner
    0x200D,  # zero-width joiner
    0x200E,  # left-to-right mark
    0x200F,  # right-to-left mark
    0x202E,  # right-to-left override
    0x2060,  # word joiner
    0x2063,  # invisible separator
    0x2066,  # left-to-right isolate
    0x3164,  # Hangul filler
    0xFEFF,  # zero-width no-break space (BOM)
    0xFFF9,  # interlinear annotation anchor
    0xFFFA,  # interlinear annotation separator
    0xFFFB,  # interlinear annotation terminator
    0xE0041,  # tag Latin capital letter A
    0xE007F,  # cancel tag
]
FORMATS = ["rich", "plain", "jsonl", "json", "paths", "vimgrep"]


def _word(i: int) -> str:
    return f"uniq{chr(ord('a') + i)}word"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    notes = tmp_path / "notes"
    for i, code in enumerate(CODE_POINTS):
        ch = chr(code)
        write(notes, f"n{i}{ch}x.md", f"# T{ch}itle\n\n{_word(i)} a{ch}b zebra\n")
    assert invoke("index").exit_code == 0
    return notes


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_escapes_every_invisible_character(vault: Path, fmt: str) -> None:
    for i, code in enumerate(CODE_POINTS):
        result = invoke("query", _word(i), "-f", fmt, "--color", "never")
        assert result.exit_code == 0, (hex(code), result.stderr)
        out = result.stdout
        assert chr(code) not in out, (hex(code), fmt, out)
        if fmt in ("jsonl", "json"):
            assert sanitize.json_escape(code) in out, (hex(code), fmt, out)
            records = json.loads(out) if fmt == "json" else [json.loads(out.splitlines()[0])]
            assert chr(code) in records[0]["path"]  # the JSON reader gets the real text
            assert chr(code) in json.dumps(records[0]["snippet"], ensure_ascii=False)
        else:
            assert sanitize.escape(code) in out, (hex(code), fmt, out)
            # in the file name too: the escaped name is on the line
            assert f"n{i}{sanitize.escape(code)}x.md" in out, (hex(code), fmt, out)


def test_show_and_export_escape_too(vault: Path) -> None:
    for i, code in enumerate(CODE_POINTS):
        shown = invoke("show", f"n{i}{chr(code)}x.md", "-f", "plain")
        assert shown.exit_code == 0, shown.stderr
        assert chr(code) not in shown.stdout and sanitize.escape(code) in shown.stdout
    export = invoke("export", "-f", "jsonl")
    assert export.exit_code == 0
    assert not any(chr(code) in export.stdout for code in CODE_POINTS)


def test_the_ranges_cover_every_unsafe_character_of_this_python() -> None:
    """RANGES is written out for speed; it must hold what unicodedata says today."""
    covered = {c for first, last in sanitize.RANGES for c in range(first, last + 1)}
    wanted = {c for first, last in sanitize.unsafe_ranges() for c in range(first, last + 1)}
    assert wanted - covered == set(), sorted(hex(c) for c in wanted - covered)[:20]


@pytest.mark.parametrize("code", CODE_POINTS, ids=hex)
def test_each_cleaner_escapes(code: int) -> None:
    ch = chr(code)
    for cleaner in (sanitize.clean, sanitize.clean_line, sanitize.clean_block):
        assert cleaner(f"a{ch}b") == f"a{sanitize.escape(code)}b"
    text, spans = sanitize.clean_with_spans(f"{ch}ab", [(1, 3)])
    assert text[spans[0][0] : spans[0][1]] == "ab"
    assert json.loads(dumps({"t": ch})) == {"t": ch}
    assert ch not in dumps({"t": ch})


def test_astral_code_points_are_surrogate_pairs_in_json() -> None:
    assert dumps("\U000e0041") == '"\\udb40\\udc41"'
    assert sanitize.escape(0xE0041) == "\\U000e0041"


def test_tabs_and_newlines_stay_in_whole_notes() -> None:
    assert sanitize.clean_block("a\tb\nc\u200b") == "a\tb\nc\\u200b"
