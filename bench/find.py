"""notesearch find's latency: per keystroke, and to open, on synthetic vaults.

    python bench/find.py --sizes 1000,10000          # generates and indexes the vaults
    python bench/find.py --sizes 1000,10000 --keep /tmp/nsbench   # reuses <keep>/v<N>/{notes,index}

Per keystroke: the benchmark's query set (``run.pick_queries``, tag filters
typed as ``#tag``) is typed character by character; for every prefix, the
time from the query string to a rendered result list: the session's search,
the result list filled, and Textual's screen refreshed (headless, 120x35, in
this process). p50 and p95 over all prefixes, wall and CPU time (the machine
may be shared: CPU time is what the finder itself spent). The preview of the
first result is drawn in the frame after the results' (as fzf's preview
follows its list); the time to that frame is given too.

To open: a fresh Python process imports notesearch and Textual, opens the
index and shows the first screen (headless); wall time from the process's
first line to the first frame, median of 3, plus Python's own start.

``bench/run.py --find`` calls :func:`measure` for each size it benchmarks.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "src"))
sys.path.insert(0, str(BENCH))

import vault as synthetic  # noqa: E402  (bench/vault.py)
from stats import median  # noqa: E402

SIZE = (120, 35)
OPEN_REPEAT = 3
TARGETS = {1000: 15.0, 10000: 50.0}  # p95 per keystroke, ms
OPEN_TARGET = 0.5  # seconds, at 10,000 notes

OPEN_SCRIPT = r"""
import time
started = time.perf_counter()
import asyncio, os, sys
from pathlib import Path
from notesearch.finder.app import FinderApp
from notesearch.live import Session
from notesearch.paths import PathDisplay
from notesearch.vault import Vault
notes, index = Path(sys.argv[1]), Path(sys.argv[2])

async def main():
    session = Session(Vault(notes, index))
    app = FinderApp(session, PathDisplay(str(notes), os.getcwd()))
    async with app.run_test(size=(120, 35)) as pilot:
        await pilot._wait_for_screen()
        app.screen._on_timer_update()  # the first frame drawn
        print(time.perf_counter() - started)
        app.exit()
    session.close()

asyncio.run(main())
"""


def p95(values: Sequence[float]) -> float:
    """Nearest-rank 95th percentile."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)])


def typed_lines(queries: Sequence[Any]) -> list[str]:
    """Each benchmark query as a user types it in the finder (tags as ``#tag``)."""
    return [" ".join([q.text, *(f"#{t}" for t in q.tags)]) for q in queries]


async def _keystrokes(
    notes: Path, index: Path, lines: Sequence[str]
) -> tuple[list[float], list[float], list[float]]:
    from notesearch.finder.app import FinderApp
    from notesearch.live import Session
    from notesearch.paths import PathDisplay
    from notesearch.vault import Vault

    session = Session(Vault(notes, index))
    app = FinderApp(session, PathDisplay(str(notes), os.getcwd()), poll=3600, stale_every=3600)
    times: list[float] = []
    cpu: list[float] = []
    previews: list[float] = []

    async def keystroke(text: str) -> tuple[float, float]:
        """The wall and CPU clocks at the results' frame; returns once the preview's frame
        is drawn too."""
        # As the finder does it (the search on its thread: here, inline), then every
        # message handled and the screen drawn now (Pilot.pause would also wait for
        # the CPU to go idle, which is not the finder's time).
        app.show(session.search(text, spell=False))
        await pilot._wait_for_screen()
        app.screen._on_timer_update()  # the result list drawn
        results = time.perf_counter(), time.process_time()
        # The preview follows the results' frame (FinderApp._preview_soon).
        await pilot._wait_for_screen()
        app.screen._on_timer_update()
        assert not app._preview_due, "the preview was not drawn"
        return results

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for n in range(1, len(lines[0]) + 1):  # warm-up: the first query, not counted
            await keystroke(lines[0][:n])
        session._answers.clear()
        for line in lines:
            for n in range(1, len(line) + 1):
                started, used = time.perf_counter(), time.process_time()
                shown, spent = await keystroke(line[:n])
                times.append(shown - started)
                cpu.append(spent - used)
                previews.append(time.perf_counter() - started)
        app.exit()
    session.close()
    return times, cpu, previews


