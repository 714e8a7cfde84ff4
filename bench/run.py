"""Speed benchmark: notesearch against ripgrep and SQLite FTS5 on generated vaults (issue 6).

Usage:
    python bench/run.py --sizes 1000,10000 [--queries N] [--repeat R] [--seed S]
                        [--json FILE] [--keep DIR]

For each size, in one run and on the same generated folder (``bench/vault.py``):

* ``notesearch index`` as a whole process: full build, no-change re-index
  (median of 3), re-index after rewriting 1 note and then 100 notes with one
  word changed; wall time and peak RSS of each (``os.wait4`` rusage of that
  child; with worker processes it is the largest single process, not the sum);
* a deterministic query set (at least 12: common, medium and rare words, 2-
  and 3-word queries, a quoted phrase, two with ``--tag``) picked from the
  exported sections so every query has hits; ``notesearch query Q --format
  plain`` as a whole process, median and p90 over the set;
* ``rg -i`` over the notes folder for the same words, whole process: one word
  as a fixed string, several words as the alternation ``w1|w2|w3`` (lines with
  any of the words, closest to notesearch listing sections with some of the
  words), a phrase as a fixed string, tag filters dropped (word only); no
  ``-w``, as a user would type it, so ``redefine`` also matches ``predefined``;
  output to a file (one line per matching line, not capped at 10 like the others);
* SQLite FTS5 (stdlib ``sqlite3``, porter tokenizer, on disk) over exactly the
  sections of ``notesearch export``: build time (median of 3, in-process,
  JSON parsing excluded) and query time (in-process: connect, MATCH with bm25
  order and ``snippet()``, top 10, close; it excludes process start). Words
  are OR-ed (``"a" OR "b"``), a phrase stays a phrase, a tag becomes
  ``AND tags : "tag"`` (tags stored as text, so ``aws`` also matches ``aws/s3``).

It prints one table per size with ratios, the targets of issue 18 marked met
or not met, a startup breakdown of one query at the largest size, and writes
everything as JSON with ``--json``. Standard library only; ripgrep is
optional (its column is skipped with a message when ``rg`` is absent).

Output of every measured command goes to a file, never to /dev/null (ripgrep
stops at the first match when its output is /dev/null).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import math
import os
import platform
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import vault  # noqa: E402  (bench/vault.py, next to this file)
from stats import median, p90  # noqa: E402  (bench/stats.py)

INDEX_TIMEOUT = 3600.0
COMMAND_TIMEOUT = 300.0
MIN_QUERIES = 12
DEFAULT_QUERIES = 14
LIMIT = 10
FTS_BUILDS = 3
FTS_QUERY_REPEAT = 3
STARTUP_REPEAT = 5
TOUCH_MANY = 100
FTS_WEIGHTS = (0.0, 0.0, 5.0, 3.0, 1.0, 0.0)  # path, line, title, heading, text, tags

WORD_RE = re.compile(r"[a-z]+")
LINE_WORD_RE = re.compile(r"[A-Za-z]+")


class BenchError(Exception):
    """A failure that ends the run with a one-line message."""


# ---- running and measuring processes ---------------------------------------------------


@dataclass(slots=True)
class Measured:
    """One whole-process run: wall seconds, peak RSS (MB) and exit code.

    ``rss_mb`` is the largest single process (GNU time); ``tree_rss_mb`` the
    largest sum over the process and its children (worker processes),
    sampled every 50 ms when asked for, else equal to ``rss_mb``.
    """

    seconds: float
    rss_mb: float
    code: int
    out: Path
    err: Path
    tree_rss_mb: float = 0.0

    def stdout(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")


def child_env() -> dict[str, str]:
    """Environment for the measured processes: src/ importable, bytecode, no color, no config."""
    env = dict(os.environ)
    src = REPO_ROOT / "src"
    if src.is_dir():
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    env["NO_COLOR"] = "1"
    env.pop("RIPGREP_CONFIG_PATH", None)
    # Measure what an installed notesearch does: pip writes bytecode when it
    # installs; without it every process compiles every module again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for name in ("NOTESEARCH_NOTES", "NOTESEARCH_INDEX"):
        env.pop(name, None)
    return env


# ru_maxrss of a child forked from this (large) process starts at this
# process's own RSS, so peak memory is read from GNU time when it is there:
# it forks the command from a small process of its own.
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


class Runner:
    """Runs commands with stdout/stderr to scratch files; wall time and peak RSS."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.env = child_env()
        scratch.mkdir(parents=True, exist_ok=True)

    def run(
        self,
        cmd: Sequence[str],
        *,
        ok: tuple[int, ...] = (0,),
        timeout: float = COMMAND_TIMEOUT,
        out: Path | None = None,
        tree: bool = False,
        env: dict[str, str] | None = None,
    ) -> Measured:
        out = out or self.scratch / "stdout"
        err = self.scratch / "stderr"
        rss_file = self.scratch / "maxrss"
        argv = list(cmd)
        if GNU_TIME is not None:
            argv = [GNU_TIME, "-f", "%M", "-o", str(rss_file), *argv]
        with out.open("wb") as fo, err.open("wb") as fe:
            started = time.perf_counter()
            proc = subprocess.Popen(
                argv, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL,
                env={**self.env, **(env or {})}, cwd=self.scratch,
            )  # fmt: skip
            timer = threading.Timer(timeout, proc.kill)
            timer.start()
            sampler = TreeSampler(proc.pid) if tree else None
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            finally:
                timer.cancel()
                if sampler is not None:
                    sampler.stop()
            seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        rss_kb = float(usage.ru_maxrss)
        if GNU_TIME is not None:
            with contextlib.suppress(OSError, ValueError, IndexError):
                rss_kb = float(rss_file.read_text().split()[-1])
        result = Measured(seconds, rss_kb / 1024.0, proc.returncode, out, err)
        result.tree_rss_mb = max(result.rss_mb, sampler.peak_mb if sampler is not None else 0.0)
        if proc.returncode not in ok:
            detail = (result.stderr().strip() or result.stdout().strip())[-2000:]
            raise BenchError(f"`{' '.join(cmd)}` exited {proc.returncode}:\n{detail}")
        return result


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and all its descendants (Linux /proc)."""

    PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.root, self.interval = pid, interval
        self.peak_mb = 0.0
        self._done = threading.Event()
        self.start()

    def stop(self) -> None:
        self._done.set()
        self.join()

    def _tree(self) -> list[int]:
        parents: dict[int, list[int]] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry.name))
        found, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(parents.get(pid, []))
        return found

    def run(self) -> None:
        while not self._done.wait(self.interval):
            total = 0.0
            for pid in self._tree():
                with contextlib.suppress(OSError, ValueError, IndexError):
                    total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * self.PAGE_MB
            self.peak_mb = max(self.peak_mb, total)


def notesearch_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "notesearch", *args]


def others_running(samples: int = 20, interval: float = 0.05) -> float:
    """Mean number of runnable processes other than this one (Linux /proc/stat), or 0."""
    counts: list[int] = []
    for _ in range(samples):
        try:
            text = Path("/proc/stat").read_text()
        except OSError:
            return 0.0
        m = re.search(r"^procs_running (\d+)", text, re.M)
        if m:
            counts.append(int(m.group(1)) - 1)
        time.sleep(interval)
    return sum(counts) / len(counts) if counts else 0.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---- the query set -----------------------------------------------------------------


@dataclass(slots=True)
class Query:
    """One benchmark query, as each system is asked it."""

    kind: str
    text: str  # as typed to notesearch
    words: list[str]
    phrase: bool = False
    tags: list[str] = field(default_factory=list)

    def rg_args(self) -> list[str]:
        if self.phrase or len(self.words) == 1:
            return ["-F", "--", " ".join(self.words)]
        return ["--", "|".join(self.words)]

    def rg_display(self) -> str:
        args = self.rg_args()
        flag = "-F " if args[0] == "-F" else ""
        return f"rg -i {flag}'{args[-1]}'"

    def fts_match(self) -> str:
        if self.phrase:
            text = '"' + " ".join(self.words) + '"'
        else:
            text = " OR ".join(f'"{w}"' for w in self.words)
        for tag in self.tags:
            parts = re.findall(r"[A-Za-z0-9_]+", tag)
            text = f'({text}) AND tags : "{" ".join(parts)}"'
        return text


def load_sections(path: Path) -> list[dict[str, Any]]:
    sections: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    sections.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise BenchError(f"export line {n} is not JSON: {exc}") from exc
    if not sections:
        raise BenchError("`notesearch export` returned no sections")
    sections.sort(key=lambda s: (s["path"], s["line"]))
    return sections


SUFFIXES = ("ations", "ation", "ings", "ing", "edly", "ed", "ers", "er", "es", "s", "ly")


def crude_stem(word: str) -> str:
    """A rough stem (suffix strip, then 6 letters), enough to keep rare words rare."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:6]


