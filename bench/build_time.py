"""Time full index builds only: wall time and CPU time (the process and its workers).

Each variant is a source folder (``src``, or a copy of another commit's); the
variants' builds alternate round by round on a copy of the same notes, so a
busy machine slows them alike. CPU time is the user+sys of the
``notesearch index --rebuild`` process and every worker it waited for
(``RUSAGE_CHILDREN``), the measure to compare on a shared machine.

    python bench/build_time.py --notes /tmp/notes10k --rounds 3 src /tmp/base/src
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


def build(src: Path, notes: Path, index: Path, jobs: int | None) -> tuple[float, float, int]:
    """(wall s, CPU s, peak RSS KB of the largest process) of one rebuild."""
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
    return wall, cpu, after.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("variants", nargs="+", type=Path, help="source folders (PYTHONPATH)")
    parser.add_argument("--notes", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    results: dict[Path, list[tuple[float, float]]] = {v: [] for v in args.variants}
    with tempfile.TemporaryDirectory(prefix="nsbuild-") as scratch:
        for r in range(args.rounds):
            order = args.variants if r % 2 == 0 else list(reversed(args.variants))
            for variant in order:
                index = Path(scratch) / "index"
                shutil.rmtree(index, ignore_errors=True)
                wall, cpu, _ = build(variant, args.notes, index, args.jobs)
                results[variant].append((wall, cpu))
                print(f"round {r} {variant}: wall {wall:.2f} s, cpu {cpu:.2f} s", flush=True)
    first = results[args.variants[0]]
    for variant, runs in results.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        ratio = cpu / statistics.median(c for _, c in first)
        print(f"{variant}: median wall {wall:.2f} s, cpu {cpu:.2f} s ({ratio:.3f}x the first)")


if __name__ == "__main__":
    main()
