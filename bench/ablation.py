"""What each part of the ranking adds: every judged set, with each part turned off in turn.

Usage:
    python bench/ablation.py [--corpora DIR] [--set NAME]...

The ranking's parts (``notesearch.engine.rank``: coverage, title, the file
name in the title, prior, links from the matching sections,
proximity, the query's identifiers as typed;
``notesearch.engine.expand``: misspelt words searched as their nearest word,
compound words as their parts;
``notesearch.engine.fold``: folding) are switched off one at a time by
setting their weight to zero (or False), in this process, on one index per corpus built
once. The metrics are bench/relevance.py's (success@5, MRR@10 over unique
notes), on the same judged sets; "all on" is what ``notesearch query`` ranks.
Index-time changes (the title indexed in a note's first section only, the
analyzer) cannot be switched off here: bench/relevance.py measures them
against a build of the code before them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import relevance  # noqa: E402  (bench/relevance.py, beside this file)
from notesearch import build_index, open_index, search  # noqa: E402
from notesearch.engine import expand, rank  # noqa: E402

MODULES = {"rank": rank, "expand": expand}  # a variant's "module.NAME"; a bare NAME is rank's

VARIANTS: dict[str, dict[str, float | bool]] = {
    "all on": {},
    "no coverage": {"COORDINATION": 0.0},
    "no title bonus": {"TITLE_WEIGHT": 0.0},
    "no link prior": {"PRIOR_WEIGHT": 0.0},
    "no links from matches": {"LINK_WEIGHT": 0.0},
    "no proximity": {"PROXIMITY_WEIGHT": 0.0},
    "no file name in title": {"NAME_IN_TITLE": False},
    "no identifier as typed": {"IDENTIFIER_WEIGHT": 0.0},
    "no expansion": {"expand.EXPAND": False},
    "no compound split": {"expand.COMPOUNDS": False},
    "no folding": {},  # search(fold=False)
    "none of them": {
        "COORDINATION": 0.0,
        "TITLE_WEIGHT": 0.0,
        "PRIOR_WEIGHT": 0.0,
        "LINK_WEIGHT": 0.0,
        "PROXIMITY_WEIGHT": 0.0,
        "NAME_IN_TITLE": False,
        "IDENTIFIER_WEIGHT": 0.0,
        "expand.EXPAND": False,
        "expand.COMPOUNDS": False,
    },
}


@contextmanager
def weights(changes: dict[str, float | bool]) -> Iterator[None]:
    targets = {
        key: (MODULES[key.split(".")[0]], key.split(".")[-1]) if "." in key else (rank, key)
        for key in changes
    }
    saved = {key: getattr(module, name) for key, (module, name) in targets.items()}
    for key, value in changes.items():
        setattr(*targets[key], value)
    try:
        yield
    finally:
        for key, value in saved.items():
            setattr(*targets[key], value)


def ranked_notes(index: object, text: str, fold: bool) -> list[str]:
    try:
        hits = search(index, text, limit=relevance.LIMIT, per_note=0, fold=fold).hits  # type: ignore[arg-type]
    except Exception:  # a query the engine refuses ranks nothing, as in relevance.py
        return []
    return relevance.unique_in_order(hit.section.path for hit in hits)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=relevance.DEFAULT_CORPORA)
    parser.add_argument("--set", action="append", dest="sets", metavar="NAME")
    args = parser.parse_args(argv)
    chosen = [s for s in relevance.SETS if not args.sets or s.name in args.sets]
    rows: list[list[str]] = []
    with tempfile.TemporaryDirectory(prefix="notesearch-ablation-") as tmp:
        os.environ.setdefault("XDG_DATA_HOME", str(Path(tmp) / "data"))  # the seal key
        built: dict[Path, Path] = {}
        for judged in chosen:
            corpus = (
                judged.corpus if isinstance(judged.corpus, Path) else args.corpora / judged.corpus
            )
            if not corpus.is_dir():
                print(f"skipped {judged.name}: no corpus at {corpus}", file=sys.stderr)
                continue
            if corpus not in built:
                built[corpus] = Path(tmp) / f"index-{len(built)}"
                build_index(corpus, built[corpus], on_warning=lambda _d: None)
            queries = relevance.load_queries(judged.queries, corpus.resolve())
            with open_index(built[corpus], corpus) as index:
                for variant, changes in VARIANTS.items():
                    rows.append(
                        [
                            judged.name,
                            judged.label,
                            variant,
                            *score(index, queries, variant, changes),
                        ]
                    )
    header = ["set", "use", "variant", "success@5", "MRR@10"]
    print(relevance.aligned(header, rows, left=3))
    return 0


def score(
    index: object, queries: list[relevance.Query], variant: str, changes: dict[str, float | bool]
) -> list[str]:
    result = relevance.SystemResult(variant)
    fold = variant != "no folding"
    with weights(changes):
        result.ranked = [ranked_notes(index, q.text, fold) for q in queries]
    return [f"{result.success_at(queries):.3f}", f"{result.mrr_at(queries):.3f}"]


if __name__ == "__main__":
    raise SystemExit(main())