def open_seconds(notes: Path, index: Path) -> dict[str, float]:
    """Median wall time of a fresh process to its first frame (and Python's start alone)."""
    env = {**os.environ, "PYTHONPATH": str(BENCH.parent / "src")}
    runs = []
    for _ in range(OPEN_REPEAT):
        proc = subprocess.run(
            [sys.executable, "-c", OPEN_SCRIPT, str(notes), str(index)],
            capture_output=True, text=True, env=env, check=False,
        )  # fmt: skip
        if proc.returncode != 0:
            raise SystemExit(f"opening the finder failed: {proc.stderr.strip()[-500:]}")
        runs.append(float(proc.stdout.split()[-1]))
    starts = []
    for _ in range(OPEN_REPEAT):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        starts.append(time.perf_counter() - began)
    return {"to_first_frame": median(runs), "python_start": median(starts), "runs": runs}


def measure(notes: Path, index: Path, queries: Sequence[Any]) -> dict[str, Any]:
    """The finder's figures for one vault (``queries``: ``run.Query`` objects)."""
    lines = typed_lines(queries)
    times, cpu, previews = asyncio.run(_keystrokes(notes, index, lines))
    return {
        "keystrokes": len(times),
        "p50_ms": median(times) * 1000,
        "p95_ms": p95(times) * 1000,
        "max_ms": max(times) * 1000,
        "cpu_p50_ms": median(cpu) * 1000,
        "cpu_p95_ms": p95(cpu) * 1000,
        "preview_p50_ms": median(previews) * 1000,
        "preview_p95_ms": p95(previews) * 1000,
        "open": open_seconds(notes, index),
        "queries": lines,
    }


def render(size: int, res: dict[str, Any]) -> str:
    target = TARGETS.get(size)
    met = "" if target is None else f" (target p95 <= {target:.0f} ms: "
    met += "" if target is None else ("met)" if res["p95_ms"] <= target else "NOT MET)")
    opened = res["open"]
    line = (
        f"find, {size:,} notes: per keystroke p50 {res['p50_ms']:.1f} ms, p95 "
        f"{res['p95_ms']:.1f} ms, max {res['max_ms']:.0f} ms over {res['keystrokes']} "
        f"keystrokes{met} (CPU p50 {res['cpu_p50_ms']:.1f}, p95 {res['cpu_p95_ms']:.1f} ms); "
        f"preview drawn too p50 {res['preview_p50_ms']:.1f}, p95 {res['preview_p95_ms']:.1f} ms; "
        f"open {opened['to_first_frame']:.2f} s to the first frame "
        f"(+ {opened['python_start'] * 1000:.0f} ms Python start)"
    )
    if size >= 10000:
        total = opened["to_first_frame"] + opened["python_start"]
        line += f" (target <= {OPEN_TARGET} s: {'met' if total <= OPEN_TARGET else 'NOT MET'})"
    return line


def _vault(size: int, root: Path, seed: int) -> tuple[Path, Path]:
    notes, index = root / f"v{size}" / "notes", root / f"v{size}" / "index"
    if not notes.is_dir():
        synthetic.generate(notes, size, seed)
    from notesearch.errors import IndexVersionError
    from notesearch.vault import Vault

    try:
        Vault(notes, index).refresh()  # builds it, or checks that nothing changed
    except IndexVersionError:
        Vault(notes, index).refresh(rebuild=True)
    return notes, index


def main(argv: Sequence[str] | None = None) -> int:
    import run  # bench/run.py: the query set

    parser = argparse.ArgumentParser(description="notesearch find: latency per keystroke, open.")
    parser.add_argument("--sizes", type=run.parse_sizes, default=[1000, 10000])
    parser.add_argument("--queries", type=int, default=run.DEFAULT_QUERIES)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="make (or reuse) the vaults under this folder")
    parser.add_argument("--json", type=Path, help="write the results to this JSON file")
    args = parser.parse_args(argv)
    from notesearch.vault import Vault

    results: dict[str, Any] = {"load": os.getloadavg()[0], "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="notesearch-bench-find-") as scratch:
        root = args.keep or Path(scratch)
        for size in args.sizes:
            notes, index = _vault(size, root, args.seed)
            sections = [s.to_dict() for s in Vault(notes, index).export()]
            queries = run.pick_queries(
                sections, args.queries, args.seed + size, synthetic.lexicon(args.seed)
            )
            res = measure(notes, index, queries)
            results[str(size)] = res
            print(render(size, res), flush=True)
    print(f"load average at start: {results['load']:.1f} on {results['cpus']} cores")
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
