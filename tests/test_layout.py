"""The shape of the code: each engine behind one module, a fast --help."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "notesearch"

# Which modules may import which third-party engines.
ALLOWED = {
    "whoosh": {"index.py", "searcher.py"},
    "rich": {"printers/terminal.py"},
    "markdown_it": {"parse.py"},
    "frontmatter": {"front_matter.py"},
    "yaml": {"front_matter.py"},
    "ftfy": {"read.py"},
}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize(
    "module", sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py")), ids=str
)
def test_engines_stay_behind_their_modules(module: str) -> None:
    roots = imported_roots(SRC / module)
    for engine, owners in ALLOWED.items():
        if engine in roots:
            assert module in owners, f"{module} imports {engine}"


def test_models_have_no_third_party_imports() -> None:
    assert imported_roots(SRC / "models.py") <= {"__future__", "dataclasses", "typing"}


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["query", "--help"]])
def test_help_and_version_do_not_load_engines(args: list[str]) -> None:
    code = (
        "import sys\n"
        "from notesearch.cli import cli\n"
        f"try:\n    cli.main({args!r}, standalone_mode=False)\n"
        "except SystemExit:\n    pass\n"
        "heavy = [m for m in ('whoosh', 'rich', 'markdown_it', 'frontmatter', 'ftfy')"
        " if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines()[-1] == "HEAVY="


def test_public_api_names_resolve() -> None:
    import notesearch

    missing = [name for name in notesearch.__all__ if not hasattr(notesearch, name)]
    assert missing == []