def pick_queries(
    sections: Sequence[dict[str, Any]], count: int, seed: int, vocabulary: Sequence[str]
) -> list[Query]:
    """A deterministic mix of query kinds, chosen so that each has hits.

    Only words of the generator's lexicon (``vault.lexicon``: real and derived
    words) are used, not the identifiers, ticket ids or dates it also writes.
    Rare words are in 2-4 notes (and so is every word of the same rough stem).
    """
    rng = random.Random(seed)
    real = {w.lower() for w in vocabulary} - vault.STOPWORDS
    word_sets: list[set[str]] = []
    df: Counter[str] = Counter()
    note_df: Counter[str] = Counter()
    note_words: set[str] = set()
    for i, s in enumerate(sections):
        words = {w for w in WORD_RE.findall(str(s.get("text", "")).lower()) if len(w) >= 4}
        words &= real
        word_sets.append(words)
        df.update(words)
        note_words |= words
        if i + 1 == len(sections) or sections[i + 1]["path"] != s["path"]:
            note_df.update(note_words)
            note_words = set()
    n = len(sections)
    ranked = sorted(df, key=lambda w: (-df[w], w))
    medium = sorted(w for w, c in df.items() if 0.002 * n <= c <= 0.03 * n)
    stem_notes: Counter[str] = Counter()
    for w, c in note_df.items():
        stem_notes[crude_stem(w)] += c  # "learned" is not rare when "learning" is common
    rare = sorted(
        w
        for w, c in note_df.items()
        if 2 <= c <= 4 and len(w) >= 5 and stem_notes[crude_stem(w)] <= 5
    )
    if len(ranked) < 20 or not medium or not rare:
        raise BenchError("the vault is too small to pick a query set from")
    medium_set = set(medium)

    def section_words(min_words: int) -> tuple[int, list[str]]:
        for _ in range(10_000):
            i = rng.randrange(n)
            words = sorted(word_sets[i] & medium_set)
            if len(words) >= min_words:
                return i, words
        raise BenchError("no section with enough medium-frequency words")

    def common() -> Query:
        w = ranked[rng.randrange(min(15, len(ranked)))]
        return Query("common word", w, [w])

    def mid() -> Query:
        w = rng.choice(medium)
        return Query("medium word", w, [w])

    def rare_word() -> Query:
        w = rng.choice(rare)
        return Query("rare word", w, [w])

    def multi(k: int) -> Callable[[], Query]:
        def make() -> Query:
            _, words = section_words(k)
            chosen = rng.sample(words, k)
            return Query(f"{k} words", " ".join(chosen), chosen)

        return make

    def phrase() -> Query:
        for _ in range(10_000):
            s = sections[rng.randrange(n)]
            for line in str(s.get("text", "")).splitlines():
                toks = LINE_WORD_RE.findall(line)
                pairs = [
                    (a.lower(), b.lower())
                    for a, b in itertools.pairwise(toks)
                    if a.lower() in medium_set and b.lower() in medium_set and a != b
                ]
                if pairs and f"{pairs[0][0]} {pairs[0][1]}" in line.lower():
                    a, b = pairs[0]
                    return Query("phrase", f'"{a} {b}"', [a, b], phrase=True)
        raise BenchError("no phrase found")

    def tagged(parent: bool) -> Callable[[], Query]:
        def make() -> Query:
            for _ in range(10_000):
                i, words = section_words(1)
                tags = sorted(str(t) for t in sections[i].get("tags") or [])
                nested = [t for t in tags if "/" in t]
                pool = nested if parent and nested else tags
                if pool:
                    tag = rng.choice(pool)
                    if parent and "/" in tag:
                        tag = tag.split("/")[0]
                    w = rng.choice(words)
                    return Query("word + --tag", w, [w], tags=[tag])
            raise BenchError("no tagged section found")

        return make

    makers: list[Callable[[], Query]] = [
        common, common, common, mid, mid, rare_word, rare_word, rare_word,
        multi(2), multi(2), multi(3), phrase, tagged(False), tagged(True),
    ]  # fmt: skip
    extra: list[Callable[[], Query]] = [rare_word, multi(2), common, phrase, mid, tagged(False)]
    while len(makers) < count:
        makers.append(extra[(len(makers) - DEFAULT_QUERIES) % len(extra)])
    queries: list[Query] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for make in makers[:count]:
        for _ in range(50):
            q = make()
            if (q.text, tuple(q.tags)) not in seen:
                break
        seen.add((q.text, tuple(q.tags)))
        queries.append(q)
    return queries


