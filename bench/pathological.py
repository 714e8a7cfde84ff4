"""Parse time of pathological notes, before and after the linear-time rewrite (issue 15).

Usage:
    python bench/pathological.py [--sizes 8000,32000,128000,512000] [--budget 60]
                                 [--cases NAME,...]

Each case is a note that made a parse step quadratic. ``before`` runs
``parse_note`` with the old implementations (tests/limits/reference.py) patched in;
``after`` runs it as it is. Every measurement is ``parse_note`` on one note
in its own child process; a run still going after ``--budget`` seconds is
killed and shown as ``> budget``, and that case is not run at larger sizes.
Standard library only (and notesearch).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's tests/
from tests.limits.reference import use_old_code

# -- the notes ------------------------------------------------------------------------


def _repeat(unit: str) -> Callable[[int], str]:
    return lambda size: unit * max(1, size // len(unit))


CASES: dict[str, tuple[str, Callable[[int], str]]] = {
    "comment-and-backticks": ("%% then a run of backticks", lambda n: "%%\n" + "`" * n),
    "comment-and-fence-line": ("%% then a last line of ~", lambda n: "%%\n" + "~" * n),
    "escaped-wiki-links": ("\\[\\[n\\]\\] repeated", _repeat("\\[\\[n\\]\\] ")),
    "distinct-escaped-wiki": (
        "\\[\\[n1\\]\\] \\[\\[n2\\]\\] ...",
        lambda n: "".join(f"\\[\\[n{i}\\]\\] " for i in range(max(1, n // 12))),
    ),
    "escaped-wiki-openings": ("\\[\\[ repeated", _repeat("\\[\\[")),
    "html-without-close": ("an HTML block of '<a id=x ' without '>'", _repeat("<a id=x ")),
    "encoded-link-targets": (
        "[a](<a b1>) [a](<a b2>) ...",
        lambda n: "".join(f"[a](<a b{i}>) " for i in range(max(1, n // 13))),
    ),
}


def note(case: str, size: int) -> str:
    text = CASES[case][1](size)
    return "<div>\n" + text if case == "html-without-close" else text


def measure_one(case: str, size: int, old: bool) -> float:
    """In this process: parse the note once, return the seconds it took."""
    from notesearch.notes.parse import parse_note

    if old:
        use_old_code()
    text = note(case, size)
    started = time.perf_counter()
    parse_note("n.md", text)
    return time.perf_counter() - started


def measure(case: str, size: int, old: bool, budget: float) -> float | None:
    """In a child process; None when it ran out of time."""
    args = [sys.executable, __file__, "--one", case, str(size), "old" if old else "new"]
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=budget, check=True)
    except subprocess.TimeoutExpired:
        return None
    return float(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="8000,32000,128000,512000")
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        case, size, which = args.one
        print(measure_one(case, int(size), which == "old"))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    budget = f"> {args.budget:g} s"
    print(f"parse_note seconds per note (child process; killed after {args.budget:g} s)\n")
    print(f"{'case':24} {'note':>9} {'before':>10} {'after':>8}")
    for case in args.cases.split(","):
        print(f"{case}: {CASES[case][0]}")
        old_done = False
        for size in sizes:
            length = len(note(case, size))
            before = "-" if old_done else None
            if before is None:
                seconds = measure(case, size, True, args.budget)
                before = budget if seconds is None else f"{seconds:.3f}"
                old_done = seconds is None
            after = measure(case, size, False, args.budget)
            after_text = budget if after is None else f"{after:.3f}"
            print(f"{'':24} {length:>9,} {before:>10} {after_text:>8}", flush=True)


if __name__ == "__main__":
    main()
