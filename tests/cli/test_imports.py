"""What a plain ``notesearch query`` process imports: only what a query needs.

Each module left out is start-up time saved on every query (issue 18): the
renderer, the parser, the other commands, Whoosh's writer and its English
word variations.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

# Runs the command line in this process, then writes what it imported to a file.
PROBE = """
import json, sys
LAZY = %r
out = sys.argv[1]
sys.argv = ["notesearch", *sys.argv[2:]]
try:
    from notesearch.cli import main  # what `python -m notesearch` runs, but returns
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
finally:
    sys.stdout.flush()
real = {n for n, m in sys.modules.items() if type(m).__name__ != "_StandIn"}
compiled = [  # the patterns compiled on first use, that were
    f"{name}.{function}"
    for name, function in LAZY
    if name in sys.modules and getattr(sys.modules[name], function).cache_info().currsize
]
with open(out, "w") as fh:
    json.dump({"code": code, "modules": sorted(real), "compiled": compiled}, fh)
"""

# Regular expressions compiled on first use (functools.cache): each costs a cold query
# tenths of a millisecond to a few milliseconds to compile.
LAZY = [
    ("notesearch.engine.analysis", "_cjk_run"),
    ("notesearch.notes.read", "_mojibake"),
    ("notesearch.notes.tags", "_tag_in_text"),
    ("notesearch.sanitize", "_unsafe_block"),
    ("notesearch.sanitize", "json_unsafe"),
]

NEVER = [
    "rich",
    "textual",
    "yaml",
    "frontmatter",
    "markdown_it",
    "pathspec",  # no ignore patterns in this vault
    "ftfy",
    "watchfiles",
    "mcp",
    "pydantic",
    "whoosh.lang.morph_en",
    "whoosh.lang.dmetaphone",
    "whoosh.util.times",
    "whoosh.automata.lev",
    "whoosh.highlight",  # a query of plain words makes no Whoosh results
    "html",
    "socket",  # no watch serves this index: its socket is not there
    "notesearch.serve.protocol",
    "whoosh.writing",
    "notesearch.notes.parse",
    "notesearch.engine.build",
    "notesearch.engine.workers",
    "notesearch.engine.documents",  # the ranking's name words come from the analyzer
    "notesearch.graph",  # no --links-to or --linked-from
    "notesearch.notes.discover",  # no folder moved: no walk
    "notesearch.listings",
    "notesearch.printers.terminal",
    "notesearch.finder",
    "notesearch.cli.index",
    "notesearch.cli.find",
    "notesearch.cli.watch",
    "notesearch.cli.completion",
]


def _imported(tmp_path: Path, *args: str) -> tuple[int, list[str]]:
    data = _probe(tmp_path, *args)
    return data["code"], data["modules"]


def _probe(tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / "modules.json"
    env = {**os.environ, "NOTESEARCH_NO_SERVER": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE % (LAZY,), str(out), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.stderr == ""
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def indexed(notes: Path, tmp_path: Path) -> Path:
    # Past the freshness check's "racy" window (engine/fresh.py, RACY_NS): a folder
    # changed just before the index's walk would be listed again by every query.
    time.sleep(0.2)
    proc = subprocess.run(
        [sys.executable, "-m", "notesearch", "index"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return notes


def test_a_plain_query_imports_no_heavy_module_it_does_not_use(
    indexed: Path, tmp_path: Path
) -> None:
    code, modules = _imported(tmp_path, "query", "training", "--format", "plain")
    assert code == 0
    # What a query does need is there (so the list below is not vacuous).
    assert {"click", "whoosh.searching", "notesearch.engine.search"} <= set(modules)
    loaded = {m for m in modules for never in NEVER if m == never or m.startswith(never + ".")}
    assert loaded == set()


def test_a_deferred_module_is_imported_when_used(indexed: Path, tmp_path: Path) -> None:
    """A fuzzy word needs the Levenshtein automata: the stand-in imports them."""
    code, modules = _imported(tmp_path, "query", "trainng~2", "--format", "plain")
    assert code == 0
    assert "whoosh.automata.lev" in modules
    assert "whoosh.lang.morph_en" not in modules


def test_whooshs_results_get_their_highlighter(indexed: Path, tmp_path: Path) -> None:
    """A phrase is searched by Whoosh itself, whose results make a Highlighter."""
    code, modules = _imported(tmp_path, "query", '"spot training"', "--format", "plain")
    assert code == 0
    assert "whoosh.highlight" in modules


def test_an_index_with_nothing_to_do_imports_no_writer(indexed: Path, tmp_path: Path) -> None:
    """Answered from the seal, the stat table and the freshness check: no parser, no
    Whoosh, no worker pool."""
    code, modules = _imported(tmp_path, "index", "--quiet")
    assert code == 0
    loaded = {m for m in modules if m.split(".")[0] in ("whoosh", "pyromark", "yaml")}
    loaded |= {
        m
        for m in modules
        if m
        in (
            "notesearch.engine.workers",
            "notesearch.engine.segments",
            "notesearch.engine.documents",
            "notesearch.notes.parse",
            "notesearch.notes.discover",
            "notesearch.notes.links",  # the link targets: only to write
            "multiprocessing",
        )
    }
    assert loaded == set()


def test_a_link_filter_imports_the_link_graph(indexed: Path, tmp_path: Path) -> None:
    """The link graph is imported by the queries that filter by links, and only by them."""
    code, modules = _imported(
        tmp_path, "query", "epochs", "--links-to", "aws/s3.md", "--format", "plain"
    )
    assert code == 0
    assert {"notesearch.graph.links", "notesearch.listings"} <= set(modules)


@pytest.mark.parametrize(
    ("args", "compiled"),
    [
        (["training", "--format", "plain"], []),
        (["training", "--format", "jsonl"], ["notesearch.sanitize.json_unsafe"]),
        (["trainingé", "--format", "plain"], ["notesearch.engine.analysis._cjk_run"]),
    ],
)
def test_a_query_compiles_only_the_patterns_it_uses(
    indexed: Path, tmp_path: Path, args: list[str], compiled: list[str]
) -> None:
    data = _probe(tmp_path, "query", *args)
    assert data["code"] in (0, 1)
    assert data["compiled"] == compiled