# ---- FTS5 ---------------------------------------------------------------------------


def fts_rows(sections: Sequence[dict[str, Any]]) -> list[tuple[str, int, str, str, str, str]]:
    return [
        (
            str(s["path"]),
            int(s.get("line") or 0),
            str(s.get("title") or ""),
            str(s.get("heading") or ""),
            str(s.get("text") or ""),
            " ".join(str(t) for t in s.get("tags") or []),
        )
        for s in sections
    ]


def fts_build(db: Path, rows: Sequence[tuple[str, int, str, str, str, str]]) -> float:
    """Build an on-disk FTS5 table of the sections; return the seconds it took."""
    if db.exists():
        db.unlink()
    started = time.perf_counter()
    conn = sqlite3.connect(db)
    try:
        conn.execute(
            "CREATE VIRTUAL TABLE sections USING fts5(path UNINDEXED, line UNINDEXED, "
            "title, heading, text, tags, tokenize='porter unicode61')"
        )
        conn.executemany("INSERT INTO sections VALUES (?, ?, ?, ?, ?, ?)", rows)
        conn.commit()
    finally:
        conn.close()
    return time.perf_counter() - started


def fts_query(db: Path, query: Query) -> tuple[float, int]:
    """Run one query the way a CLI would (connect, search, fetch, close); seconds and hits."""
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    started = time.perf_counter()
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT path, line, heading, snippet(sections, 4, '[', ']', '…', 12) "
            f"FROM sections WHERE sections MATCH ? ORDER BY bm25(sections, {weights}) LIMIT ?",
            (query.fts_match(), LIMIT),
        ).fetchall()
    finally:
        conn.close()
    return time.perf_counter() - started, len(rows)


def fts_available() -> bool:
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    except sqlite3.OperationalError:
        return False
    return True


# ---- startup breakdown -----------------------------------------------------------------

