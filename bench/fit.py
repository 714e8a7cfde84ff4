"""A joint fit of the ranking's parts, with leave-one-set-out cross-validation.

Usage:
    python bench/fit.py [--corpora DIR] [--train NAME]... [--test NAME]...

The final score of a candidate (``notesearch.engine.rank``) is the product of
its parts (BM25 ``text``, ``coverage``, ``near``, ``identifier``, ``prior``,
``title``, ``linked``). Here each part is raised to an exponent (1 is the
ranking as it is, 0 leaves the part out), and the exponents are fitted by
coordinate ascent (Metzler and Croft, 2007) to the mean MRR@10 of the
training sets, each set counting once. The parts are computed once per
query, by ``notesearch.search`` itself (its candidates, at bench/relevance.py's
limit), then combined again and folded (``notesearch.engine.fold``) for every
trial; the title and the links stay with the section the ranking gave them.

Before anything is fitted on all of the training sets, each of them is left
out in turn: the exponents fitted on the others are scored on it, beside the
ranking as it is. That estimates what a fit gains on queries it has not seen,
without looking at the --test sets; those are scored once, at the end, with
the exponents fitted on every training set.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import relevance  # noqa: E402  (bench/relevance.py, beside this file)
from notesearch import build_index, open_index, search  # noqa: E402
from notesearch.engine import fold, rank  # noqa: E402
from notesearch.engine import search as searching  # noqa: E402

PARTS = ("text", "coverage", "near", "identifier", "prior", "title", "linked")
GRID = {
    "text": (0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0),
    **{p: (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0) for p in PARTS[1:]},
}
AS_IS = {p: 1.0 for p in PARTS}

Candidates = list[rank.Scored]  # one query's candidates, with their parts


def candidates(index: object, text: str) -> Candidates:
    """The candidates ``search`` rescored for ``text`` (its last round), with their parts."""
    seen: list[Candidates] = []
    original = searching.rescore

    def keep(*args: object, **kwargs: object) -> Candidates:
        scored = original(*args, **kwargs)  # type: ignore[arg-type]
        seen.append(scored)
        return scored

    searching.rescore = keep  # type: ignore[assignment]
    try:
        search(index, text, limit=relevance.LIMIT, per_note=0)  # type: ignore[arg-type]
    except Exception:  # a query the engine refuses ranks nothing, as in relevance.py
        return []
    finally:
        searching.rescore = original
    return seen[-1] if seen else []


def ranked(cands: Candidates, exponents: dict[str, float]) -> list[str]:
    """The notes, best first, of the candidates scored with ``exponents``."""
    scored = [
        rank.Scored(
            math.prod(value ** exponents[name] for name, value in c.parts.items()),
            c.docnum,
            c.data,
            c.parts,
        )
        for c in cands
    ]
    groups = fold.fold(rank.order(scored), relevance.LIMIT)
    return relevance.unique_in_order(g.item.data["path"] for g in groups)


Judged = list[tuple[Candidates, relevance.Query]]


def result(judged: Judged, exponents: dict[str, float]) -> relevance.SystemResult:
    """bench/relevance.py's result for ``judged`` ranked with ``exponents``."""
    scored = relevance.SystemResult("fitted")
    scored.ranked = [ranked(c, exponents) for c, _ in judged]
    return scored


def mrr(judged: Judged, exponents: dict[str, float]) -> float:
    return result(judged, exponents).mrr_at([q for _, q in judged])


def success(judged: Judged, exponents: dict[str, float]) -> float:
    return result(judged, exponents).success_at([q for _, q in judged])


def objective(sets: Sequence[Judged], exponents: dict[str, float]) -> float:
    return sum(mrr(s, exponents) for s in sets) / len(sets)


def ascend(sets: Sequence[Judged], start: dict[str, float]) -> tuple[dict[str, float], float]:
    """Coordinate ascent from ``start``: a move only for a gain, ties to the value nearest 1."""
    best = dict(start)
    value = objective(sets, best)
    moved = True
    while moved:
        moved = False
        for part in PARTS:
            for trial in sorted(GRID[part], key=lambda v: abs(v - 1.0)):
                if trial == best[part]:
                    continue
                tried = {**best, part: trial}
                got = objective(sets, tried)
                if got > value + 1e-9:
                    best, value, moved = tried, got, True
    return best, value


def describe(exponents: dict[str, float]) -> str:
    changed = [f"{p} {v:g}" for p, v in exponents.items() if v != 1.0]
    return ", ".join(changed) or "as is"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=relevance.DEFAULT_CORPORA)
    parser.add_argument("--train", action="append", metavar="NAME", default=[])
    parser.add_argument("--test", action="append", metavar="NAME", default=[])
    args = parser.parse_args(argv)
    names = [*args.train, *args.test]
    chosen = {s.name: s for s in relevance.SETS if s.name in names}
    missing = sorted(set(names) - set(chosen))
    if missing or not args.train:
        parser.error(f"unknown or no sets: {', '.join(missing) or '(no --train)'}")
    judged: dict[str, Judged] = {}
    with tempfile.TemporaryDirectory(prefix="notesearch-fit-") as tmp:
        os.environ.setdefault("XDG_DATA_HOME", str(Path(tmp) / "data"))  # the seal key
        built: dict[Path, Path] = {}
        for name in names:
            js = chosen[name]
            corpus = js.corpus if isinstance(js.corpus, Path) else args.corpora / js.corpus
            if not corpus.is_dir():
                parser.error(f"set {name}: no corpus at {corpus} (pass --corpora DIR)")
            if corpus not in built:
                built[corpus] = Path(tmp) / f"index-{len(built)}"
                build_index(corpus, built[corpus], on_warning=lambda _d: None)
            queries = relevance.load_queries(js.queries, corpus.resolve())
            with open_index(built[corpus], corpus) as index:
                judged[name] = [(candidates(index, q.text), q) for q in queries]
    train = args.train
    print("leave one set out (fitted on the others, scored on it):")
    rows = []
    for out in train:
        rest = [judged[n] for n in train if n != out]
        fitted, _ = ascend(rest, AS_IS)
        rows.append(
            [
                out,
                f"{mrr(judged[out], AS_IS):.3f}",
                f"{mrr(judged[out], fitted):.3f}",
                describe(fitted),
            ]
        )
    print(relevance.aligned(["left out", "as is", "fitted", "exponents"], rows))
    fitted, value = ascend([judged[n] for n in train], AS_IS)
    print(f"\nfitted on all training sets: {describe(fitted)}")
    print(f"objective {objective([judged[n] for n in train], AS_IS):.4f} -> {value:.4f}")
    rows = [
        [
            n,
            "train" if n in train else "test",
            f"{success(judged[n], AS_IS):.3f} / {mrr(judged[n], AS_IS):.3f}",
            f"{success(judged[n], fitted):.3f} / {mrr(judged[n], fitted):.3f}",
        ]
        for n in names
    ]
    print(relevance.aligned(["set", "use", "as is s@5 / MRR@10", "fitted"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
