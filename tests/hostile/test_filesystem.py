"""The file system: FIFOs, unreadable and vanishing files, symlinks, odd file names.

Files git cannot hold (FIFOs, sockets, symlinks, names with newlines or
invalid UTF-8) are made here, at test time.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

import notesearch.notes.discover as walk_mod  # what build_index walks the notes with
from notesearch import build_index, open_index, search
from notesearch.models import Hit, SearchResult, Section, Snippet
from notesearch.printers import make_printer
from tests.helpers import write
from tests.hostile.helpers import FORMATS, index_ok, nsub, run, subprocess_env, unsafe_chars

# Restored by hand where a test puts them back mid-test: monkeypatch.undo() would
# also undo the autouse isolation (working folder, NOTESEARCH_*) and let the test
# touch the real ./index.
ORIGINAL_DISCOVER = walk_mod.discover
ORIGINAL_SCANDIR = os.scandir

SECRET = "outsidesecretword"


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "warning" in line]


def _indexed_paths(tmp_path: Path) -> list[str]:
    with open_index(tmp_path / "index", tmp_path / "notes") as idx:
        return sorted({s.path for s in idx.sections()})


def _found(tmp_path: Path, word: str) -> list[str]:
    with open_index(tmp_path / "index", tmp_path / "notes") as idx:
        return [h.section.path for h in search(idx, word, limit=None, per_note=0).hits]


# -- non-regular files -------------------------------------------------------


def test_fifo_named_md_is_never_opened(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(notes, "good.md", "# Good\n\ngoodword\n")
    os.mkfifo(notes / "pipe.md")
    (notes / "sub").mkdir()
    os.mkfifo(notes / "sub" / "deep.markdown")
    os.symlink("pipe.md", notes / "link-to-pipe.md")
    # Opening a FIFO with no writer blocks forever: a timeout is the failure.
    proc = nsub("index", timeout=30)
    assert proc.returncode == 0, proc.stderr
    stderr = proc.stderr.decode()
    warned = _warnings(stderr)
    assert len(warned) == 3, warned
    assert all("not a regular file" in w for w in warned)
    assert {"pipe.md", "sub/deep.markdown", "link-to-pipe.md"} == {
        w.split("warning: ", 1)[1].split(":", 1)[0] for w in warned
    }
    assert _indexed_paths(tmp_path) == ["good.md"]


def test_unix_socket_named_md_is_skipped(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(notes, "good.md", "# Good\n\ngoodword\n")
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(notes / "s.md"))
        result = index_ok()
    finally:
        sock.close()
    assert any("s.md" in w for w in _warnings(result.stderr))
    assert _indexed_paths(tmp_path) == ["good.md"]


def test_query_does_not_open_a_note_that_became_a_fifo(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(notes, "a.md", "# A\n\nalphaword\n")
    index_ok()
    (notes / "a.md").unlink()
    os.mkfifo(notes / "a.md")
    proc = nsub("query", "alphaword", "--format", "vimgrep", timeout=5)
    assert proc.returncode == 0
    assert proc.stdout.decode().startswith("notes/a.md:")


SWAP_SCRIPT = """
import os, sys
import notesearch.notes.discover as m
real = m.discover
target = sys.argv[1]
def swap(*args, **kwargs):
    found = real(*args, **kwargs)
    os.unlink(target)
    os.mkfifo(target)
    return found
m.discover = swap
from notesearch.cli import main
sys.argv = ["notesearch", "index"]
main()
"""


def test_note_replaced_by_fifo_during_the_run_is_not_opened(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(notes, "a.md", "# A\n\nalphaword\n")
    write(notes, "b.md", "# B\n\nbetaword\n")
    proc = subprocess.run(
        [sys.executable, "-c", SWAP_SCRIPT, str(notes / "b.md")],
        capture_output=True,
        timeout=5,
        cwd=tmp_path,
        env=subprocess_env(),
    )
    assert proc.returncode == 0
    assert "b.md" in proc.stderr.decode()


# -- unreadable, vanishing, changing -----------------------------------------


def _without_root_powers() -> list[str]:
    """A command prefix under which file permissions apply, even for root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be enforced")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]