BREAKDOWN_SCRIPT = r"""
import io, json, os, sys, time
t0 = time.perf_counter()
import notesearch.cli  # click and the CLI module
t1 = time.perf_counter()
from notesearch import open_index, search  # whoosh (lazy import in notesearch)
t2 = time.perf_counter()
from notesearch.printers import make_printer

printer_out = io.StringIO()
printer = make_printer("plain", printer_out, sys.stderr, color=False)
t3 = time.perf_counter()
index_dir, notes_dir, text = sys.argv[1], sys.argv[2], sys.argv[3]
tags = json.loads(sys.argv[4])
snip = [0.0]
try:
    import notesearch.engine.search as _s
    _orig = _s.snippet_for
    def _timed(*a, **k):
        s = time.perf_counter()
        try:
            return _orig(*a, **k)
        finally:
            snip[0] += time.perf_counter() - s
    _s.snippet_for = _timed
    has_snip = True
except (ImportError, AttributeError):
    has_snip = False
t4 = time.perf_counter()
idx = open_index(index_dir, notes_dir)
t5 = time.perf_counter()
idx.changes(notes_dir) if hasattr(idx, "changes") else None
t6 = time.perf_counter()
result = search(idx, text, tags=tags, limit=10)
t7 = time.perf_counter()
printer.hits(result)
printer.close()
with open(os.devnull, "w") as fh:
    fh.write(printer_out.getvalue())
t8 = time.perf_counter()
idx.close()
t9 = time.perf_counter()
print(json.dumps({
    "import notesearch.cli (click)": t1 - t0,
    "import open_index/search (whoosh)": t2 - t1,
    "import plain printer": t3 - t2,
    "open_index": t5 - t4,
    "freshness check (idx.changes)": t6 - t5,
    "search (incl. snippets)": t7 - t6,
    "  of which snippets": snip[0] if has_snip else None,
    "print (plain)": t8 - t7,
    "close": t9 - t8,
    "hits": len(result.hits),
}))
"""


def import_profile(stderr: str) -> list[tuple[str, float]]:
    """Self import time (ms) per top-level package from ``-X importtime`` output."""
    per: dict[str, float] = {}
    for line in stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|\s+(.+)$", line)
        if m:
            root = m.group(3).strip().split(".")[0]
            per[root] = per.get(root, 0.0) + int(m.group(1)) / 1000.0
    return sorted(per.items(), key=lambda kv: -kv[1])


def startup_breakdown(
    runner: Runner, notes: Path, index: Path, query: Query, whole_ms: float
) -> dict[str, Any]:
    py = sys.executable
    interp = [runner.run([py, "-c", "pass"]).seconds for _ in range(STARTUP_REPEAT)]
    cli = [runner.run([py, "-c", "import notesearch.cli"]).seconds for _ in range(STARTUP_REPEAT)]
    parts: dict[str, list[float]] = {}
    hits = 0
    for _ in range(STARTUP_REPEAT):
        res = runner.run(
            [py, "-c", BREAKDOWN_SCRIPT, str(index), str(notes), query.text, json.dumps(query.tags)]
        )
        data = json.loads(res.stdout().strip().splitlines()[-1])
        hits = int(data.pop("hits"))
        for key, value in data.items():
            if value is not None:
                parts.setdefault(key, []).append(float(value) * 1000)
    cmd = query_cmd(notes, index, query)
    importtime = runner.run([py, "-X", "importtime", *cmd[1:]], ok=(0, 1), env=COLD)
    return {
        "query": query.text,
        "tags": query.tags,
        "hits": hits,
        "whole process median (ms)": whole_ms,
        "interpreter start, python -c pass (ms)": median(interp) * 1000,
        "python -c 'import notesearch.cli' minus interpreter (ms)": (median(cli) - median(interp))
        * 1000,
        "in-process (ms, median of 5 fresh processes)": {k: median(v) for k, v in parts.items()},
        "import self-time by package (ms, -X importtime)": dict(
            (k, round(v, 1)) for k, v in import_profile(importtime.stderr())[:10]
        ),
    }


def help_imports(runner: Runner) -> dict[str, Any]:
    """Does `notesearch --help` / `--version` import whoosh or rich? (target of issue 6)"""
    out: dict[str, Any] = {}
    for flag in ("--help", "--version"):
        res = runner.run([sys.executable, "-X", "importtime", "-m", "notesearch", flag])
        packages = {name for name, _ in import_profile(res.stderr())}
        heavy = sorted(packages & {"whoosh", "rich"})
        timed = [runner.run(notesearch_cmd(flag)).seconds for _ in range(3)]
        out[flag] = {"heavy_imports": heavy, "seconds": median(timed)}
    return out


# ---- one size ---------------------------------------------------------------------------


def query_cmd(notes: Path, index: Path, query: Query) -> list[str]:
    cmd = notesearch_cmd("query", query.text, "--format", "plain")
    cmd += ["--notes", str(notes), "--index", str(index)]
    for tag in query.tags:
        cmd += ["--tag", tag]
    return cmd


COLD = {"NOTESEARCH_NO_SERVER": "1"}  # a query that must run in its own process
WATCH_READY_TIMEOUT = 600.0


