"""read.decode(): bytes on disk -> clean text with LF line endings."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from notesearch.errors import UnreadableNoteError
from notesearch.notes.read import Decoded, decode, repair_mojibake

# the seed note, byte for byte
SEED = Path(__file__).resolve().parents[2] / "notes" / "sagemaker" / "sagemaker.md"


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        pytest.param(b"# Title\nbody\n", "# Title\nbody\n", "utf-8", id="ascii"),
        pytest.param("café naïve 日本語\n".encode(), "café naïve 日本語\n", "utf-8", id="utf8"),
        pytest.param(codecs.BOM_UTF8 + b"# T\n", "# T\n", "utf-8", id="utf8-bom-dropped"),
        pytest.param(
            codecs.BOM_UTF16_LE + "# Tëst\nx\n".encode("utf-16-le"),
            "# Tëst\nx\n",
            "utf-16-le",
            id="utf16-le-bom",
        ),
        pytest.param(
            codecs.BOM_UTF16_BE + "# Tëst\nx\n".encode("utf-16-be"),
            "# Tëst\nx\n",
            "utf-16-be",
            id="utf16-be-bom",
        ),
        pytest.param(
            codecs.BOM_UTF32_LE + "# 📖\n".encode("utf-32-le"),
            "# 📖\n",
            "utf-32-le",
            id="utf32-le-bom",
        ),
        pytest.param(b"", "", "utf-8", id="empty"),
    ],
)
def test_decode_encodings(data: bytes, text: str, encoding: str) -> None:
    result = decode(data)
    assert isinstance(result, Decoded)
    assert result.text == text
    assert result.encoding == encoding
    assert result.warning is None
    assert result.repaired is False
    assert "\ufeff" not in result.text


@pytest.mark.parametrize(
    ("data", "text"),
    [
        pytest.param(b"a\r\nb\r\n", "a\nb\n", id="crlf"),
        pytest.param(b"a\rb\r", "a\nb\n", id="lone-cr"),
        pytest.param(b"a\r\nb\rc\nd", "a\nb\nc\nd", id="mixed"),
        pytest.param(b"a\r\r\nb", "a\n\nb", id="cr-then-crlf"),
        pytest.param(codecs.BOM_UTF8 + b"x\r\ny", "x\ny", id="bom-and-crlf"),
        pytest.param(
            codecs.BOM_UTF16_LE + "x\r\ny\r".encode("utf-16-le"), "x\ny\n", id="utf16-crlf"
        ),
    ],
)
def test_decode_line_endings_become_lf(data: bytes, text: str) -> None:
    result = decode(data)
    assert result.text == text
    assert "\r" not in result.text


def test_invalid_utf8_falls_back_to_cp1252_with_warning() -> None:
    data = b"caf\xe9 \x93quoted\x94 \x80 5\n"
    result = decode(data)
    assert result.text == "café “quoted” € 5\n"
    assert result.encoding == "cp1252"
    assert result.warning is not None
    assert "cp1252" in result.warning
    assert "byte 3" in result.warning  # position of the first bad byte


def test_cp1252_undefined_bytes_do_not_raise() -> None:
    # 0x81 has no cp1252 mapping: replaced, not an exception.
    result = decode(b"a\x81b")
    assert result.encoding == "cp1252"
    assert result.text == "a\ufffdb"
    assert result.warning


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"PNG\x00\x00\x01binary", id="nul-in-middle"),
        pytest.param(b"\x00", id="single-nul"),
        pytest.param("abc".encode("utf-16-le"), id="utf16-without-bom"),
        pytest.param(codecs.BOM_UTF8 + b"a\x00b", id="nul-after-utf8-bom"),
        pytest.param(codecs.BOM_UTF16_LE + "a\x00b".encode("utf-16-le"), id="nul-char-in-utf16"),
    ],
)
def test_nul_bytes_are_unreadable(data: bytes) -> None:
    with pytest.raises(UnreadableNoteError):
        decode(data)


def test_lying_bom_is_unreadable() -> None:
    # A UTF-8 BOM followed by bytes that are not UTF-8.
    with pytest.raises(UnreadableNoteError, match="byte-order mark"):
        decode(codecs.BOM_UTF8 + b"caf\xe9")


@pytest.mark.parametrize(
    ("damaged", "fixed"),
    [
        pytest.param("ðŸ“– Read this", "📖 Read this", id="book-emoji"),
        pytest.param("cafÃ© au lait", "café au lait", id="e-acute"),
        pytest.param("itâ€™s", "it’s", id="curly-apostrophe"),
        pytest.param("â€œquotedâ€\x9d", "“quoted”", id="curly-quotes"),
    ],
)
def test_mojibake_is_repaired(damaged: str, fixed: str) -> None:
    result = decode(damaged.encode("utf-8"))
    assert result.text == fixed
    assert result.repaired is True
    assert result.encoding == "utf-8"


def test_seed_note_mojibake_is_repaired() -> None:
    if not SEED.is_file():
        pytest.skip("seed note not present")
    result = decode(SEED.read_bytes())
    assert result.repaired is True
    assert result.warning is None
    assert "ðŸ“–" not in result.text
    lines = [line for line in result.text.splitlines() if "📖" in line]
    assert lines, "the 📖 lines should be restored"
    assert lines[0] == (
        "**📖 For detailed algorithm hyperparameters, see "
        "[SageMaker Hyperparameters](./sagemaker-hyperparameters.md)**"
    )
    # Nothing else was changed: every other line is byte-identical.
    raw_lines = SEED.read_bytes().decode("utf-8").splitlines()
    decoded_lines = result.text.splitlines()
    assert len(raw_lines) == len(decoded_lines)
    for raw, clean in zip(raw_lines, decoded_lines, strict=True):
        if "📖" not in clean:
            assert raw == clean


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("He said “hello” and ’twas fine", id="curly-quotes"),
        pytest.param("café naïve résumé", id="accents"),
        pytest.param("½ cup, ¼ teaspoon", id="fractions"),
        pytest.param("“café”", id="quote-after-accent"),
        pytest.param("naïve’s choice", id="apostrophe-after-i-diaeresis"),
        pytest.param("Beyoncé™ tour", id="trademark-after-accent"),
        pytest.param("café–bar — días—", id="dashes-after-accents"),
        pytest.param("Zoë’s «très» über„Zitat“", id="european-punctuation"),
        pytest.param("日本語 and 📖 emoji", id="cjk-and-emoji"),
    ],
)
def test_clean_text_is_untouched(text: str) -> None:
    result = decode(text.encode("utf-8"))
    assert result.text == text
    assert result.repaired is False
    assert repair_mojibake(text) == text


def test_multiplication_sign_before_quote_is_untouched() -> None:
    text = "Repeat it 3×“ab” times"
    result = decode(text.encode("utf-8"))
    assert result.text == text
    assert result.repaired is False


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("note.md", id="top-level"),
        pytest.param("a/b/note.md", id="nested"),
        pytest.param("linked/note.md", id="folder-link-inside"),
        pytest.param("out.md", id="file-link-out"),
        pytest.param("outdir/x.md", id="folder-link-out"),
        pytest.param("a/../note.md", id="dot-dot"),
        pytest.param("./note.md", id="dot"),
        pytest.param("a//b/note.md", id="empty-part"),
        pytest.param("../outside/x.md", id="above-the-root"),
        pytest.param("/etc/passwd", id="absolute"),
        pytest.param("missing.md", id="missing-file"),
    ],
)
def test_real_path_is_realpath(tmp_path: Path, path: str) -> None:
    # real_path's shortcut (an lstat of each part) must agree with os.path.realpath.
    import os

    from notesearch.notes.read import real_path

    root, outside = tmp_path / "notes", tmp_path / "outside"
    (root / "a" / "b").mkdir(parents=True)
    outside.mkdir()
    for file in (root / "note.md", root / "a" / "b" / "note.md", outside / "x.md"):
        file.write_text("# x\n")
    (root / "linked").symlink_to(root / "a" / "b")
    (root / "out.md").symlink_to(outside / "x.md")
    (root / "outdir").symlink_to(outside)
    real = os.path.realpath(root)
    assert real_path(real, path) == os.path.realpath(os.path.join(real, path))
