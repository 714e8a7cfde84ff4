"""Time full index builds only: wall time and CPU time (the process and its workers).

Each variant is a source folder (``src``, or a copy of another commit's); the
variants' builds alternate round by round on a copy of the same notes, so a
busy machine slows them alike. CPU time is the user+sys of the
``notesearch index --rebuild`` process and every worker it waited for
(``RUSAGE_CHILDREN``), the measure to compare on a shared machine. With
``--fts``, each round also times an SQLite FTS5 build of the same sections
(median of 3, as bench/run.py does), so each build's ratio to FTS5 is read
against the machine's state of that round.

    python bench/build_time.py --notes /tmp/notes10k --rounds 3 --fts src /tmp/base/src
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from run import fts_build, fts_rows, load_sections


def build(src: Path, notes: Path, index: Path, jobs: int | None) -> tuple[float, float]:
    """(wall s, CPU s) of one rebuild."""
    env = {**os.environ, "PYTHONPATH": str(src.resolve())}
    cmd = [sys.executable, "-m", "notesearch", "index", "-q", "--rebuild"]
    cmd += ["--notes", str(notes), "--index", str(index)]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def fts_rows_of(src: Path, notes: Path, index: Path, scratch: Path) -> list[tuple[Any, ...]]:
    """The FTS5 rows of the sections in ``index`` (``notesearch export``)."""
    out = scratch / "sections.jsonl"
    env = {**os.environ, "PYTHONPATH": str(src.resolve())}
    cmd = [sys.executable, "-m", "notesearch", "export", "--format", "jsonl"]
    with out.open("wb") as fh:
        subprocess.run(
            [*cmd, "--notes", str(notes), "--index", str(index)], env=env, check=True, stdout=fh
        )
    return fts_rows(load_sections(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("variants", nargs="+", type=Path, help="source folders (PYTHONPATH)")
    parser.add_argument("--notes", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--fts", action="store_true", help="time an FTS5 build every round")
    args = parser.parse_args()
    results: dict[Path, list[tuple[float, float, float]]] = {v: [] for v in args.variants}
    with tempfile.TemporaryDirectory(prefix="nsbuild-") as scratch:
        index = Path(scratch) / "index"
        rows = None
        for r in range(args.rounds):
            order = args.variants if r % 2 == 0 else list(reversed(args.variants))
            fts = 0.0
            for variant in order:
                shutil.rmtree(index, ignore_errors=True)
                wall, cpu = build(variant, args.notes, index, args.jobs)
                if args.fts and rows is None:
                    rows = fts_rows_of(variant, args.notes, index, Path(scratch))
                if args.fts and not fts:
                    db = Path(scratch) / "fts.db"
                    fts = statistics.median(fts_build(db, rows) for _ in range(3))
                results[variant].append((wall, cpu, wall / fts if fts else 0.0))
                ratio = f", {wall / fts:.1f}x FTS5 ({fts:.2f} s)" if fts else ""
                print(f"round {r} {variant}: wall {wall:.2f} s, cpu {cpu:.2f} s{ratio}", flush=True)
    first = results[args.variants[0]]
    for variant, runs in results.items():
        wall = statistics.median(w for w, _, _ in runs)
        cpu = statistics.median(c for _, c, _ in runs)
        ratios = [c / c0 for (_, c, _), (_, c0, _) in zip(runs, first, strict=True)]
        line = f"{variant}: median wall {wall:.2f} s, cpu {cpu:.2f} s"
        line += f" (per round {statistics.median(ratios):.3f}x the first's CPU)"
        if args.fts:
            line += f", median {statistics.median(f for _, _, f in runs):.1f}x FTS5"
        print(line)


if __name__ == "__main__":
    main()