def served_queries(
    runner: Runner,
    work: Path,
    notes: Path,
    index: Path,
    queries: Sequence[Query],
    per_query: list[dict[str, Any]],
    cold_outputs: Sequence[str],
    repeat: int,
) -> dict[str, Any]:
    """The same queries, whole processes, answered by a running ``notesearch watch``.

    The watch is started, and the queries run once it says it answers; each
    answer's stdout must equal the in-process one (``cold_outputs``, else the
    row is not counted and the mismatch is recorded). The watch is stopped
    with SIGTERM.
    """
    log_path = work / "watch.log"
    with log_path.open("wb") as log_file:
        watch = subprocess.Popen(
            notesearch_cmd("watch", "--notes", str(notes), "--index", str(index)),
            stdout=subprocess.DEVNULL,
            stderr=log_file,
            stdin=subprocess.DEVNULL,
            env=runner.env,
            cwd=runner.scratch,
        )
    try:
        deadline = time.monotonic() + WATCH_READY_TIMEOUT
        while "answering queries" not in log_path.read_text(errors="replace"):
            if watch.poll() is not None or time.monotonic() > deadline:
                text = log_path.read_text(errors="replace").strip()
                log(f"`notesearch watch` did not start answering queries: {text[-500:]}")
                return {"ok": False, "log": text[-2000:]}
            time.sleep(0.05)
        mismatches: list[str] = []
        runner.run(query_cmd(notes, index, queries[0]), ok=(0, 1))  # warm-up, not counted
        for q, row, cold in zip(queries, per_query, cold_outputs, strict=True):
            times = []
            for _ in range(repeat):
                m = runner.run(query_cmd(notes, index, q), ok=(0, 1))
                times.append(m.seconds)
            if m.stdout() != cold:
                mismatches.append(q.text)
                continue
            row["served_s"] = median(times)
        py = sys.executable
        interp = [runner.run([py, "-c", "pass"]).seconds for _ in range(STARTUP_REPEAT)]
        # What a plain query answered by the watch imports (notesearch.shortcut.query).
        imports = (
            "import notesearch.__main__, notesearch.shortcut.query, notesearch.answers, "
            "notesearch.printers.context, notesearch.serve.served, notesearch.serve.client, "
            "notesearch.serve.protocol"
        )
        client = [runner.run([py, "-c", imports]).seconds for _ in range(STARTUP_REPEAT)]
        return {
            "ok": True,
            "mismatches": mismatches,
            "interpreter_ms": median(interp) * 1000,
            "client_imports_ms": (median(client) - median(interp)) * 1000,
        }
    finally:
        watch.terminate()
        try:
            watch.wait(timeout=30)
        except subprocess.TimeoutExpired:
            watch.kill()
            watch.wait()


def _file_stats(folder: Path) -> Iterator[os.stat_result]:
    for path in folder.rglob("*"):
        if path.is_file():
            yield path.stat()


def bench_size(
    size: int, work: Path, args: argparse.Namespace, rg: str | None, largest: bool
) -> dict[str, Any]:
    notes, index = work / "notes", work / "index"
    runner = Runner(work / "scratch")
    res: dict[str, Any] = {"notes": size, "load_start": os.getloadavg()[0]}
    res["others_running_start"] = others_running()

    log(f"[{size}] generating the vault ...")
    res["vault"] = vault.generate(notes, size, args.seed)
    index_cmd = notesearch_cmd("index", "-q", "--notes", str(notes), "--index", str(index))

    log(f"[{size}] full build ...")
    full = runner.run(index_cmd, timeout=INDEX_TIMEOUT, tree=True)
    res["full_build"] = {
        "seconds": full.seconds,
        "rss_mb": full.rss_mb,
        "tree_rss_mb": full.tree_rss_mb,
    }

    log(f"[{size}] re-indexing ...")
    nochange = [runner.run(index_cmd, timeout=INDEX_TIMEOUT) for _ in range(3)]
    res["nochange_reindex"] = {
        "seconds": median([m.seconds for m in nochange]),
        "rss_mb": max(m.rss_mb for m in nochange),
        "runs": [m.seconds for m in nochange],
    }
    paths = sorted(notes.rglob("*.md"))
    picked = random.Random(args.seed * 7919 + size).sample(paths, min(len(paths), 1 + TOUCH_MANY))
    for key, group in (("touch_1", picked[:1]), (f"touch_{TOUCH_MANY}", picked[1:])):
        for serial, path in enumerate(group):
            vault.touch_note(path, serial)
        m = runner.run(index_cmd, timeout=INDEX_TIMEOUT, tree=True)
        res[key] = {
            "seconds": m.seconds,
            "rss_mb": m.rss_mb,
            "tree_rss_mb": m.tree_rss_mb,
            "notes_touched": len(group),
        }

    log(f"[{size}] export ...")
    export_file = work / "sections.jsonl"
    m = runner.run(
        notesearch_cmd("export", "--format", "jsonl", "--notes", str(notes), "--index", str(index)),
        out=export_file,
        timeout=INDEX_TIMEOUT,
    )
    res["export"] = {"seconds": m.seconds, "rss_mb": m.rss_mb}
    sections = load_sections(export_file)
    res["sections"] = len(sections)
    queries = pick_queries(sections, args.queries, args.seed + size, vault.lexicon(args.seed))
    if args.find:  # notesearch find: per keystroke and to open (bench/find.py)
        import find

        log(f"[{size}] notesearch find, the queries typed key by key ...")
        res["find"] = find.measure(notes, index, queries)
        log(find.render(size, res["find"]))

    log(f"[{size}] {len(queries)} queries: notesearch ...")
    runner.run(query_cmd(notes, index, queries[0]), ok=(0, 1), env=COLD)  # warm-up
    per_query: list[dict[str, Any]] = []
    cold_outputs: list[str] = []  # what each query printed, to check the served answers
    for q in queries:
        times, hits, code, rss = [], 0, 0, 0.0
        for _ in range(args.repeat):
            m = runner.run(query_cmd(notes, index, q), ok=(0, 1), env=COLD)
            times.append(m.seconds)
            rss = max(rss, m.rss_mb)
            code = m.code
            hits = len([ln for ln in m.stdout().splitlines() if ln.strip()])
        cold_outputs.append(m.stdout())
        per_query.append(
            {
                "kind": q.kind,
                "query": q.text,
                "tags": q.tags,
                "notesearch_s": median(times),
                "notesearch_hits": hits,
                "notesearch_exit": code,
                "notesearch_rss_mb": rss,
            }
        )
        if code != 0:
            log(f"[{size}] warning: notesearch found nothing for {q.text!r} {q.tags}")

    log(f"[{size}] {len(queries)} queries answered by `notesearch watch` ...")
    res["served"] = served_queries(
        runner, work, notes, index, queries, per_query, cold_outputs, args.repeat
    )

    if rg is not None:
        log(f"[{size}] rg ...")
        runner.run([rg, "-i", "--no-config", "-F", "--", "warmup", str(notes)], ok=(0, 1))
        for q, row in zip(queries, per_query, strict=True):
            cmd = [rg, "-i", "--no-config", "--color", "never", *q.rg_args(), str(notes)]
            times, lines = [], 0
            for _ in range(args.repeat):
                m = runner.run(cmd, ok=(0, 1))
                times.append(m.seconds)
                with m.out.open("rb") as fh:
                    lines = sum(1 for _ in fh)
            row.update({"rg": q.rg_display(), "rg_s": median(times), "rg_lines": lines})

    fts: dict[str, Any] | None = None
    if fts_available():
        log(f"[{size}] FTS5 ...")
        rows = fts_rows(sections)
        db = work / "fts.sqlite"
        builds = [fts_build(db, rows) for _ in range(FTS_BUILDS)]
        for q, row in zip(queries, per_query, strict=True):
            runs = [fts_query(db, q) for _ in range(FTS_QUERY_REPEAT)]
            row.update(
                {
                    "fts_match": q.fts_match(),
                    "fts_s": median([t for t, _ in runs]),
                    "fts_hits": runs[-1][1],
                }
            )
        fts = {"build_s": median(builds), "builds": builds, "db_mb": db.stat().st_size / 1e6}
    else:
        log("this Python's sqlite3 has no FTS5: its column is skipped")
    res["fts5"] = fts
    res["queries"] = per_query

    def summary(key: str) -> dict[str, float] | None:
        vals = [row[key] for row in per_query if key in row]
        return {"median": median(vals), "p90": p90(vals)} if vals else None

    res["query_summary"] = {
        "notesearch": summary("notesearch_s"),
        "served": summary("served_s"),
        "rg": summary("rg_s"),
        "fts5": summary("fts_s"),
    }
    if largest:
        log(f"[{size}] startup breakdown ...")
        multi = next((q for q in queries if q.kind == "2 words"), queries[0])
        whole = [
            runner.run(query_cmd(notes, index, multi), ok=(0, 1), env=COLD).seconds
            for _ in range(STARTUP_REPEAT)
        ]
        res["startup"] = startup_breakdown(runner, notes, index, multi, median(whole) * 1000)
    res["load_end"] = os.getloadavg()[0]
    res["others_running_end"] = others_running()
    # Each file once: generations share their unchanged files as hard links.
    files = {(st.st_dev, st.st_ino): st.st_size for st in _file_stats(index)}
    res["index_mb"] = sum(files.values()) / 1e6
    return res


