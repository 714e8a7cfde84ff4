"""The shape of the code: layers with imports flowing down, each engine behind its modules.

Layers, lowest first (a module imports only from lower layers, or from its
own package at its own layer):

    records  <  collector, errors, models, paths, pidlock, sanitize, signals  <  settings  <  notes/
    <  engine/  <  graph/ and watch  <  vault, editor, printers/  <  answers, live
    <  serve/, assist/, finder/  <  cli/, shortcut  <  __init__, __main__

No import cycles (type-only imports aside); no module over about 300 lines.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "notesearch"
MODULES = sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py"))

# Which modules (or folders, ending in /) may import which third-party engines.
ALLOWED = {
    "whoosh": ("engine/",),
    "click": ("cli/",),
    "rich": ("printers/terminal.py", "finder/"),  # the finder renders with rich, under Textual
    "pyromark": ("notes/parse.py", "notes/source.py"),  # source.py: its event types
    "markdown_it": (),  # the parser it was: nothing imports it now
    "frontmatter": ("notes/front_matter.py",),
    "yaml": ("notes/front_matter.py",),
    "ftfy": ("notes/read.py",),
    "pathspec": ("notes/discover.py",),
    "watchfiles": ("watch.py",),
    "mcp": ("assist/",),
    "pydantic": ("assist/",),
    "textual": ("finder/",),
}

LAYERS = {
    "records": -1,  # what every record class is made with (models, settings, ...)
    "collector": 0,
    "errors": 0,
    "models": 0,
    "listings": 1,
    "paths": 0,
    "pidlock": 0,
    "sanitize": 0,
    "signals": 0,
    "settings": 1,
    "notes": 2,
    "engine": 3,
    "graph": 4,
    "vault": 5,
    "watch": 4,
    "editor": 5,
    "printers": 5,
    "answers": 6,
    "live": 6,
    "serve": 7,
    "assist": 7,
    "finder": 7,
    "cli": 8,
    "shortcut": 8,  # the command line's answer to a plain `index`, before click (no click)
    "__init__": 9,
    "__main__": 9,
}
MAX_LINES = 350  # "about 300"


def dotted(module: str) -> str:
    """``engine/build.py`` -> ``notesearch.engine.build``; an ``__init__`` -> its package."""
    parts = module[: -len(".py")].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(["notesearch", *parts])


def unit(name: str) -> str:
    """The layer unit of a dotted module: its package below notesearch, or its own name."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(module: str) -> tuple[set[str], set[str], set[str]]:
    """(third-party roots, notesearch modules imported, of those: at run time, not type-only)."""
    path = SRC / module
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = dotted(module).split(".")
    if not module.endswith("__init__.py"):
        package = package[:-1]
    known = {dotted(m) for m in MODULES}
    roots: set[str] = set()
    internal: set[str] = set()
    runtime: set[str] = set()

    def visit(node: ast.AST, type_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.body:
                    visit_one(sub, True)
                for sub in child.orelse:
                    visit_one(sub, type_only)
                continue
            visit_one(child, type_only)

    def add(name: str, type_only: bool) -> None:
        while name not in known and "." in name:
            name = name.rsplit(".", 1)[0]  # an attribute of a module
        internal.add(name)
        if not type_only:
            runtime.add(name)

    def visit_one(node: ast.AST, type_only: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "notesearch":
                    add(alias.name, type_only)
                else:
                    roots.add(alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                assert node.module is not None
                if node.module.split(".")[0] == "notesearch":
                    add(node.module, type_only)
                else:
                    roots.add(node.module.split(".")[0])
            else:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                for alias in node.names:
                    candidate = f"{target}.{alias.name}"
                    add(candidate if candidate in known else target, type_only)
        visit(node, type_only)

    visit(tree, False)
    return roots, internal - {dotted(module)}, runtime - {dotted(module)}


@pytest.mark.parametrize("module", MODULES, ids=str)
def test_engines_stay_behind_their_modules(module: str) -> None:
    roots, _, _ = imports(module)
    for engine, owners in ALLOWED.items():
        if engine in roots:
            assert any(module == o or module.startswith(o) for o in owners if o), (
                f"{module} imports {engine}"
            )


@pytest.mark.parametrize("module", MODULES, ids=str)
def test_imports_flow_down(module: str) -> None:
    _, internal, _ = imports(module)
    mine = unit(dotted(module))
    for name in internal:
        theirs = unit(name)
        assert LAYERS[theirs] < LAYERS[mine] or (theirs == mine), (
            f"{module} (layer {mine}) imports {name} (layer {theirs})"
        )


def test_no_import_cycles() -> None:
    graph = {dotted(m): imports(m)[2] for m in MODULES}
    for name in graph:  # a package imports its own __init__ when a submodule is loaded
        graph[name] = {t for t in graph[name] if not name.startswith(t + ".")}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def walk(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                walk(nxt, [*trail, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name, [name])
    assert cycles == []


@pytest.mark.parametrize("module", MODULES, ids=str)
def test_modules_are_small(module: str) -> None:
    lines = len((SRC / module).read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines"


def test_models_have_no_third_party_imports() -> None:
    roots, internal, _ = imports("models.py")
    assert roots <= {"__future__", "typing"}
    assert internal == {"notesearch.records"}
    roots, internal, _ = imports("records.py")
    # typing_extensions and collections.abc for type checkers only (TYPE_CHECKING)
    assert roots <= {"__future__", "collections", "operator", "typing", "typing_extensions"}
    assert internal == set()


def test_the_serve_client_imports_only_the_standard_library_and_the_protocol() -> None:
    roots, internal, _ = imports("serve/client.py")
    assert internal == {"notesearch.serve.place", "notesearch.serve.protocol"}
    assert roots <= set(sys.stdlib_module_names)
    roots, internal, _ = imports("serve/place.py")
    assert internal == set()
    assert roots <= set(sys.stdlib_module_names)


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["query", "--help"]])
def test_help_and_version_do_not_load_engines(args: list[str]) -> None:
    code = (
        "import sys\n"
        "from notesearch.cli import cli\n"
        f"try:\n    cli.main({args!r}, standalone_mode=False)\n"
        "except SystemExit:\n    pass\n"
        "heavy = [m for m in ('whoosh', 'rich', 'pyromark', 'frontmatter', 'ftfy')"
        " if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines()[-1] == "HEAVY="


def test_public_api_names_resolve() -> None:
    import notesearch

    missing = [name for name in notesearch.__all__ if not hasattr(notesearch, name)]
    assert missing == []


def test_every_error_is_exported() -> None:
    import notesearch
    from notesearch import errors

    defined = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.NotesearchError)
    }
    assert defined <= set(notesearch.__all__)
