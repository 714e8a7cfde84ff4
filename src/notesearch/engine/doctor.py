"""``notesearch doctor``: does the index open, does every file hold what was written, does every
segment read, does it match its tables."""

from __future__ import annotations

from pathlib import Path

from ..errors import IndexUntrustedError, IndexVersionError
from . import folder, seal, store, tables
from .reader import Index


def check_index(index_dir: Path | str, key: bytes | None = None) -> tuple[list[str], list[str]]:
    """Verify the index: (facts found, problems found). No problem means it is sound.

    In order: the ``CURRENT`` pointer; the meta table (this schema version);
    the seal, every file hashed against its recorded size and checksum
    (``key``: the user's secret key, None for the one at its default place);
    then, unless a file Whoosh would unpickle is damaged (an index this
    user's notesearch did not write is never opened), the index is opened,
    every stored section and every posting list of the note field read (so
    each segment file is read through), and the sections compared with the
    file table.

    Raises:
        IndexMissingError: there is no index yet (no ``CURRENT``, no generation).
    """
    index_dir = Path(index_dir)
    facts: list[str] = []
    leftovers = sorted(p.name for p in index_dir.glob("gen-*") if p.name.endswith(".tmp"))
    if leftovers:
        facts.append(
            f"unfinished generations (removed by the next index run): {', '.join(leftovers)}"
        )
    key = seal.load_key() if key is None else key
    live, problem = store.pointer(index_dir)
    if live is None:
        if problem is None:
            if not _generations(index_dir) and not leftovers:
                store.require(index_dir, key)  # no index yet: says so, and how to build one
            problem = f"{store.CURRENT} is missing"
        return facts, [problem]
    meta_problem: str | None = None
    try:
        tables.read_meta(live, strict=True)
        store.check_version(index_dir, live)
    except IndexVersionError as exc:
        return facts, [str(exc)]
    except IndexUntrustedError:  # parses, but names no schema version
        meta_problem = f"{live.name}/{tables.META} is damaged (no schema version)"
    except (OSError, ValueError) as exc:
        meta_problem = f"{live.name}/{tables.META} is damaged ({_reason(exc)})"
    try:
        damaged = seal.problems(index_dir, live, key)
    except IndexUntrustedError as exc:
        return facts, [str(exc)]
    problems = [f"{live.name}/{name} {what}" for name, what in damaged]
    if meta_problem is not None and not any(n == tables.META for n, _ in damaged):
        problems.append(meta_problem)
    if meta_problem is not None or any(not seal.is_table(name) for name, _ in damaged):
        return facts, problems  # a damaged file is never handed to Whoosh
    return facts, problems + _structure(index_dir, key, live, facts)


def _structure(index_dir: Path, key: bytes, live: Path, facts: list[str]) -> list[str]:
    """Open the index and read it through: the problems found (facts are added to ``facts``)."""
    problems: list[str] = []
    try:
        idx = Index(index_dir, key=key, checked=live)
    except Exception as exc:  # a damaged index raises anything at all
        return [f"the index cannot be opened: {_reason(exc)}"]
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
            return [f"a segment cannot be read: {_reason(exc)}"]
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
    return problems


def _generations(index_dir: Path) -> list[str]:
    """The finished generations in the index folder."""
    try:
        names = [p.name for p in index_dir.iterdir()]
    except OSError:
        return []
    return [n for n in names if folder.GENERATION.fullmatch(n) and not n.endswith(".tmp")]


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return f"{type(exc).__name__}: {exc}"
