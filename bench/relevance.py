"""Relevance benchmark: notesearch vs. an SQLite FTS5 baseline over the same sections.

Usage:
    python bench/relevance.py [--set NAME] [--corpora DIR] [--verbose] [--json FILE]
    python bench/relevance.py --set NAME [--corpus DIR] [--queries FILE]

Every judged set (``SETS``: a corpus under ``../shared/corpora``, or in
``tests/relevance`` for the small multilingual set, and its queries under
``tests/relevance``) is run in turn, or only the one named by
``--set``. For each set the script indexes the corpus with ``notesearch
index`` into a temporary directory, runs every query through ``notesearch
query`` (a whole ``python -m notesearch`` process, timed) and through an
in-memory FTS5 table built from ``notesearch export`` (so both systems see
exactly the same sections), and reports success@5 and MRR@10 over the ranked
*notes* (unique paths in order of first appearance), side by side, with the
median and p90 latency of the notesearch queries.

A set is labelled "training" when ranking was tuned on it and "held out" when
nobody looked at notesearch's answers while writing or judging it: only the
held-out numbers say how the ranking does on queries it was not fitted to.

A query that notesearch rejects (exit 2, e.g. ``titel:foo``, a field name one
letter off) counts as a query with no results; ``--verbose`` shows the
message.

Standard library only. Exit codes: 0 done, 1 a notesearch command failed,
2 bad input (missing corpus or queries file, unknown set, FTS5 unavailable).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # bench/ itself
from stats import median, p90  # bench/stats.py

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = REPO_ROOT.parent / "shared/corpora"
QUERIES_DIR = REPO_ROOT / "tests/relevance"

LIMIT = 10  # sections asked of each system
SUCCESS_AT = 5  # success@k cut-off, in ranked notes
MRR_AT = 10  # MRR@k cut-off, in ranked notes
FTS_WEIGHTS = (0.0, 5.0, 3.0, 1.0)  # bm25 weights: path, title, heading, text
INDEX_TIMEOUT = 1800.0
COMMAND_TIMEOUT = 300.0

WORST_SHOWN = 10  # --verbose: queries where notesearch trails FTS5 the most

WORD_RE = re.compile(r"\w+")
PHRASE_OR_TEXT_RE = re.compile(r'"([^"]*)"|([^"]+)')


class BenchError(Exception):
    """A failure that ends the run with a one-line message and an exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class JudgedSet:
    """A corpus folder (under --corpora, or in the repository) with its judged queries."""

    name: str
    corpus: str | Path  # a folder name under --corpora, or a Path of its own (in-repo sets)
    queries: Path
    label: str  # "training": ranking was tuned on it; "held out": it was not


LABELS = {
    "training": "ranking was tuned on it",
    "held out": "nobody tuned on it or looked at notesearch's answers while judging it",
}

CORPORA = {"obsidian": "obsidian-help-en", "lambda": "aws-lambda-guide"}  # under --corpora


def _held_out(name: str) -> JudgedSet:
    """The held-out set ``NAME`` (``CORPUS-holdoutN``): its queries in tests/relevance/NAME.json."""
    return JudgedSet(name, CORPORA[name.split("-")[0]], QUERIES_DIR / f"{name}.json", "held out")


SETS: tuple[JudgedSet, ...] = (
    JudgedSet("obsidian", CORPORA["obsidian"], QUERIES_DIR / "queries.json", "training"),
    JudgedSet("lambda", CORPORA["lambda"], QUERIES_DIR / "lambda.json", "training"),
    # Written round by round, a pair at a time (see the README's relevance section).
    *(_held_out(f"{corpus}-holdout{n}") for n in ("", "2", "3", "4", "5") for corpus in CORPORA),
    JudgedSet(
        "multilingual",
        QUERIES_DIR / "multilingual/notes",
        QUERIES_DIR / "multilingual/queries.json",
        "held out",
    ),
)


