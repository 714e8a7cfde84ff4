"""Encodings: BOMs, line endings, UTF-16/32, cp1252 fallback, mojibake, C1, NUL."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from notesearch import open_index, search
from tests.helpers import write
from tests.hostile.helpers import index_ok, run

TEXT = "# Héllo wörld\n\nencword and café\n\n## Second\n\nsecondword\n"


def _sections(tmp_path: Path, rel: str) -> list:
    with open_index(tmp_path / "index", tmp_path / "notes") as idx:
        return [s for s in idx.sections() if s.path == rel]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("utf8-bom", codecs.BOM_UTF8 + TEXT.encode()),
        ("crlf", TEXT.replace("\n", "\r\n").encode()),
        ("cr-only", TEXT.replace("\n", "\r").encode()),
        ("bom-crlf", codecs.BOM_UTF8 + TEXT.replace("\n", "\r\n").encode()),
        ("utf16-le", codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le")),
        ("utf16-be", codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be")),
        ("utf16-le-crlf", codecs.BOM_UTF16_LE + TEXT.replace("\n", "\r\n").encode("utf-16-le")),
        ("utf32-le", codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le")),
    ],
)
def test_decoded_exactly_without_warning(tmp_path: Path, name: str, data: bytes) -> None:
    write(tmp_path / "notes", f"{name}.md", data)
    write(tmp_path / "notes", "other.md", "# Other\n\notherword\n")
    result = index_ok()
    assert "warning" not in result.stderr, result.stderr
    sections = _sections(tmp_path, f"{name}.md")
    assert [(s.heading, s.line, s.end_line) for s in sections] == [
        ("Héllo wörld", 1, 4),
        ("Second", 5, 7),
    ]
    assert sections[0].title == "Héllo wörld"  # no BOM glued to the title
    assert sections[0].text == "encword and café"
    assert all("\r" not in s.text and "\ufeff" not in s.text for s in sections)
    assert run("query", "otherword", "--format", "paths").stdout == "notes/other.md\n"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("utf8-bom", codecs.BOM_UTF8 + TEXT.encode()),
        ("crlf", TEXT.replace("\n", "\r\n").encode()),
        ("cr-only", TEXT.replace("\n", "\r").encode()),
        ("cp1252", TEXT.encode("cp1252")),
        pytest.param("utf16-le", codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le")),
        pytest.param("utf16-be", codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be")),
        pytest.param("utf32-le", codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le")),
    ],
)
def test_vimgrep_location_follows_the_encoding(tmp_path: Path, name: str, data: bytes) -> None:
    write(tmp_path / "notes", f"{name}.md", data)
    index_ok()
    result = run("query", "secondword", "--format", "vimgrep")
    assert result.stdout.startswith(f"notes/{name}.md:7:1:"), result.stdout


@pytest.mark.parametrize(
    "separator",
    ["\x0c", "\x85", "\u2028", "\x1c"],
    ids=["form-feed", "NEL", "line-separator", "file-separator"],
)
def test_vimgrep_line_after_unusual_separators(tmp_path: Path, separator: str) -> None:
    write(
        tmp_path / "notes",
        "sep.md",
        f"# Head\n\nalpha {separator} beta\n\nsecond line\n\nthe targetword here\n",
    )
    index_ok()
    result = run("query", "targetword", "--format", "vimgrep")
    assert result.stdout.startswith("notes/sep.md:7:5:"), result.stdout


def test_invalid_utf8_falls_back_to_cp1252_with_one_warning(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(
        notes, "latin.md", "# Caf\u00e9\n\n\u201cquoted\u201d cp1252word \u20ac5\n".encode("cp1252")
    )
    write(notes, "fine.md", "# Fine\n\nfineword\n")
    result = index_ok()
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1
    assert "latin.md" in warnings[0] and "cp1252" in warnings[0]
    (section,) = _sections(tmp_path, "latin.md")
    assert section.heading == "Café"
    assert section.text == "\u201cquoted\u201d cp1252word \u20ac5"
    assert run("query", "cp1252word", "--format", "paths").stdout == "notes/latin.md\n"
    assert run("query", "fineword", "--format", "paths").stdout == "notes/fine.md\n"


def test_undefined_cp1252_bytes_do_not_crash(tmp_path: Path) -> None:
    # 0x81, 0x8d, 0x8f, 0x90, 0x9d are undefined in cp1252.
    write(tmp_path / "notes", "odd.md", b"# Odd\n\noddword \x81\x8d\x8f\x90\x9d \xff\n")
    result = index_ok()
    assert "odd.md" in result.stderr and "cp1252" in result.stderr
    assert run("query", "oddword", "--format", "paths").stdout == "notes/odd.md\n"


def test_mojibake_repaired_and_clean_text_untouched(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    # UTF-8 read as cp1252, then saved as UTF-8 again.
    damaged = "📖 reading café — naïve".encode().decode("cp1252").encode()
    write(notes, "moji.md", b"# Damaged\n\nmojiword " + damaged + b"\n")
    clean = "# Clean\n\ncleanword 3\u00d7\u201c and \u00c3 alone, \u00e2 too\n"
    write(notes, "clean.md", clean)
    result = index_ok()
    assert "warning" not in result.stderr
    (moji,) = _sections(tmp_path, "moji.md")
    assert moji.text == "mojiword 📖 reading café — naïve"
    (kept,) = _sections(tmp_path, "clean.md")
    assert kept.text == "cleanword 3\u00d7\u201c and \u00c3 alone, \u00e2 too"


def test_c1_controls_in_valid_utf8_are_indexed_as_text(tmp_path: Path) -> None:
    write(tmp_path / "notes", "c1.md", "# C1 \u0085 head\n\nc1word \u009b31m \u0080 \u009f end\n")
    result = index_ok()
    assert "warning" not in result.stderr
    (section,) = _sections(tmp_path, "c1.md")
    assert "c1word" in section.text and "\u009b" in section.text
    with open_index(tmp_path / "index", tmp_path / "notes") as idx:
        assert [h.section.path for h in search(idx, "c1word").hits] == ["c1.md"]


@pytest.mark.parametrize(
    "data",
    [
        b"# Bin\n\nbinword\x00here\n",
        b"\x00\x00\x00\x00",
        b"# Bin\n\nbinword\n" + b"\x00" * 10,
        "# Hi no BOM\n\nbinword\n".encode("utf-16-le"),  # NULs and no BOM: binary
    ],
    ids=["nul-in-text", "only-nuls", "trailing-nuls", "utf16-without-bom"],
)
def test_nul_bytes_skip_the_note_with_one_warning(tmp_path: Path, data: bytes) -> None:
    notes = tmp_path / "notes"
    write(notes, "bin.md", data)
    write(notes, "good.md", "# Good\n\ngoodword\n")
    result = index_ok()
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1, warnings
    assert "bin.md" in warnings[0] and "NUL" in warnings[0]
    assert "1 skipped" in result.stderr
    assert run("query", "goodword", "--format", "paths").stdout == "notes/good.md\n"
    assert run("query", "binword").exit_code == 1
    assert _sections(tmp_path, "bin.md") == []


def test_bom_that_lies_is_skipped_with_one_warning(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(notes, "liar.md", codecs.BOM_UTF16_LE + b"# odd length\n")  # 13 bytes: not UTF-16
    write(notes, "good.md", "# Good\n\ngoodword\n")
    result = index_ok()
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "liar.md" in warnings[0]
    assert run("query", "goodword", "--format", "paths").stdout == "notes/good.md\n"


def test_utf16_bom_is_checked_before_the_nul_heuristic(tmp_path: Path) -> None:
    # UTF-16 of ASCII text is half NUL bytes: the BOM must win.
    write(
        tmp_path / "notes",
        "u16.md",
        codecs.BOM_UTF16_LE + "# Wide\n\nwideword\n".encode("utf-16-le"),
    )
    result = index_ok()
    assert "warning" not in result.stderr
    assert run("query", "wideword", "--format", "paths").stdout == "notes/u16.md\n"