# ---- targets and tables -------------------------------------------------------------------


@dataclass(slots=True)
class Target:
    name: str
    value: float
    limit: float
    unit: str = ""

    @property
    def met(self) -> bool:
        return self.value <= self.limit


def targets_for(res: dict[str, Any], previous: dict[int, dict[str, Any]]) -> list[Target]:
    """This round's targets (issue 18; issue 6's, the first round's, were stricter on the
    build, 15x, and the cold queries, 2.5x and 1x ripgrep)."""
    size = int(res["notes"])
    out: list[Target] = []
    qs = res["query_summary"]
    full = float(res["full_build"]["seconds"])
    if qs["rg"] is not None and qs.get("notesearch") is not None and size in (10000, 50000):
        bound = 3.0 if size == 10000 else 2.0
        ratio = qs["notesearch"]["median"] / qs["rg"]["median"]
        name = f"query median (cold process) ≤ {bound:g}× rg at {size:,} notes"
        out.append(Target(name, ratio, bound, "×"))
    if res["fts5"] is not None and size == 10000:
        ratio = full / res["fts5"]["build_s"]
        out.append(Target("full build ≤ 17× FTS5 build at 10,000 notes", ratio, 17.0, "×"))
    if size == 10000 and 1000 in previous:
        growth = full / float(previous[1000]["full_build"]["seconds"])
        out.append(Target("growth: 10k build ÷ 1k build ≤ 11", growth, 11.0, "×"))
    out.append(
        Target(
            "no-change re-index ≤ 0.01× full build",
            float(res["nochange_reindex"]["seconds"]) / full,
            0.01,
            "×",
        )
    )
    if size == 50000:
        peak = res["full_build"].get("tree_rss_mb", res["full_build"]["rss_mb"])
        out.append(Target("peak RSS (all processes) of a 50k build < 1 GB", peak, 1024.0, " MB"))
    return out


def fmt_num(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.{digits}f}"


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0 or math.isnan(a) or math.isnan(b):
        return "—"
    return f"{a / b:.1f}×" if a / b >= 10 else f"{a / b:.2f}×"


