"""Bytes on disk -> clean text.

Decoding order: a byte-order mark wins (UTF-8, UTF-16, UTF-32); otherwise a
NUL byte means a binary file; otherwise UTF-8, falling back to cp1252 with a
warning. Line endings become ``\\n``. Mojibake (UTF-8 read as cp1252, like
``ðŸ“–`` for ``📖``) is repaired with ftfy, but only where a cheap regular
expression finds its telltale byte pairs, so clean text is never touched.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from functools import cache

from ..errors import NotARegularFile, UnreadableNoteError
from ..paths import within
from ..records import record

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# The lead bytes that real mojibake is made of (UTF-8 of Latin-1 letters,
# Œ/œ, punctuation like ’ and —, emoji, a BOM: Â Ã Å â ð ï), read as cp1252
# or Latin-1 and followed by a continuation byte (0x80-0xBF) read the same way.
# Narrower than every UTF-8 lead byte on purpose: "3×“" is clean text.
_CONTINUATION = "\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_NEWLINES = re.compile(r"\r\n?")


@record
class Decoded:
    """Clean text and what was done to get it."""

    text: str
    encoding: str
    repaired: bool = False
    warning: str | None = None


def check_note(root: str, path: str, root_real: str | None = None) -> os.stat_result:
    """The stat of note ``path`` (relative to ``root``), checked before anything opens it.

    It must be a regular file (a FIFO or a device is never opened: even a
    non-blocking open of a FIFO counts as an open to its writer, and a
    device's open can act), and its real path must lie inside ``root`` (a
    symlink swapped in since indexing may lead anywhere). ``root_real`` is the
    root's real path when the caller has it (a reader of many notes works it
    out once).

    Raises:
        NotARegularFile: not a regular file inside the root (any more).
        OSError: it cannot be looked at (gone, permissions).
    """
    st = os.stat(os.path.join(root, path))  # follows a symlink: its target is what would be opened
    if not stat.S_ISREG(st.st_mode):
        raise NotARegularFile("not a regular file")
    root_real = os.path.realpath(root) if root_real is None else root_real
    _inside(root_real, path)
    return st


def _inside(root_real: str, path: str) -> str:
    """The real path of note ``path`` under the real root, which it must lie inside.

    Raises:
        NotARegularFile: it leads outside the notes folder.
        OSError: a part of it cannot be looked at.
    """
    real = real_path(root_real, path)
    if not within(root_real, real) or real == root_real:
        raise NotARegularFile("leads outside the notes folder")
    return real


def real_path(root_real: str, path: str) -> str:
    """``os.path.realpath(os.path.join(root_real, path))`` for a real ``root_real``.

    A note's path relative to its folder seldom holds a link: then its real
    path is the two joined, found with an ``lstat`` of each part instead of
    ``realpath``'s walk from ``/``. Any link, ``.``, ``..``, empty part or
    absolute path, or a part that cannot be looked at, takes ``realpath`` itself.
    """
    if os.altsep:
        path = path.replace(os.altsep, os.sep)
    parts = path.split(os.sep)
    if os.path.isabs(path) or os.path.splitdrive(path)[0] or {"", ".", ".."} & set(parts):
        return os.path.realpath(os.path.join(root_real, path))
    current = root_real
    try:
        for part in parts:
            current = os.path.join(current, part)
            if stat.S_ISLNK(os.lstat(current).st_mode):
                break
        else:
            return current
    except OSError:  # gone: realpath says what it would be
        pass
    return os.path.realpath(os.path.join(root_real, path))


def check_for_editor(root: str, path: str) -> None:
    """Check note ``path`` before an editor is handed it (see :func:`check_note`).

    Raises:
        UnreadableNoteError: it is gone, or not a regular file inside ``root``.
    """
    try:
        check_note(root, path)
    except NotARegularFile as exc:
        raise UnreadableNoteError(f"cannot open {path}: {exc}; run `notesearch index`") from exc
    except OSError:
        raise UnreadableNoteError(f"{path} no longer exists; run `notesearch index`") from None


def read_note(root: str, path: str, max_bytes: int, root_real: str | None = None) -> bytes:
    """The bytes of note ``path`` (relative to ``root``), checked before and after it is opened.

    Between finding a note and reading it, the file may have been replaced
    by a FIFO (an open would block forever), a device, or a symlink leading
    out of the notes folder. So it is checked by :func:`check_note` before it
    is opened (without blocking), and the file opened must be that very
    regular file (``fstat``) at a real path inside the folder. At most
    ``max_bytes + 1`` bytes are read.

    Raises:
        NotARegularFile: not a regular file inside the root (any more).
        OSError: it cannot be opened or read.
    """
    root_real = os.path.realpath(root) if root_real is None else root_real
    before = check_note(root, path, root_real)
    full = os.path.join(root, path)
    fd = os.open(full, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotARegularFile("not a regular file")
        if (st.st_dev, st.st_ino) != (before.st_dev, before.st_ino):
            raise NotARegularFile("replaced while it was opened")
        real_st = os.stat(_inside(root_real, path))
        if (real_st.st_dev, real_st.st_ino) != (st.st_dev, st.st_ino):
            raise NotARegularFile("leads outside the notes folder")
        data = bytearray()
        while len(data) <= max_bytes:
            chunk = os.read(fd, min(max_bytes + 1 - len(data), max(st.st_size + 1, 65536)))
            if not chunk:
                break
            data += chunk
        return bytes(data)
    finally:
        os.close(fd)


def read_lines(
    root: str, path: str, max_bytes: int = 64 * 1024 * 1024, root_real: str | None = None
) -> list[str]:
    """A note's lines as the parser numbers them (decoded, split on ``\\n`` only).

    Raises:
        NotesearchError: the file is not a regular file inside ``root``, is
            binary, or is larger than ``max_bytes``.
        OSError: it cannot be read.
    """
    data = read_note(root, path, max_bytes, root_real)
    if len(data) > max_bytes:
        raise UnreadableNoteError(f"larger than {max_bytes} bytes")
    return decode(data).text.split("\n")


def decode(data: bytes) -> Decoded:
    """Decode a note's bytes into text with ``\\n`` line endings.

    Raises:
        UnreadableNoteError: the file is binary (NUL bytes) or its BOM lies.
    """
    encoding = None
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding, data = name, data[len(bom) :]
            break
    warning = None
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise UnreadableNoteError(f"not valid {encoding} despite its byte-order mark") from exc
    elif b"\x00" in data:
        raise UnreadableNoteError("binary file (contains NUL bytes)")
    else:
        try:
            text = data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError as exc:
            text = data.decode("cp1252", errors="replace")
            encoding = "cp1252"
            warning = f"not valid UTF-8 (byte {exc.start}); read as cp1252"
    if "\x00" in text:
        raise UnreadableNoteError("binary file (contains NUL characters)")
    if "\r" in text:
        text = _NEWLINES.sub("\n", text)
    fixed = repair_mojibake(text)
    return Decoded(fixed, encoding, repaired=fixed != text, warning=warning)


@cache
def _mojibake() -> re.Pattern[str]:
    """Compiled on first use: text all in ASCII (which has no mojibake) never needs it."""
    return re.compile(f"[ÂÃÅâðï][{_CONTINUATION}]")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8-read-as-cp1252 damage where it is present; else return ``text``."""
    if text.isascii() or not _mojibake().search(text):
        return text
    import ftfy  # only paid for when a file looks damaged

    config = ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        remove_control_chars=False,
        normalization=None,
        explain=False,
    )
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if _mojibake().search(line):  # only the damaged lines are handed to ftfy
            lines[i] = str(ftfy.fix_text(line, config))
    return "\n".join(lines)