def _run_restricted(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_without_root_powers(), sys.executable, "-m", "notesearch", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=subprocess_env(),
    )


def test_unreadable_file_and_folder_are_skipped_with_warnings(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(notes, "good.md", "# Good\n\ngoodword\n")
    locked = write(notes, "locked.md", "# Locked\n\nlockedword\n")
    write(notes, "closed/inside.md", "# Inside\n\ninsideword\n")
    locked.chmod(0)
    (notes / "closed").chmod(0)
    try:
        proc = _run_restricted(tmp_path, "index")
    finally:
        locked.chmod(0o644)
        (notes / "closed").chmod(0o755)
    assert proc.returncode == 0, proc.stderr
    warned = _warnings(proc.stderr)
    assert len(warned) == 2, warned
    assert any("locked.md" in w and "Permission denied" in w for w in warned)
    assert any("closed" in w and "Permission denied" in w for w in warned)
    assert "Traceback" not in proc.stderr
    assert _indexed_paths(tmp_path) == ["good.md"]


@pytest.mark.slow
def test_unreadable_note_is_indexed_once_readable_again(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(notes, "good.md", "# Good\n\ngoodword\n")
    locked = write(notes, "locked.md", "# Locked\n\nlockedword\n")
    locked.chmod(0)
    try:
        first = _run_restricted(tmp_path, "index")
    finally:
        locked.chmod(0o644)
    assert first.returncode == 0 and "locked.md" in first.stderr
    second = _run_restricted(tmp_path, "index")
    assert second.returncode == 0, second.stderr
    assert _indexed_paths(tmp_path) == ["good.md", "locked.md"]


def test_vanished_note_restored_with_same_mtime_is_indexed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = tmp_path / "notes"
    write(notes, "a.md", "# A\n\nalphaword\n")
    gone = write(notes, "gone.md", "# Gone\n\ngoneword\n")
    data, st = gone.read_bytes(), gone.stat()
    real = walk_mod.discover

    def discover_then_delete(*args, **kwargs):
        found = real(*args, **kwargs)
        gone.unlink()
        return found

    monkeypatch.setattr(walk_mod, "discover", discover_then_delete)
    index_ok()
    monkeypatch.setattr(walk_mod, "discover", ORIGINAL_DISCOVER)
    gone.write_bytes(data)
    os.utime(gone, ns=(st.st_atime_ns, st.st_mtime_ns))
    index_ok()
    assert _found(tmp_path, "goneword") == ["gone.md"]


def test_read_only_index_folder_is_one_clear_error(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(notes, "a.md", "# A\n\nalphaword\n")
    index_ok()
    before = _indexed_paths(tmp_path)
    write(notes, "b.md", "# B\n\nbetaword\n")
    index = tmp_path / "index"
    modes = {p: p.stat().st_mode for p in [index, *index.rglob("*")]}
    for path in modes:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        proc = _run_restricted(tmp_path, "index")
    finally:
        for path, mode in modes.items():
            path.chmod(mode)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("notesearch: ")
    assert _indexed_paths(tmp_path) == before


def test_file_vanishing_between_discovery_and_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = tmp_path / "notes"
    write(notes, "a.md", "# A\n\nalphaword\n")
    gone = write(notes, "gone.md", "# Gone\n\ngoneword\n")
    write(notes, "z.md", "# Z\n\nzuluword\n")
    real = walk_mod.discover

    def discover_then_delete(*args, **kwargs):
        found = real(*args, **kwargs)
        gone.unlink()
        return found

    monkeypatch.setattr(walk_mod, "discover", discover_then_delete)
    result = index_ok()
    warned = _warnings(result.stderr)
    assert len(warned) == 1 and "gone.md" in warned[0]
    assert _indexed_paths(tmp_path) == ["a.md", "z.md"]
    monkeypatch.setattr(walk_mod, "discover", ORIGINAL_DISCOVER)
    again = index_ok()
    assert _warnings(again.stderr) == []


def test_folder_vanishing_during_discovery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notes = tmp_path / "notes"
    write(notes, "a.md", "# A\n\nalphaword\n")
    write(notes, "sub/b.md", "# B\n\nbetaword\n")
    real_scandir = os.scandir

    def scandir(path):
        if str(path).endswith("sub"):
            shutil.rmtree(path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = index_ok()
    assert "Traceback" not in result.stderr
    monkeypatch.setattr(os, "scandir", ORIGINAL_SCANDIR)
    assert _indexed_paths(tmp_path) == ["a.md"]


def test_file_changing_during_the_run_is_caught_up_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = tmp_path / "notes"
    note = write(notes, "a.md", "# A\n\nfirstword\n")
    real = walk_mod.discover

    def discover_then_change(*args, **kwargs):
        found = real(*args, **kwargs)
        note.write_text("# A\n\nsecondword and more text\n")
        return found

    monkeypatch.setattr(walk_mod, "discover", discover_then_change)
    index_ok()
    monkeypatch.setattr(walk_mod, "discover", ORIGINAL_DISCOVER)
    index_ok()
    assert _found(tmp_path, "secondword") == ["a.md"]
    assert _found(tmp_path, "firstword") == []


# -- folders, hidden entries, symlinks -----------------------------------------


def test_directory_named_md_and_hidden_folders(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(notes, "folder.md/inner.md", "# Inner\n\ninnerword\n")
    write(notes, "folder.markdown/deeper/x.md", "# X\n\nxword\n")
    for hidden in (".obsidian", ".git", ".trash", ".hidden/sub"):
        write(notes, f"{hidden}/h.md", "# Hidden\n\nhiddenword\n")
    write(notes, ".dotnote.md", "# Dot\n\nhiddenword\n")
    result = index_ok()
    assert _warnings(result.stderr) == []
    assert _indexed_paths(tmp_path) == ["folder.markdown/deeper/x.md", "folder.md/inner.md"]
    assert _found(tmp_path, "hiddenword") == []


def test_symlink_loops_terminate_and_index_each_note_once(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(notes, "a.md", "# A\n\nloopword\n")
    write(notes, "sub/b.md", "# B\n\nloopword\n")
    os.symlink(".", notes / "self")
    os.symlink("..", notes / "sub" / "up")
    os.symlink("../sub", notes / "sub" / "again")
    os.symlink("ping.md", notes / "pong.md")  # a loop of two dangling links
    os.symlink("pong.md", notes / "ping.md")
    proc = nsub("index", timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert _indexed_paths(tmp_path) == ["a.md", "sub/b.md"]
    assert sorted(_found(tmp_path, "loopword")) == ["a.md", "sub/b.md"]
    warned = _warnings(proc.stderr.decode())
    assert any("ping.md" in w for w in warned) and any("pong.md" in w for w in warned)


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    write(outside, "secret.md", f"# Secret\n\n{SECRET}\n")
    write(outside, "dir/more.md", f"# More\n\n{SECRET}\n")
    return outside


def test_symlinks_outside_the_root_are_never_read(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    outside = _outside(tmp_path)
    write(notes, "good.md", "# Good\n\ngoodword\n")
    os.symlink(outside / "secret.md", notes / "abs-link.md")
    os.symlink("../outside/secret.md", notes / "rel-link.md")
    os.symlink(outside / "dir", notes / "dir-link")
    os.symlink(outside, notes / "whole-outside")
    os.symlink("abs-link.md", notes / "chain.md")  # inside -> inside -> outside
    os.symlink("/etc/passwd", notes / "passwd.md")
    os.symlink("/dev/zero", notes / "zero.md")
    result = index_ok()
    assert _indexed_paths(tmp_path) == ["good.md"]
    assert _found(tmp_path, SECRET) == []
    assert _found(tmp_path, "root") == []  # /etc/passwd
    export = run("export")
    assert SECRET not in export.stdout
    assert len(_warnings(result.stderr)) == 7


def test_symlink_swapped_in_after_discovery_is_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = tmp_path / "notes"
    outside = _outside(tmp_path)
    write(notes, "a.md", "# A\n\nalphaword\n")
    swapped = write(notes, "b.md", "# B\n\nbetaword\n")
    real = walk_mod.discover

    def discover_then_swap(*args, **kwargs):
        found = real(*args, **kwargs)
        swapped.unlink()
        os.symlink(outside / "secret.md", swapped)
        return found

    monkeypatch.setattr(walk_mod, "discover", discover_then_swap)
    build_index(notes, tmp_path / "index")
    assert _found(tmp_path, SECRET) == []


def test_symlink_inside_the_root_is_followed(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(notes, "real/a.md", "# A\n\ninsideword\n")
    os.symlink("real", notes / "alias")
    index_ok()
    assert "real/a.md" in _found(tmp_path, "insideword")


# -- odd file names ------------------------------------------------------------

ODD_NAMES = {
    "space": "with  spaces .md",
    "dash": "-rf --help.md",
    "newline": "new\nline.md",
    "tab": "tab\there.md",
    "esc": "esc\x1b]0;pwned\x07\x1b[2J.md",
    "c1": "c1\u009b2J.md",
    "bidi": "bidi\u202edm.exe.md",
    "quote": "quote'\"`$(touch x).md",
    "colon": "colon:12:3:.md",
}


@pytest.fixture
def odd_notes(tmp_path: Path) -> dict[str, str]:
    notes = tmp_path / "notes"
    for key, name in ODD_NAMES.items():
        write(notes, name, f"# {key}\n\noddword {key}word\n")
    index_ok()
    return ODD_NAMES


def test_odd_names_are_all_indexed(tmp_path: Path, odd_notes: dict[str, str]) -> None:
    assert _indexed_paths(tmp_path) == sorted(odd_notes.values())
    for key, name in odd_notes.items():
        assert _found(tmp_path, f"{key}word") == [name]
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_odd_names_print_one_line_each_escaped(
    tmp_path: Path, odd_notes: dict[str, str], fmt: str
) -> None:
    result = run(
        "query", "oddword", "--all", "--per-note", "0", "--format", fmt, "--color", "never"
    )
    assert result.exit_code == 0
    out = result.stdout_bytes.decode("utf-8")  # strict
    assert unsafe_chars(out) == [], out
    if fmt == "json":
        assert sorted(r["path"] for r in json.loads(out)) == sorted(odd_notes.values())
    elif fmt == "jsonl":
        assert sorted(json.loads(x)["path"] for x in out.splitlines()) == sorted(odd_notes.values())
    elif fmt in ("plain", "paths", "vimgrep"):
        assert len(out.splitlines()) == len(odd_notes)
        assert "\\x1b" in out
    else:
        assert "\\x1b" in out


def test_odd_names_with_null_separator(tmp_path: Path, odd_notes: dict[str, str]) -> None:
    result = run("query", "oddword", "--all", "-l", "-0")
    assert result.exit_code == 0
    paths = result.stdout_bytes.decode("utf-8").split("\0")
    assert paths[-1] == ""
    # exact names (from here: never a leading dash), for xargs -0
    assert sorted(paths[:-1]) == sorted(f"notes/{name}" for name in odd_notes.values())


def test_leading_dash_name_with_path_filter(tmp_path: Path, odd_notes: dict[str, str]) -> None:
    result = run("query", "oddword", "--path", "-rf*", "--format", "paths")
    assert result.stdout == "notes/-rf --help.md\n"


def test_nfc_and_nfd_twins_stay_distinct(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    nfc = unicodedata.normalize("NFC", "café.md")
    nfd = unicodedata.normalize("NFD", "café.md")
    assert nfc != nfd
    write(notes, nfc, "# Composed\n\ntwinword composedword\n")
    write(notes, nfd, "# Decomposed\n\ntwinword decomposedword\n")
    index_ok()
    assert sorted(_found(tmp_path, "twinword")) == sorted([nfc, nfd])
    assert _found(tmp_path, "composedword") == [nfc]
    assert _found(tmp_path, "decomposedword") == [nfd]
    # Updating one twin leaves the other alone.
    (notes / nfc).write_text("# Composed\n\ntwinword changedword\n")
    index_ok()
    assert _found(tmp_path, "decomposedword") == [nfd]
    assert _found(tmp_path, "changedword") == [nfc]
    (notes / nfd).unlink()
    index_ok()
    assert _found(tmp_path, "twinword") == [nfc]
    out = run("query", "twinword", "--format", "jsonl").stdout
    assert json.loads(out)["path"] == nfc


def _make_bad_byte_note(notes: Path) -> str:
    notes.mkdir(parents=True, exist_ok=True)
    raw = os.fsencode(notes) + b"/bad\xff\xfe name.md"
    with open(raw, "wb") as fh:
        fh.write(b"# Bad bytes\n\nbadbytesword\n")
    return os.fsdecode(b"bad\xff\xfe name.md")


def test_invalid_utf8_file_name_is_skipped_with_one_warning(tmp_path: Path) -> None:
    # Policy (README): a name that is not valid UTF-8 cannot be stored, printed
    # or linked to reliably, so the note is skipped with one warning to rename it.
    notes = tmp_path / "notes"
    _make_bad_byte_note(notes)
    write(notes, "good.md", "# Good\n\ngoodword\n")
    result = run("index")
    assert result.exit_code == 0
    assert _found(tmp_path, "goodword") == ["good.md"]
    assert _found(tmp_path, "badbytesword") == []
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warnings == ["notesearch: warning: bad\\xff\\xfe name.md: name is not valid UTF-8; "
                        "skipped (rename it)"]  # fmt: skip


@pytest.mark.slow
def test_invalid_utf8_file_name_never_breaks_output(tmp_path: Path) -> None:
    _make_bad_byte_note(tmp_path / "notes")
    write(tmp_path / "notes", "good.md", "# Good\n\ngoodword\n")
    proc = nsub("index")
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr.decode("utf-8")  # strict: valid UTF-8
    assert unsafe_chars(err) == [] and "bad\\xff\\xfe name.md" in err
    for fmt in FORMATS:
        proc = nsub("query", "goodword", "--format", fmt)
        assert proc.returncode == 0, proc.stderr
        assert unsafe_chars(proc.stdout.decode("utf-8")) == []


def _surrogate_result() -> SearchResult:
    path = os.fsdecode(b"bad\xff\xfe name.md")
    section = Section(
        path=path,
        title="bad name",
        heading="Head",
        level=1,
        breadcrumb=(),
        anchor="head",
        line=1,
        end_line=3,
        tags=(),
        links=(),
        text="badbytesword",
    )
    snippet = Snippet(text="badbytesword", line=3, column=1)
    return SearchResult(query="badbytesword", hits=(Hit(section, 1.0, snippet, 1),))


@pytest.mark.parametrize(
    "fmt",
    [
        pytest.param("plain"),
        pytest.param("paths"),
        pytest.param("vimgrep"),
        pytest.param("rich"),
        "jsonl",
        "json",
    ],
)
def test_printers_escape_invalid_utf8_names(fmt: str) -> None:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="\n")
    printer = make_printer(fmt, out, io.StringIO(), color=False, notes_root="/notes", width=200)
    printer.hits(_surrogate_result())
    printer.close()
    out.flush()
    text = raw.getvalue().decode("utf-8")
    assert unsafe_chars(text) == []
    assert "badbytesword" in text or fmt == "paths"
    if fmt in ("plain", "paths", "vimgrep"):
        assert len(text.splitlines()) == 1