def render_table(res: dict[str, Any], targets: Sequence[Target]) -> str:
    v = res["vault"]
    qs = res["query_summary"]
    fts = res["fts5"]
    head = (
        f"== {res['notes']:,} notes: {int(v['bytes']) / 1e6:.1f} MB in {v['folders']} folders, "
        f"{res['sections']:,} sections; index {res['index_mb']:.0f} MB; "
        f"{len(res['queries'])} queries; other runnable processes "
        f"{res['others_running_start']:.1f} → {res['others_running_end']:.1f} =="
    )
    rows: list[tuple[str, float | None, float | None, float | None]] = []

    def reindex_rows(label: str, key: str) -> None:
        rows.append((f"{label} (s)", res[key]["seconds"], None, None))

    rows.append(("full build (s)", res["full_build"]["seconds"], None, fts and fts["build_s"]))
    reindex_rows("no-change re-index, median of 3", "nochange_reindex")
    reindex_rows("re-index, 1 note changed", "touch_1")
    reindex_rows(f"re-index, {TOUCH_MANY} notes changed", f"touch_{TOUCH_MANY}")
    for label, key in (
        ("full build", "full_build"),
        ("no-change re-index", "nochange_reindex"),
        ("re-index 1 note", "touch_1"),
        (f"re-index {TOUCH_MANY} notes", f"touch_{TOUCH_MANY}"),
    ):
        rows.append((f"  peak RSS, {label} (MB)", res[key]["rss_mb"], None, None))
        if "tree_rss_mb" in res[key]:
            rows.append(
                ("    with worker processes, summed (MB)", res[key]["tree_rss_mb"], None, None)
            )
    rows.append(("export (s)", res["export"]["seconds"], None, None))

    def q(system: str, stat: str) -> float | None:
        s = qs[system]
        return None if s is None else s[stat] * 1000

    rows.append(
        ("query median (ms)", q("notesearch", "median"), q("rg", "median"), q("fts5", "median"))
    )
    rows.append(("query p90 (ms)", q("notesearch", "p90"), q("rg", "p90"), q("fts5", "p90")))
    if qs.get("served") is not None:
        rows.append(
            (
                "query median, answered by watch (ms)",
                q("served", "median"),
                q("rg", "median"),
                q("fts5", "median"),
            )
        )
        rows.append(
            (
                "query p90, answered by watch (ms)",
                q("served", "p90"),
                q("rg", "p90"),
                q("fts5", "p90"),
            )
        )
    query_rss = max(row["notesearch_rss_mb"] for row in res["queries"])
    rows.append(("  peak RSS, query, max over the set (MB)", query_rss, None, None))

    header = ("measure", "notesearch", "rg", "FTS5", "notesearch÷rg", "notesearch÷FTS5")
    cells = [
        (label, fmt_num(a), fmt_num(b), fmt_num(c), ratio(a, b), ratio(a, c))
        for label, a, b, c in rows
    ]
    widths = [max(len(r[i]) for r in (header, *cells)) for i in range(len(header))]

    def line(r: Sequence[str]) -> str:
        return " | ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )

    out = [head, line(header), "-+-".join("-" * w for w in widths), *(line(r) for r in cells)]
    out.append(
        "FTS5 columns are in-process (build: inserts + commit, median of 3; query: connect + "
        "MATCH + snippet + close, excludes process start); notesearch and rg are whole processes."
    )
    served = res.get("served") or {}
    if served.get("ok"):
        out.append(
            "answered by watch: the same query command while `notesearch watch` runs (stdout "
            f"checked equal to the in-process answer; mismatches: {served['mismatches'] or 'none'}"
            f"); of each, interpreter start {served['interpreter_ms']:.0f} ms and the client's "
            f"imports {served['client_imports_ms']:.0f} ms"
        )
    elif served:
        out.append("answered by watch: not measured, the watch did not start answering")
    if max(res["others_running_start"], res["others_running_end"]) >= 0.5:
        out.append(
            "note: other processes were using the CPU at the start or end of this size; "
            "numbers are noisier than usual"
        )
    if targets:
        out.append("targets (issue 18):")
        for t in targets:
            verdict = "met" if t.met else "NOT MET"
            out.append(f"  [{verdict:>7}] {t.name}: {fmt_num(t.value, 3)}{t.unit}")
    return "\n".join(out)


def render_queries(res: dict[str, Any]) -> str:
    out = ["per query (ms; notesearch hits shown / rg matching lines / FTS5 hits):"]
    for row in res["queries"]:
        tags = "".join(f" --tag {t}" for t in row["tags"])
        ns = f"{row['notesearch_s'] * 1000:7.0f} ({row['notesearch_hits']:>2})"
        if "served_s" in row:
            ns += f" watch {row['served_s'] * 1000:5.0f}"
        rg = f"{row['rg_s'] * 1000:6.0f} ({row['rg_lines']})" if "rg_s" in row else "—"
        fts = f"{row['fts_s'] * 1000:6.1f} ({row['fts_hits']})" if "fts_s" in row else "—"
        out.append(f"  {row['kind']:<13} {row['query'] + tags:<38} ns {ns}  rg {rg}  fts {fts}")
    return "\n".join(out)