@dataclass(frozen=True, slots=True)
class Query:
    """One judged query: the text a user types and the notes that satisfy it."""

    text: str
    relevant: tuple[str, ...]


@dataclass(slots=True)
class SystemResult:
    """Ranked notes per query for one system, plus the scores derived from them."""

    name: str
    ranked: list[list[str]] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)  # per query, when timed
    errors: dict[int, str] = field(default_factory=dict)  # query index -> message

    def success_at(self, queries: Sequence[Query], k: int = SUCCESS_AT) -> float:
        hits = [
            first_relevant_rank(ranked, query.relevant, k) is not None
            for ranked, query in zip(self.ranked, queries, strict=True)
        ]
        return sum(hits) / len(hits) if hits else 0.0

    def mrr_at(self, queries: Sequence[Query], k: int = MRR_AT) -> float:
        recips = []
        for ranked, query in zip(self.ranked, queries, strict=True):
            rank = first_relevant_rank(ranked, query.relevant, k)
            recips.append(1.0 / rank if rank is not None else 0.0)
        return sum(recips) / len(recips) if recips else 0.0


def normalize_path(path: str) -> str:
    """Return a note path with "/" separators and no leading "./"."""
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def unique_in_order(paths: Iterable[str]) -> list[str]:
    """Deduplicate paths, keeping the order of first appearance."""
    seen: set[str] = set()
    out: list[str] = []
    for path in paths:
        norm = normalize_path(path)
        if norm not in seen:
            seen.add(norm)
            out.append(norm)
    return out


def first_relevant_rank(ranked: Sequence[str], relevant: Sequence[str], k: int) -> int | None:
    """1-based rank of the first relevant note within the top k, or None."""
    wanted = set(relevant)
    for rank, path in enumerate(ranked[:k], start=1):
        if path in wanted:
            return rank
    return None


def reciprocal_rank(ranked: Sequence[str], relevant: Sequence[str], k: int = MRR_AT) -> float:
    rank = first_relevant_rank(ranked, relevant, k)
    return 1.0 / rank if rank is not None else 0.0


def load_queries(path: Path, corpus: Path) -> list[Query]:
    """Read and validate the judged queries; every relevant path must exist in the corpus."""
    if not path.is_file():
        raise BenchError(f"error: queries file not found: {path}", 2)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BenchError(f"error: {path} is not valid JSON: {exc}", 2) from exc
    if not isinstance(raw, list) or not raw:
        raise BenchError(f"error: {path} must hold a non-empty JSON list of queries", 2)
    queries: list[Query] = []
    missing: list[str] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("query"), str):
            raise BenchError(f"error: {path}: entry {i} has no string 'query'", 2)
        relevant = item.get("relevant")
        if not isinstance(relevant, list) or not all(isinstance(p, str) for p in relevant):
            raise BenchError(f"error: {path}: entry {i} needs a list of strings 'relevant'", 2)
        if not relevant:
            raise BenchError(f"error: {path}: entry {i} has an empty 'relevant' list", 2)
        rel = tuple(normalize_path(p) for p in relevant)
        missing.extend(f"{item['query']!r}: {p}" for p in rel if not (corpus / p).is_file())
        queries.append(Query(item["query"], rel))
    if missing:
        listing = "\n  ".join(missing)
        raise BenchError(f"error: relevant notes not found in the corpus:\n  {listing}", 2)
    return queries


def notesearch_env() -> dict[str, str]:
    """Environment for `python -m notesearch`, with the repo's src/ importable when present."""
    env = dict(os.environ)
    env["NOTESEARCH_NO_SERVER"] = "1"  # always measure a query run in its own process
    src = REPO_ROOT / "src"
    if src.is_dir():
        parts = [str(src)]
        if env.get("PYTHONPATH"):
            parts.append(env["PYTHONPATH"])
        env["PYTHONPATH"] = os.pathsep.join(parts)
    return env


