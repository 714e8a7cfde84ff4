"""Links: decoded before the containment check, classified, and never followed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from notesearch import open_index
from notesearch.notes.parse import parse_note
from tests.helpers import write
from tests.hostile.helpers import index_ok, rich_link_targets, run

SECRET = "linkedsecretword"


def _links(markdown: str, source: str = "dir/n.md"):
    note, _ = parse_note(source, f"# Links\n\n{markdown}\n")
    return [link for s in note.sections for link in s.links]


@pytest.mark.parametrize(
    "target",
    [
        "%2e%2e/%2e%2e/secret.md",
        "%2E%2E%2F%2E%2E%2Fsecret.md",
        "..%2f..%2fsecret.md",
        ".%2e/.%2e/secret.md",
        "sub%2F..%2F..%2F..%2Fsecret.md",
        "..\\\\..\\\\secret.md",  # Windows style (a CommonMark-escaped backslash)
        "..%5C..%5Csecret.md",
        "~/secret.md",
        "~user/secret.md",
        "C:\\\\Users\\\\secret.md",
        "c:/Users/secret.md",
        "ok%00.md",
        "%00../secret.md",
        "../../secret.md#heading",
        "<../../secret with space.md>",
    ],
)
def test_escaping_targets_are_outside(target: str) -> None:
    (link,) = _links(f"[x]({target})")
    assert link.kind == "markdown"
    assert link.outside is True, link
    assert link.path is None
    assert link.exists is False


@pytest.mark.parametrize(
    ("target", "path"),
    [
        ("%2e%2e/a.md", "a.md"),
        ("..%2Fa.md", "a.md"),
        ("sub/../b.md", "dir/b.md"),
        ("%252e%252e/c.md", "dir/%2e%2e/c.md"),  # decoded once, not twice
        ("..\\\\a.md", "a.md"),
    ],
)
def test_encoded_targets_inside_the_root_resolve(target: str, path: str) -> None:
    (link,) = _links(f"[x]({target})")
    assert (link.outside, link.path) == (False, path)


@pytest.mark.parametrize(
    "markdown",
    [
        "[m](mailto:someone@example.com)",
        "<mailto:someone@example.com>",
        "[h](https://example.com/%2e%2e/x)",
        "[p](//evil.example/x.md)",
        "<https://example.com/a>",
    ],
)
def test_schemes_are_external(markdown: str) -> None:
    (link,) = _links(markdown)
    assert link.kind == "external"
    assert link.path is None and link.exists is False


@pytest.mark.parametrize(
    "markdown",
    [
        "[j](javascript:alert(1))",
        "[J](JaVaScRiPt:alert(1))",
        "<javascript:alert(1)>",
        "[v](vbscript:msgbox)",
        "[f](file:///etc/passwd)",
    ],
)
def test_dangerous_schemes_are_recorded_as_external(markdown: str) -> None:
    (link,) = _links(markdown)  # ValueError (unpacking) when the link is dropped
    assert link.kind == "external"
    assert link.path is None


@pytest.mark.parametrize(
    "markdown",
    ["[[../../secret]]", "[[~/secret]]", "![[../../secret.png]]", "[[..\\..\\secret]]"],
)
def test_wiki_links_that_climb_do_not_resolve(tmp_path: Path, markdown: str) -> None:
    notes = tmp_path / "notes"
    write(notes, "dir/n.md", f"# N\n\nwikiword {markdown}\n")
    write(tmp_path, "secret.md", f"# S\n\n{SECRET}\n")
    index_ok()
    with open_index(tmp_path / "index", notes) as idx:
        (section,) = list(idx.sections())
    (link,) = section.links
    assert link.exists is False
    assert link.path is None or not link.path.startswith("..")


def test_links_out_of_the_root_are_never_followed(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    outside = tmp_path / "outside"
    write(outside, "secret.md", f"# Secret\n\n{SECRET}\n")
    write(
        notes,
        "dir/n.md",
        "# Linker\n\nlinkword "
        "[a](../../outside/secret.md) [b](%2e%2e/%2e%2e/outside/secret.md) "
        "[c](..\\\\..\\\\outside\\\\secret.md) [[../../outside/secret]] "
        "![[../../outside/secret.md]] [d](/../outside/secret.md) "
        f"[e]({outside}/secret.md) [f](file://{outside}/secret.md)\n",
    )
    index_ok()
    assert run("query", SECRET).exit_code == 1
    export = run("export").stdout
    assert SECRET not in export
    (record,) = [json.loads(line) for line in export.splitlines()]
    for link in record["links"]:
        assert link["exists"] is False, link
        if link["path"] is not None:
            assert not link["path"].startswith(".."), link
            assert not (notes / link["path"]).exists()


def test_external_links_never_become_terminal_hyperlinks(tmp_path: Path) -> None:
    write(
        tmp_path / "notes",
        "n.md",
        "# N\n\nhyperword [click](javascript:alert(1)) [mail](mailto:a@b.c) "
        "<https://evil.example/> [x](https://evil.example/)\n",
    )
    index_ok()
    result = run("query", "hyperword", "--format", "rich", "--color", "always")
    assert result.exit_code == 0
    targets = [t for t in rich_link_targets(result.stdout) if t]
    assert targets, "the path itself is a file:// link"
    assert all(t.startswith("file://") for t in targets), targets
