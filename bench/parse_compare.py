"""parse_note on pyromark against the markdown-it-py parser it replaced: same notes, same times?

Usage:
    python bench/parse_compare.py [FOLDER ...] [--ref COMMIT] [--rounds N] [--show N]
    python bench/parse_compare.py --write-reference [--ref COMMIT]

The reference is ``src/notesearch/notes/`` as it was at ``--ref`` (by default the last
commit whose parser was markdown-it-py), read with ``git show`` into a temporary
package; it needs markdown-it-py installed (``pip install 'markdown-it-py>=3,<5'``).
Every ``.md`` note under each folder (default: ../shared/corpora/*, the project's
notes/ and tests/fixtures/notes; absent folders are skipped) is decoded as an index
build does and parsed by both; the notes whose ``Note``, diagnostics included,
differ are listed with their first difference. With ``--rounds``, each folder is
also timed: CPU time per note, each parser over the whole folder in turn, the order
alternating from round to round, median of the rounds.

``--write-reference`` writes tests/fixtures/parse_reference.json instead: the reference
parser's records of every input of tests/notes/test_parse_reference.py (its cases, the
fixture notes and the bundled notes), and lists the inputs where today's parser differs.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # the repository's tests/

from notesearch.models import Diagnostic, Note  # noqa: E402
from notesearch.notes.parse import parse_note  # noqa: E402
from notesearch.notes.read import decode  # noqa: E402

# The last commit whose parse_note was built on markdown-it-py.
REFERENCE = "1c2c87e7f1315f80d3031d888c78400c4edec968"
DEFAULT_FOLDERS = [
    *sorted(p for p in (ROOT.parent / "shared" / "corpora").glob("*") if p.is_dir()),
    ROOT / "notes",
    ROOT / "tests" / "fixtures" / "notes",
]

Parser = Callable[[str, str], tuple[Note, list[Diagnostic]]]


def reference_parser(ref: str) -> Parser:
    """``parse_note`` as it was at ``ref``, loaded from git as the package ``_refnotes``."""
    listing = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "--name-only", ref, "src/notesearch/notes/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    package = Path(tempfile.mkdtemp(prefix="parse-ref-")) / "_refnotes"
    package.mkdir()
    for name in listing:
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{ref}:{name}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        # Its own modules stay its own; the models and settings are today's (same classes).
        source = source.replace("from ..", "from notesearch.")
        (package / Path(name).name).write_text(source, encoding="utf-8")
    sys.path.insert(0, str(package.parent))
    module: ModuleType = importlib.import_module("_refnotes.parse")
    parser: Parser = module.parse_note
    return parser


def load(folder: Path) -> list[tuple[str, str]]:
    """(path relative to the folder, decoded text) of every Markdown note under it."""
    notes = []
    for file in sorted(folder.rglob("*.md")):
        try:
            text = decode(file.read_bytes()).text
        except Exception:  # unreadable notes are not parsed by a build either
            continue
        notes.append((file.relative_to(folder).as_posix(), text))
    return notes


def first_difference(old: Any, new: Any, where: str = "note") -> str | None:
    """Where two parse results first differ, and how, or None when equal."""
    if old == new:
        return None
    if type(old) is type(new) and hasattr(old, "__slots__") and not isinstance(old, str):
        for name in old.__slots__:
            found = first_difference(getattr(old, name), getattr(new, name), f"{where}.{name}")
            if found:
                return found
    if isinstance(old, tuple | list) and isinstance(new, tuple | list):
        for i, (a, b) in enumerate(zip(old, new, strict=False)):
            found = first_difference(a, b, f"{where}[{i}]")
            if found:
                return found
        return f"{where}: {len(old)} items, now {len(new)}"
    return f"{where}: {old!r:.300} -> {new!r:.300}"


def compare(notes: list[tuple[str, str]], old: Parser, show: int) -> int:
    """Print the differing notes (up to ``show``); return how many are identical."""
    same = 0
    shown = 0
    for path, text in notes:
        found = first_difference(old(path, text), parse_note(path, text))
        if found is None:
            same += 1
        elif shown < show:
            shown += 1
            print(f"  DIFF {path}: {found}")
    return same


def cpu_seconds(old: Parser, notes: list[tuple[str, str]], flip: bool) -> tuple[float, float]:
    """CPU seconds of the reference parser and today's, each over all the notes.

    One parser reads every note, then the other (today's first when ``flip``), as
    a build reads note after note; rounds alternate the order.
    """
    spent = {}
    order = [(0, old), (1, parse_note)]
    for which, parse in order[::-1] if flip else order:
        start = time.process_time()
        for path, text in notes:
            parse(path, text)
        spent[which] = time.process_time() - start
    return spent[0], spent[1]


def write_reference(old: Parser) -> int:
    """Record the reference parser's notes for the equality test; 1 if today's differ."""
    import json

    from tests.notes.test_parse_reference import INPUTS, REFERENCE, record

    records = {key: record(old(path, text)) for key, (path, text) in INPUTS.items()}
    REFERENCE.write_text(
        json.dumps(records, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    differing = [
        key
        for key, (path, text) in INPUTS.items()
        if record(parse_note(path, text)) != records[key]
    ]
    for key in differing:
        path, text = INPUTS[key]
        print(f"  DIFF {key}: {first_difference(old(path, text), parse_note(path, text))}")
    print(f"{REFERENCE.relative_to(ROOT)}: {len(records)} records, {len(differing)} differ today")
    return 1 if differing else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--ref", default=REFERENCE, help="the reference commit")
    parser.add_argument("--rounds", type=int, default=0, help="timing rounds (0: no timing)")
    parser.add_argument("--show", type=int, default=20, help="differences shown per folder")
    parser.add_argument("--write-reference", action="store_true", help="write the test's records")
    args = parser.parse_args()
    try:
        import markdown_it  # noqa: F401
    except ImportError:
        print("markdown-it-py is not installed: the reference parser cannot run", file=sys.stderr)
        return 2
    old = reference_parser(args.ref)
    if args.write_reference:
        return write_reference(old)
    folders = [f for f in (args.folders or DEFAULT_FOLDERS) if f.is_dir()]
    if not folders:
        print("no folder of notes found: nothing compared")
        return 0
    total = identical = 0
    for folder in folders:
        notes = load(folder)
        same = compare(notes, old, args.show)
        total += len(notes)
        identical += same
        print(f"{folder}: {same}/{len(notes)} notes identical")
        if args.rounds and notes:
            rounds = [cpu_seconds(old, notes, flip=bool(r % 2)) for r in range(args.rounds)]
            before = statistics.median(r[0] for r in rounds) / len(notes) * 1000
            after = statistics.median(r[1] for r in rounds) / len(notes) * 1000
            print(
                f"  parse CPU ms/note, median of {args.rounds}: markdown-it-py {before:.3f}, "
                f"pyromark {after:.3f} ({before / after:.2f}x)"
            )
    print(f"total: {identical}/{total} notes identical")
    return 0 if identical == total else 1


if __name__ == "__main__":
    sys.exit(main())