def run_notesearch(
    args: Sequence[str], ok_codes: tuple[int, ...] = (0,), timeout: float = COMMAND_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """Run `python -m notesearch ARGS`; raise BenchError on an unexpected exit code."""
    cmd = [sys.executable, "-m", "notesearch", *args]
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=notesearch_env(),
            cwd=REPO_ROOT,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"error: timed out after {timeout:.0f}s: {' '.join(cmd)}", 1) from exc
    if proc.returncode not in ok_codes:
        detail = proc.stderr.strip() or proc.stdout.strip() or "(no output)"
        command = " ".join(args)
        raise BenchError(f"error: `notesearch {command}` exited {proc.returncode}:\n{detail}", 1)
    return proc


def parse_jsonl(text: str, what: str) -> list[dict[str, Any]]:
    """Parse JSON Lines, skipping blank lines."""
    rows: list[dict[str, Any]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BenchError(f"error: {what}: line {n} is not JSON: {exc}", 1) from exc
        if not isinstance(row, dict) or not isinstance(row.get("path"), str):
            raise BenchError(f"error: {what}: line {n} has no string 'path'", 1)
        rows.append(row)
    return rows


def notesearch_ranked(query: str, corpus: Path, index: Path) -> tuple[list[str], float, str]:
    """Ranked notes from `notesearch query`, its wall-clock seconds and any query error.

    Exit 1 means no results; exit 2 means notesearch rejected the query (the
    message is returned and the query has no results).
    """
    start = time.perf_counter()
    proc = run_notesearch(
        [
            "query",
            "--notes",
            str(corpus),
            "--index",
            str(index),
            "--format",
            "jsonl",
            "--limit",
            str(LIMIT),
            "--per-note",
            "0",
            "--",  # the query is never read as an option, even when it starts with "-"
            query,
        ],
        ok_codes=(0, 1, 2),
    )
    seconds = time.perf_counter() - start
    if proc.returncode == 2:
        return [], seconds, proc.stderr.strip() or "exit 2"
    if proc.returncode == 1:
        if "Traceback (most recent call last)" in proc.stderr:  # a crash, not "no results"
            raise BenchError(f"error: `notesearch query {query}` crashed:\n{proc.stderr}", 1)
        return [], seconds, ""
    ranked = unique_in_order(row["path"] for row in parse_jsonl(proc.stdout, f"query {query!r}"))
    return ranked, seconds, ""


def fts_query(text: str) -> str:
    """Build an FTS5 MATCH string: words quoted, "phrases" kept as phrases, all joined with OR."""
    terms: list[str] = []
    for match in PHRASE_OR_TEXT_RE.finditer(text):
        phrase, plain = match.group(1), match.group(2)
        if phrase is not None:
            words = WORD_RE.findall(phrase)
            if words:
                terms.append('"' + " ".join(words) + '"')
        elif plain is not None:
            terms.extend(f'"{word}"' for word in WORD_RE.findall(plain))
    return " OR ".join(terms)


def build_fts(sections: Iterable[dict[str, Any]]) -> sqlite3.Connection:
    """Load exported sections into an in-memory FTS5 table t(path, title, heading, text)."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(
            "CREATE VIRTUAL TABLE t USING fts5("
            "path UNINDEXED, title, heading, text, tokenize='porter unicode61')"
        )
    except sqlite3.OperationalError as exc:
        conn.close()
        raise BenchError(f"error: this Python's sqlite3 has no FTS5 support ({exc})", 2) from exc
    conn.executemany(
        "INSERT INTO t (path, title, heading, text) VALUES (?, ?, ?, ?)",
        (
            (
                normalize_path(s["path"]),
                str(s.get("title") or ""),
                str(s.get("heading") or ""),
                str(s.get("text") or ""),
            )
            for s in sections
        ),
    )
    conn.commit()
    return conn


def fts_ranked(conn: sqlite3.Connection, query: str) -> list[str]:
    """Ranked notes from the FTS5 baseline: top LIMIT sections by weighted bm25."""
    match = fts_query(query)
    if not match:
        return []
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    rows = conn.execute(
        f"SELECT path FROM t WHERE t MATCH ? ORDER BY bm25(t, {weights}) LIMIT ?",
        (match, LIMIT),
    ).fetchall()
    return unique_in_order(row[0] for row in rows)


def aligned(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """An aligned text table: the first `left` columns left-aligned, the others right-aligned."""
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = (
            cell.ljust(width) if i < left else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )
        return " | ".join(padded).rstrip()

    sep = "-+-".join("-" * w for w in widths)
    return "\n".join([line(header), sep, *(line(r) for r in rows)])


def format_table(systems: Sequence[SystemResult], queries: Sequence[Query]) -> str:
    """One set: system | success@5 | MRR@10 | queries."""
    header = ("system", f"success@{SUCCESS_AT}", f"MRR@{MRR_AT}", "queries")
    rows = [
        (s.name, f"{s.success_at(queries):.3f}", f"{s.mrr_at(queries):.3f}", str(len(queries)))
        for s in systems
    ]
    return aligned(header, rows)


@dataclass(slots=True)
class SetResult:
    """Everything measured on one judged set."""

    judged: JudgedSet
    corpus: Path
    queries_file: Path
    queries: list[Query]
    sections: int
    ours: SystemResult
    baseline: SystemResult

    @property
    def systems(self) -> list[SystemResult]:
        return [self.ours, self.baseline]


def format_summary(results: Sequence[SetResult]) -> str:
    """Every set on one line each: both systems side by side, and notesearch's latency."""
    ours, base = "notesearch", "fts5"
    header = (
        "set",
        "use",
        "queries",
        f"{ours} s@{SUCCESS_AT}",
        f"{base} s@{SUCCESS_AT}",
        f"{ours} MRR@{MRR_AT}",
        f"{base} MRR@{MRR_AT}",
        "query median",
        "query p90",
    )
    rows = []
    for r in results:
        q = r.queries
        rows.append(
            (
                r.judged.name,
                r.judged.label,
                str(len(q)),
                f"{r.ours.success_at(q):.3f}",
                f"{r.baseline.success_at(q):.3f}",
                f"{r.ours.mrr_at(q):.3f}",
                f"{r.baseline.mrr_at(q):.3f}",
                f"{median(r.ours.seconds) * 1000:.0f} ms",
                f"{p90(r.ours.seconds) * 1000:.0f} ms",
            )
        )
    return aligned(header, rows, left=2)


def describe(system: SystemResult, i: int, query: Query) -> str:
    """`name [hit|MISS, rank N]: top 3` for one system on one query."""
    rank = first_relevant_rank(system.ranked[i], query.relevant, MRR_AT)
    verdict = "MISS" if rank is None or rank > SUCCESS_AT else "hit"
    where = f"rank {rank}" if rank is not None else f"not in top {MRR_AT}"
    if i in system.errors:
        top = "query error: " + " ".join(system.errors[i].split())
    else:
        top = " ; ".join(system.ranked[i][:3]) or "(no results)"
    return f"  {system.name} [{verdict}, {where}]: {top}"


def format_misses(systems: Sequence[SystemResult], queries: Sequence[Query]) -> str:
    """Per-query report for every query that some system misses in its top SUCCESS_AT notes."""
    out: list[str] = []
    for i, query in enumerate(queries):
        ranks = [first_relevant_rank(s.ranked[i], query.relevant, MRR_AT) for s in systems]
        if all(r is not None and r <= SUCCESS_AT for r in ranks):
            continue
        out.append(f"query: {query.text}")
        out.append(f"  expected: {' ; '.join(query.relevant)}")
        out.extend(describe(s, i, query) for s in systems)
    if not out:
        return "no misses"
    return "misses:\n" + "\n".join(out)


def format_worst(ours: SystemResult, baseline: SystemResult, queries: Sequence[Query]) -> str:
    """The WORST_SHOWN queries where notesearch does worst relative to the baseline.

    Ordered by how far notesearch's reciprocal rank (@MRR_AT) trails the
    baseline's, then by notesearch's own reciprocal rank; queries notesearch
    answers at rank 1 are left out (nothing to gain there).
    """
    candidates = []
    for i, query in enumerate(queries):
        ours_rr = reciprocal_rank(ours.ranked[i], query.relevant)
        if ours_rr < 1.0:
            gap = reciprocal_rank(baseline.ranked[i], query.relevant) - ours_rr
            candidates.append((-gap, ours_rr, i))
    if not candidates:
        return f"{ours.name} ranks a relevant note first for every query"
    out = [
        f"worst for {ours.name} relative to {baseline.name} "
        f"(reciprocal rank @{MRR_AT}, baseline minus {ours.name}):"
    ]
    for neg_gap, _, i in sorted(candidates)[:WORST_SHOWN]:
        query = queries[i]
        out.append(f"query: {query.text}  ({-neg_gap:+.2f})")
        out.append(f"  expected: {' ; '.join(query.relevant)}")
        out.append(describe(ours, i, query))
        out.append(describe(baseline, i, query))
    return "\n".join(out)


def results_json(result: SetResult) -> dict[str, Any]:
    """The numbers of one set, plus per-query ranks and top notes, as a JSON-ready dict."""
    queries = result.queries
    systems = result.systems
    return {
        "label": result.judged.label,
        "corpus": str(result.corpus),
        "queries_file": str(result.queries_file),
        "queries": len(queries),
        "sections": result.sections,
        "limit": LIMIT,
        "fts5_weights": dict(zip(("title", "heading", "text"), FTS_WEIGHTS[1:], strict=True)),
        "systems": {
            s.name: {
                f"success@{SUCCESS_AT}": s.success_at(queries),
                f"mrr@{MRR_AT}": s.mrr_at(queries),
            }
            for s in systems
        },
        "notesearch_query_seconds": {
            "median": median(result.ours.seconds),
            "p90": p90(result.ours.seconds),
        },
        "per_query": [
            {
                "query": q.text,
                "relevant": list(q.relevant),
                **{
                    s.name: {
                        "rank": first_relevant_rank(s.ranked[i], q.relevant, MRR_AT),
                        "top": s.ranked[i][:SUCCESS_AT],
                        **({"error": s.errors[i]} if i in s.errors else {}),
                        **({"seconds": s.seconds[i]} if s.seconds else {}),
                    }
                    for s in systems
                },
            }
            for i, q in enumerate(queries)
        ],
    }


def run_set(judged: JudgedSet, corpus: Path, queries_file: Path) -> SetResult:
    """Index one corpus, run its queries through both systems and keep the rankings."""
    if not corpus.is_dir():
        raise BenchError(
            f"error: corpus directory not found: {corpus} (pass --corpora DIR, or --corpus DIR)",
            2,
        )
    corpus = corpus.resolve()
    queries = load_queries(queries_file, corpus)

    with tempfile.TemporaryDirectory(prefix="notesearch-relevance-") as tmp:
        index = Path(tmp) / "index"
        common = ["--notes", str(corpus), "--index", str(index)]
        run_notesearch(["index", *common, "--quiet"], timeout=INDEX_TIMEOUT)

        ours = SystemResult("notesearch")
        for i, query in enumerate(queries):
            ranked, seconds, error = notesearch_ranked(query.text, corpus, index)
            ours.ranked.append(ranked)
            ours.seconds.append(seconds)
            if error:
                ours.errors[i] = error
        if len(ours.errors) == len(queries):
            raise BenchError(f"error: notesearch rejected every query:\n{ours.errors[0]}", 1)

        exported = run_notesearch(["export", *common, "--format", "jsonl"])
        sections = parse_jsonl(exported.stdout, "export")
        if not sections:
            raise BenchError("error: `notesearch export` returned no sections", 1)

    conn = build_fts(sections)
    try:
        baseline = SystemResult("fts5-bm25")
        for query in queries:
            baseline.ranked.append(fts_ranked(conn, query.text))
    finally:
        conn.close()
    return SetResult(judged, corpus, queries_file, queries, len(sections), ours, baseline)


def print_set(result: SetResult, verbose: bool) -> None:
    judged = result.judged
    meaning = LABELS.get(judged.label, "")
    print(f"== set {judged.name}: {judged.label}" + (f" ({meaning})" if meaning else ""))
    print(f"corpus: {result.corpus} ({result.sections} sections)")
    print(f"queries: {result.queries_file}")
    print(format_table(result.systems, result.queries))
    seconds = result.ours.seconds
    print(
        f"notesearch query latency (whole process, {len(seconds)} queries): "
        f"median {median(seconds) * 1000:.0f} ms, p90 {p90(seconds) * 1000:.0f} ms"
    )
    if result.ours.errors:
        print(f"notesearch rejected {len(result.ours.errors)} queries (counted as no results)")
    if verbose:
        print()
        print(format_misses(result.systems, result.queries))
        print()
        print(format_worst(result.ours, result.baseline, result.queries))
    print()


def run(
    sets: Sequence[JudgedSet],
    corpora: Path,
    verbose: bool,
    json_out: Path | None,
    corpus_override: Path | None = None,
    queries_override: Path | None = None,
) -> int:
    """Run the benchmark on each set and print the report; return the exit code."""
    results: list[SetResult] = []
    for judged in sets:
        own = judged.corpus if isinstance(judged.corpus, Path) else None
        corpus = corpus_override or own or corpora / judged.corpus
        queries_file = queries_override or judged.queries
        result = run_set(judged, corpus, queries_file)
        print_set(result, verbose)
        results.append(result)

    print("== all sets (training: tuned on; held out: not tuned on)")
    print(format_summary(results))
    if json_out is not None:
        payload = {"sets": {r.judged.name: results_json(r) for r in results}}
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    names = [s.name for s in SETS]
    parser = argparse.ArgumentParser(
        description="Compare notesearch with an SQLite FTS5 bm25 baseline on judged query sets.",
        epilog="judged sets:\n"
        + "\n".join(
            f"  {s.name}: {s.corpus} with {s.queries.relative_to(REPO_ROOT)} ({s.label})"
            for s in SETS
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--set",
        choices=names,
        dest="set_name",
        metavar="NAME",
        help=f"run only this set ({', '.join(names)}; default: all)",
    )
    parser.add_argument(
        "--corpora",
        type=Path,
        default=DEFAULT_CORPORA,
        metavar="DIR",
        help="folder holding the corpora (default: %(default)s)",
    )
    parser.add_argument(
        "--corpus", type=Path, metavar="DIR", help="with --set: that set's notes directory"
    )
    parser.add_argument(
        "--queries", type=Path, metavar="FILE", help="with --set: that set's judged queries JSON"
    )
    parser.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="list per-query misses with each system's top 3, and where notesearch trails FTS5",
    )
    parser.add_argument(
        "--json", type=Path, metavar="FILE", dest="json_out", help="also write the numbers as JSON"
    )
    args = parser.parse_args(argv)
    if (args.corpus or args.queries) and not args.set_name:
        parser.error("--corpus and --queries need --set NAME")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sets = [s for s in SETS if args.set_name in (None, s.name)]
    try:
        return run(sets, args.corpora, args.verbose, args.json_out, args.corpus, args.queries)
    except BenchError as exc:
        print(exc, file=sys.stderr)
        return exc.code


if __name__ == "__main__":
    sys.exit(main())