def render_startup(st: dict[str, Any], size: int) -> str:
    out = [
        f"startup breakdown at {size:,} notes, query {st['query']!r}"
        + "".join(f" --tag {t}" for t in st["tags"])
        + f" ({st['hits']} hits):",
        f"  {'whole process, median of 5':<38} {st['whole process median (ms)']:8.1f} ms",
        f"  {'interpreter start (python -c pass)':<38} "
        f"{st['interpreter start, python -c pass (ms)']:8.1f} ms",
    ]
    for key, value in st["in-process (ms, median of 5 fresh processes)"].items():
        out.append(f"  {key:<38} {value:8.1f} ms")
    imports = ", ".join(
        f"{k} {v:.0f}" for k, v in st["import self-time by package (ms, -X importtime)"].items()
    )
    out.append(f"  import self-time by package (ms): {imports}")
    return "\n".join(out)


# ---- main ------------------------------------------------------------------------------------


def source_fingerprint() -> dict[str, Any]:
    """Which code was measured (no git here): a hash of src/notesearch and its newest file."""
    src = REPO_ROOT / "src" / "notesearch"
    files = sorted(p for p in src.rglob("*.py") if p.is_file()) if src.is_dir() else []
    digest = hashlib.sha256()
    newest = 0.0
    for path in files:
        digest.update(path.relative_to(src).as_posix().encode() + b"\0" + path.read_bytes())
        newest = max(newest, path.stat().st_mtime)
    return {
        "sha256": digest.hexdigest()[:16],
        "files": len(files),
        "newest_change": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(newest)),
    }


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        first = Path("/proc/meminfo").read_text().splitlines()[0]
        mem = f"{int(first.split()[1]) / 1024 / 1024:.1f} GB"
    except (OSError, IndexError, ValueError):
        pass
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "notesearch_source": source_fingerprint(),
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory": mem,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


@contextmanager
def workdir(keep: Path | None, size: int) -> Iterator[Path]:
    if keep is not None:
        path = keep / f"n{size}"
        if path.exists() and any(path.iterdir()):
            raise BenchError(f"{path} exists and is not empty; remove it or choose another --keep")
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix=f"notesearch-bench-{size}-") as tmp:
        yield Path(tmp)


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(s.replace("_", "")) for s in text.split(",") if s.strip()})
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"bad --sizes {text!r}: {exc}") from exc
    if not sizes or sizes[0] < 50:
        raise argparse.ArgumentTypeError("--sizes needs numbers of notes, each at least 50")
    return sizes


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark notesearch against ripgrep and SQLite FTS5 (issue 6)."
    )
    parser.add_argument("--sizes", type=parse_sizes, default=[1000, 10000], help="e.g. 1000,10000")
    parser.add_argument(
        "--queries", type=int, default=DEFAULT_QUERIES, help=f"query set size (≥ {MIN_QUERIES})"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per query (median); default 1")
    parser.add_argument("--seed", type=int, default=1, help="vault and query seed")
    parser.add_argument("--json", type=Path, help="write all results to this JSON file")
    parser.add_argument("--keep", type=Path, help="keep the vaults and indexes under this folder")
    parser.add_argument("--find", action="store_true", help="also time notesearch find (find.py)")
    args = parser.parse_args(argv)
    if args.queries < MIN_QUERIES:
        parser.error(f"--queries must be at least {MIN_QUERIES}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    rg = shutil.which("rg")
    info: dict[str, Any] = {
        "machine": machine(),
        "args": {**vars(args), "json": str(args.json), "keep": str(args.keep)},
    }
    if rg is None:
        log("rg (ripgrep) is not installed: its column is skipped (apt-get install ripgrep)")
        info["rg"] = None
    else:
        info["rg"] = subprocess.run(
            [rg, "--version"], capture_output=True, text=True, check=False
        ).stdout.splitlines()[0]
    m = info["machine"]
    src = m["notesearch_source"]
    print(
        f"machine: {m['cpu']} × {m['cpus']}, {m['memory']}, {m['platform']}; Python {m['python']}, "
        f"SQLite {m['sqlite']}, {info['rg'] or 'no rg'}; {m['date']}; notesearch source "
        f"{src['sha256']} (newest file {src['newest_change']})",
        flush=True,
    )
    results: dict[int, dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="notesearch-bench-misc-") as misc:
            info["help_imports"] = help_imports(Runner(Path(misc)))
        for size in args.sizes:
            with workdir(args.keep, size) as work:
                res = bench_size(size, work, args, rg, largest=size == args.sizes[-1])
            targets = targets_for(res, results)
            res["targets"] = [{**asdict(t), "met": t.met} for t in targets]
            results[size] = res
            print()
            print(render_table(res, targets))
            print(render_queries(res))
            if "startup" in res:
                print(render_startup(res["startup"], size))
            sys.stdout.flush()
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    hi = info["help_imports"]
    ok = not any(hi[f]["heavy_imports"] for f in hi)
    print()
    timing = ", ".join(f"{flag}: {hi[flag]['seconds'] * 1000:.0f} ms" for flag in hi)
    verdict = "met" if ok else "NOT MET"
    detail = "" if ok else f"; imports: {hi}"
    print(
        f"  [{verdict:>7}] `notesearch --help` / `--version` import no whoosh or rich "
        f"({timing}{detail})"
    )
    total = time.perf_counter() - started
    print(f"total benchmark time: {total / 60:.1f} min")
    if args.json is not None:
        payload = {**info, "help_target_met": ok, "seconds": total,
                   "sizes": {str(k): v for k, v in results.items()}}  # fmt: skip
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
