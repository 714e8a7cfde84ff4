"""``notesearch doctor``: does the index open, does every segment read, does it match its tables."""

from __future__ import annotations

from pathlib import Path

from ..errors import IndexUntrustedError
from . import seal, store, tables
from .reader import Index


def check_index(index_dir: Path | str, key: bytes | None = None) -> tuple[list[str], list[str]]:
    """Verify the index: (facts found, problems found).

    Opens the live generation, reads every stored section and every posting
    list of the note field (so each segment file is read through), and
    compares the sections found with the file table. No problem means the
    index answers queries as the table says.

    The seal is checked first, every file hashed (``key``: the user's secret
    key, None for the one at its default place): an index this user's
    notesearch did not write is never opened.
    """
    index_dir = Path(index_dir)
    facts: list[str] = []
    problems: list[str] = []
    leftovers = sorted(p.name for p in index_dir.glob("gen-*") if p.name.endswith(".tmp"))
    if leftovers:
        facts.append(
            f"unfinished generations (removed by the next index run): {', '.join(leftovers)}"
        )
    key = seal.load_key() if key is None else key
    live = store.current(index_dir)
    if live is None and not (index_dir / store.CURRENT).exists() and not leftovers:
        store.require(index_dir, key)  # no index yet: says so, and how to build one
    changed: list[str] = []
    if live is not None:
        try:
            seal.verify(index_dir, live, key, full=True, changed=changed)
        except IndexUntrustedError as exc:
            return facts, [str(exc)]
    problems += [f"{name} changed since notesearch wrote it" for name in changed]
    try:
        idx = Index(index_dir, key=key, checked=live)
    except Exception as exc:  # a damaged index raises anything at all
        return facts, [f"the index cannot be opened: {type(exc).__name__}: {exc}"]
    with idx:
        facts.append(f"generation {idx.generation.name}, schema {store.SCHEMA_VERSION}")
        try:
            counts: dict[str, int] = {}
            for fields in idx._searcher.all_stored_fields():
                path = fields["data"]["path"]
                counts[path] = counts.get(path, 0) + 1
            reader = idx._searcher.reader()
            for term in reader.lexicon("note"):
                sum(1 for _ in reader.postings("note", term).all_ids())
        except Exception as exc:
            return facts, [f"a segment cannot be read: {type(exc).__name__}: {exc}"]
        for path, entry in sorted(idx.table.notes.items()):
            if counts.get(path, 0) != entry.sections:
                problems.append(
                    f"{path}: {counts.get(path, 0)} sections in the index, "
                    f"{entry.sections} in the file table"
                )
        for path in sorted(set(counts) - set(idx.table.notes)):
            problems.append(f"{path}: in the index but not in the file table")
        if idx.stat != tables.StatTable.of(idx.table):
            problems.append(f"{tables.STAT} does not match {tables.TABLE}")
        facts.append(f"{len(idx.table.notes)} notes, {sum(counts.values())} sections readable")
    return facts, problems
