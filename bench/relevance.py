"""Relevance benchmark: notesearch vs. an SQLite FTS5 baseline over the same sections.

Usage:
    python bench/relevance.py [--corpus DIR] [--queries FILE] [--verbose] [--json FILE]

The script indexes the corpus with ``notesearch index`` into a temporary
directory, runs every query of the judged query file through ``notesearch
query`` and through an in-memory FTS5 table built from ``notesearch export``
(so both systems see exactly the same sections), and reports success@5 and
MRR@10 over the ranked *notes* (unique paths in order of first appearance).

Standard library only. Exit codes: 0 done, 1 a notesearch command failed,
2 bad input (missing corpus or queries file, FTS5 unavailable).
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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared/corpora/obsidian-help-en"
DEFAULT_QUERIES = REPO_ROOT / "tests/relevance/queries.json"

LIMIT = 10  # sections asked of each system
SUCCESS_AT = 5  # success@k cut-off, in ranked notes
MRR_AT = 10  # MRR@k cut-off, in ranked notes
FTS_WEIGHTS = (0.0, 5.0, 3.0, 1.0)  # bm25 weights: path, title, heading, text
INDEX_TIMEOUT = 1800.0
COMMAND_TIMEOUT = 300.0

WORD_RE = re.compile(r"\w+")
PHRASE_OR_TEXT_RE = re.compile(r'"([^"]*)"|([^"]+)')


class BenchError(Exception):
    """A failure that ends the run with a one-line message and an exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


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


def notesearch_ranked(query: str, corpus: Path, index: Path) -> list[str]:
    """Ranked notes from `notesearch query` (exit 1 = no results)."""
    proc = run_notesearch(
        [
            "query",
            query,
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
        ],
        ok_codes=(0, 1),
    )
    if proc.returncode == 1:
        return []
    return unique_in_order(row["path"] for row in parse_jsonl(proc.stdout, f"query {query!r}"))


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


def format_table(systems: Sequence[SystemResult], queries: Sequence[Query]) -> str:
    """A small aligned table: system | success@5 | MRR@10 | queries."""
    header = ("system", f"success@{SUCCESS_AT}", f"MRR@{MRR_AT}", "queries")
    rows = [
        (s.name, f"{s.success_at(queries):.3f}", f"{s.mrr_at(queries):.3f}", str(len(queries)))
        for s in systems
    ]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = (
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )
        return " | ".join(padded)

    sep = "-+-".join("-" * w for w in widths)
    return "\n".join([line(header), sep, *(line(r) for r in rows)])


def format_misses(systems: Sequence[SystemResult], queries: Sequence[Query]) -> str:
    """Per-query report for every query that some system misses in its top SUCCESS_AT notes."""
    out: list[str] = []
    for i, query in enumerate(queries):
        ranks = {s.name: first_relevant_rank(s.ranked[i], query.relevant, MRR_AT) for s in systems}
        if all(r is not None and r <= SUCCESS_AT for r in ranks.values()):
            continue
        out.append(f"query: {query.text}")
        out.append(f"  expected: {' ; '.join(query.relevant)}")
        for s in systems:
            rank = ranks[s.name]
            verdict = "MISS" if rank is None or rank > SUCCESS_AT else "hit"
            where = f"rank {rank}" if rank is not None else f"not in top {MRR_AT}"
            top = " ; ".join(s.ranked[i][:3]) or "(no results)"
            out.append(f"  {s.name} [{verdict}, {where}]: {top}")
    if not out:
        return "no misses"
    return "misses:\n" + "\n".join(out)


def results_json(
    systems: Sequence[SystemResult], queries: Sequence[Query], corpus: Path, queries_file: Path
) -> dict[str, Any]:
    """The numbers, plus per-query ranks and top notes, as a JSON-ready dict."""
    return {
        "corpus": str(corpus),
        "queries_file": str(queries_file),
        "queries": len(queries),
        "limit": LIMIT,
        "fts5_weights": dict(zip(("title", "heading", "text"), FTS_WEIGHTS[1:], strict=True)),
        "systems": {
            s.name: {
                f"success@{SUCCESS_AT}": s.success_at(queries),
                f"mrr@{MRR_AT}": s.mrr_at(queries),
            }
            for s in systems
        },
        "per_query": [
            {
                "query": q.text,
                "relevant": list(q.relevant),
                **{
                    s.name: {
                        "rank": first_relevant_rank(s.ranked[i], q.relevant, MRR_AT),
                        "top": s.ranked[i][:SUCCESS_AT],
                    }
                    for s in systems
                },
            }
            for i, q in enumerate(queries)
        ],
    }


def run(corpus: Path, queries_file: Path, verbose: bool, json_out: Path | None) -> int:
    """Run the whole benchmark and print the report; return the exit code."""
    if not corpus.is_dir():
        raise BenchError(f"error: corpus directory not found: {corpus} (pass --corpus DIR)", 2)
    corpus = corpus.resolve()
    queries = load_queries(queries_file, corpus)

    with tempfile.TemporaryDirectory(prefix="notesearch-relevance-") as tmp:
        index = Path(tmp) / "index"
        common = ["--notes", str(corpus), "--index", str(index)]
        run_notesearch(["index", *common, "--quiet"], timeout=INDEX_TIMEOUT)

        ours = SystemResult("notesearch")
        for query in queries:
            ours.ranked.append(notesearch_ranked(query.text, corpus, index))

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

    systems = [ours, baseline]
    print(f"corpus: {corpus} ({len(sections)} sections)")
    print(format_table(systems, queries))
    if verbose:
        print()
        print(format_misses(systems, queries))
    if json_out is not None:
        payload = results_json(systems, queries, corpus, queries_file)
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Compare notesearch with an SQLite FTS5 bm25 baseline on judged queries.",
    )
    parser.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help="notes directory (default: %(default)s)"
    )
    parser.add_argument(
        "--queries",
        type=Path,
        default=DEFAULT_QUERIES,
        help="judged queries JSON (default: %(default)s)",
    )
    parser.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="list per-query misses with each system's top 3",
    )
    parser.add_argument(
        "--json", type=Path, metavar="FILE", dest="json_out", help="also write the numbers as JSON"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run(args.corpus, args.queries, args.verbose, args.json_out)
    except BenchError as exc:
        print(exc, file=sys.stderr)
        return exc.code


if __name__ == "__main__":
    sys.exit(main())
