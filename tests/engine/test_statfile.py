"""stat.bin: the packed stat table every query reads; damage is a ValueError, never more."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from notesearch import open_index
from notesearch.engine import statfile, store, tables
from notesearch.engine.build import build_index
from notesearch.errors import IndexDamagedError
from tests.helpers import write

TABLES = {
    "empty": tables.StatTable(),
    "empty, folders kept": tables.StatTable(folders={}),
    "everything": tables.StatTable(
        notes={"a.md": (12, 1_700_000_000_123_456_789), "sub/é ü\nx.md": (0, -5)},
        assets=["img/a.png", "日本.pdf"],
        skipped={"big.md": (2**40, 1)},
        folders={"": (2**63 + 5, 10, 11), "sub": (7, 8, 9)},
    ),
}


@pytest.mark.parametrize("name", list(TABLES), ids=str)
def test_round_trip(name: str) -> None:
    table = TABLES[name]
    assert statfile.unpack(statfile.pack(table)) == table


GOOD = statfile.pack(TABLES["everything"])
HEADER_END = len(statfile.MAGIC) + struct.calcsize("<9Q")


def _with_header(**changes: int) -> bytes:
    names = ["flags", "notes", "skipped", "assets", "folders", "b1", "b2", "b3", "b4"]
    header = struct.unpack("<9Q", GOOD[len(statfile.MAGIC) : HEADER_END])
    values = dict(zip(names, header, strict=True))
    values.update(changes)
    return statfile.MAGIC + struct.pack("<9Q", *values.values()) + GOOD[HEADER_END:]


DAMAGED = {
    "nothing": b"",
    "json": b'{"notes": {}}',
    "another magic": b"NSSTAT9\n" + GOOD[8:],
    "truncated header": GOOD[:20],
    "truncated columns": GOOD[:-1],
    "bytes after": GOOD + b"\0",
    "unknown flag": _with_header(flags=3),
    "one note more": _with_header(notes=3),
    "a huge count": _with_header(notes=2**62),
    "a path list too long": _with_header(b1=2**40),
    "folders without the flag": _with_header(flags=0),
    "not UTF-8": GOOD.replace("é".encode(), b"\xff\xfe"),
}


@pytest.mark.parametrize("name", list(DAMAGED), ids=str)
def test_damage_is_a_value_error(name: str) -> None:
    with pytest.raises(ValueError):
        statfile.unpack(DAMAGED[name])


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    notes, index = tmp_path / "notes", tmp_path / "index"
    write(notes, "a.md", "# Alpha\n\nquokka\n")
    write(notes, "sub/b.md", "# Beta\n\nwombat\n")
    build_index(notes, index, jobs=1)
    return notes, index


def _gen(index: Path) -> Path:
    gen = store.current(index)
    assert gen is not None
    return gen


def test_the_index_keeps_stat_bin_and_it_matches_the_file_table(built: tuple[Path, Path]) -> None:
    _, index = built
    gen = _gen(index)
    assert (gen / tables.STAT).exists()
    table = tables.read_table(gen)
    assert tables.read_stat(gen) == tables.StatTable.of(table)
    assert table.folders is not None and sorted(table.folders) == ["", "sub"]


def test_a_changed_stat_bin_is_refused_before_it_is_decoded(built: tuple[Path, Path]) -> None:
    notes, index = built
    path = _gen(index) / tables.STAT
    data = bytearray(path.read_bytes())
    data[-1] ^= 1  # same size, another checksum than the sealed one
    path.write_bytes(bytes(data))
    with pytest.raises(IndexDamagedError, match=r"stat\.bin differs from what notesearch wrote"):
        open_index(index, notes)


def test_the_notes_read_are_a_mapping_over_their_columns() -> None:
    read = statfile.unpack(GOOD).notes
    assert isinstance(read, statfile.Signatures)
    expected = TABLES["everything"].notes
    assert list(read) == list(expected) and len(read) == 2
    assert read["a.md"] == expected["a.md"] and "a.md" in read and "b.md" not in read
    assert dict(read) == expected and read == expected and expected == read
    assert list(statfile.columns(read)) == list(statfile.columns(expected))
    with pytest.raises(KeyError):
        read["b.md"]
