"""Tags, links and show: the graph API and its commands (stdout, stderr, exit code)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from notesearch import AmbiguousNoteError, NoteNotFoundError, build_index, open_index, search
from notesearch.cli import cli
from notesearch.graph import links as graph_links
from notesearch.graph import lookup as graph_lookup
from notesearch.graph import tags as graph_tags
from tests.helpers import write

VAULT = {
    "a.md": (
        "# Alpha\n\n**Tags:** `#aws/s3` `#core`\n\n"
        "## Links `#ops`\n"
        "See [B](sub/b.md), [B's part](sub/b.md#part-two), [[c]], [[c#Nope]],\n"
        "[gone](missing.md), ![[pic.png]], ![[lost.png]], [web](https://x.org),\n"
        "[up](../outside.md), [[c#^blk]] and [anchor](sub/b.md#here).\n"
    ),
    "sub/b.md": (
        "---\ntitle: Beta Note\naliases: [Second]\n---\n"
        "# B\n\nintro `#aws/iam`\n\n## Part Two\nlink back to [[a]]\n\n"
        '<a name="here"></a>\n\n### Deeper\ndeep text\n\n## Part Three\nthree\n'
    ),
    "c.md": "# C\n\nblock paragraph ^blk\n\n## Other\nno links here\n",
    "lonely.md": "# Lonely\n\nnobody links to me\n",
    "pic.png": b"\x89PNG",
}


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "notes"
    for rel, content in VAULT.items():
        write(root, rel, content)
    build_index(root, tmp_path / "index")
    return root


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("sub/b.md", "sub/b.md"),
        ("b.md", "sub/b.md"),
        ("b", "sub/b.md"),
        ("Beta Note", "sub/b.md"),
        ("beta note", "sub/b.md"),
        ("Second", "sub/b.md"),  # alias
        ("notes/sub/b.md", "sub/b.md"),  # a path from the current folder
    ],
)
def test_find_note(vault: Path, tmp_path: Path, spec: str, expected: str) -> None:
    with open_index(tmp_path / "index", vault) as idx:
        assert graph_lookup.find_note(idx, spec, vault) == expected


def test_find_note_errors(vault: Path, tmp_path: Path) -> None:
    write(vault, "other/b.md", "# B again\n")
    build_index(vault, tmp_path / "index")
    with open_index(tmp_path / "index", vault) as idx:
        with pytest.raises(AmbiguousNoteError, match=r"other/b\.md, sub/b\.md"):
            graph_lookup.find_note(idx, "b.md", vault)
        with pytest.raises(NoteNotFoundError) as info:
            graph_lookup.find_note(idx, "lonly", vault)
        assert "lonely.md" in (info.value.hint or "")


def test_broken_links_with_reasons(vault: Path, tmp_path: Path) -> None:
    with open_index(tmp_path / "index", vault) as idx:
        rows = {(r.link.raw, r.reason) for r in graph_links.broken_links(idx)}
    assert rows == {
        ("c#Nope", "missing heading anchor"),
        ("missing.md", "missing note"),
        ("lost.png", "missing file"),
        ("../outside.md", "outside the notes root"),
    }


def test_anchors_heading_html_and_block_ids_resolve(vault: Path, tmp_path: Path) -> None:
    with open_index(tmp_path / "index", vault) as idx:
        assert graph_links.anchor_exists(idx, "sub/b.md", "part-two")
        assert graph_links.anchor_exists(idx, "sub/b.md", "Part Two")  # wiki style, by heading text
        assert graph_links.anchor_exists(idx, "sub/b.md", "here")  # <a name="here">
        assert graph_links.anchor_exists(idx, "c.md", "^blk")  # Obsidian block id
        assert not graph_links.anchor_exists(idx, "c.md", "Nope")


def test_outgoing_incoming_orphans(vault: Path, tmp_path: Path) -> None:
    with open_index(tmp_path / "index", vault) as idx:
        out = graph_links.outgoing_links(idx, "a.md")
        assert [r.link.raw for r in out][:3] == ["sub/b.md", "sub/b.md#part-two", "c"]
        assert {r.link.kind for r in out} == {"markdown", "wiki", "embed", "external"}
        back = graph_links.incoming_links(idx, "a.md")
        assert [(r.source, r.heading, r.link.line) for r in back] == [("sub/b.md", "Part Two", 10)]
        assert graph_links.orphans(idx) == ["lonely.md"]


def test_tag_counts_and_tree(vault: Path, tmp_path: Path) -> None:
    with open_index(tmp_path / "index", vault) as idx:
        counts = {c.name: (c.notes, c.sections) for c in graph_tags.tag_counts(idx)}
        # b's `#aws/iam` stands in its title section, so it covers all four of b's sections
        assert counts == {"aws/s3": (1, 2), "core": (1, 2), "ops": (1, 1), "aws/iam": (1, 4)}
        tree = [(n.name, n.depth, n.notes) for n in graph_tags.tag_tree(idx)]
        assert tree == [
            ("aws", 0, 2),
            ("aws/iam", 1, 1),
            ("aws/s3", 1, 1),
            ("core", 0, 1),
            ("ops", 0, 1),
        ]
        by_count = [c.name for c in graph_tags.tag_counts(idx, sort="count")]
        assert by_count == ["aws/iam", "aws/s3", "core", "ops"]


def test_query_link_filters(vault: Path, tmp_path: Path) -> None:
    with open_index(tmp_path / "index", vault) as idx:
        to_b = graph_links.sections_linking_to(idx, "sub/b.md")
        assert to_b == {("a.md", 5)}
        assert [h.section.heading for h in search(idx, "see", sections=to_b).hits] == ["Links"]
        assert search(idx, "intro", sections=to_b).hits == ()
        assert search(idx, "see", sections=set()).hits == ()  # nothing links here: no hits
        from_a = graph_links.sections_linked_from(idx, "a.md")
        # a links to b without an anchor (all of b) and to c (all of c)
        assert ("sub/b.md", 5) in from_a and ("c.md", 1) in from_a
        assert ("lonely.md", 1) not in from_a


# ----------------------------------------------------------------------------- commands


@pytest.mark.parametrize("fmt", ["plain", "jsonl", "json", "rich"])
def test_tags_command_formats(vault: Path, fmt: str) -> None:
    result = run("tags", "--format", fmt, "--color", "never")
    assert result.exit_code == 0
    assert result.stderr == ""
    if fmt == "plain":
        assert "aws/s3\t1\t2" in result.stdout.splitlines()
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        assert {"tag": "core", "notes": 1, "sections": 2, "schema_version": 1} in rows
    elif fmt == "json":
        assert len(json.loads(result.stdout)) == 4
    else:
        assert "aws/s3" in result.stdout and "sections" in result.stdout


def test_tags_tree_plain(vault: Path) -> None:
    result = run("tags", "--tree", "--format", "plain")
    assert result.stdout.splitlines()[:3] == ["aws\t2\t6", "  iam\t1\t4", "  s3\t1\t2"]


def test_links_command_outgoing_and_backlinks(vault: Path) -> None:
    out = run("links", "a.md", "--format", "jsonl")
    assert out.exit_code == 0
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    first = rows[0]
    assert (first["target"], first["kind"], first["path"], first["exists"]) == (
        "sub/b.md",
        "markdown",
        "sub/b.md",
        True,
    )
    back = run("links", "Alpha", "--backlinks", "--format", "plain")
    assert back.stdout.splitlines() == ["notes/sub/b.md\t10\tB › Part Two\twiki\ta"]


def test_links_broken_exit_codes_and_json(vault: Path, tmp_path: Path) -> None:
    result = run("links", "--broken", "--format", "plain")
    assert result.exit_code == 1
    assert "notes/a.md:7 → missing.md (missing note)" in result.stdout.splitlines()
    as_json = json.loads(run("links", "--broken", "--format", "json").stdout)
    assert {"source": "a.md", "line": 6, "target": "c#Nope", "reason": "missing heading anchor",
            "schema_version": 1} in as_json  # fmt: skip
    clean = tmp_path / "clean"
    write(clean, "x.md", "# X\n[y](y.md)\n")
    write(clean, "y.md", "# Y\n")
    assert run("index", "--notes", str(clean), "--index", str(tmp_path / "i2")).exit_code == 0
    ok = run("links", "--broken", "--notes", str(clean), "--index", str(tmp_path / "i2"))
    assert (ok.exit_code, ok.stdout) == (0, "")


def test_links_orphans(vault: Path) -> None:
    result = run("links", "--orphans", "--format", "plain")
    assert (result.exit_code, result.stdout) == (0, "notes/lonely.md\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["links"], "give a NOTE"),
        (["links", "a.md", "--broken"], "go alone"),
        (["links", "nosuch"], "no note 'nosuch'"),
        (["show", "sub/b.md#nowhere"], "has no heading #nowhere"),
        (["show", "c.md", "--line", "99"], "has no line 99"),
    ],
)
def test_graph_errors_exit_2(vault: Path, args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_show_section_with_subsections_raw_when_piped(vault: Path) -> None:
    result = run("show", "sub/b.md#part-two")
    assert result.exit_code == 0
    assert result.stdout == (
        '## Part Two\nlink back to [[a]]\n\n<a name="here"></a>\n\n### Deeper\ndeep text\n'
    )
    by_line = run("show", "Beta Note", "--line", "16")
    assert by_line.stdout.startswith("### Deeper\n")


def test_show_rendered_on_terminal_is_sanitized(vault: Path) -> None:
    write(vault, "evil.md", "# Evil\n\n**bold** \x1b]0;title\x07 [x](file:///etc/passwd)\n")
    run("index")
    result = run("show", "evil.md", "--format", "rich", "--color", "always")
    assert result.exit_code == 0
    assert "\x07" not in result.stdout
    assert "\\x1b]0;title\\x07" in result.stdout
    assert "]8;" not in result.stdout  # no hyperlink planted by the note


def test_query_links_to_option(vault: Path) -> None:
    result = run("query", "see", "--links-to", "Beta Note", "--format", "paths")
    assert (result.exit_code, result.stdout) == (0, "notes/a.md\n")
    none = run("query", "intro", "--links-to", "sub/b.md")
    assert none.exit_code == 1


def test_completion_of_tags_and_notes(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import click

    from notesearch.cli.options import complete_notes, complete_tags

    ctx = click.Context(cli)
    assert complete_tags(ctx, None, "aws") == ["aws/iam", "aws/s3"]  # type: ignore[arg-type]
    assert complete_tags(ctx, None, "#co") == ["core"]  # type: ignore[arg-type]
    assert complete_notes(ctx, None, "sub/") == ["sub/b.md"]  # type: ignore[arg-type]
    monkeypatch.setenv("NOTESEARCH_INDEX", "/nonexistent")
    assert complete_tags(ctx, None, "") == []  # type: ignore[arg-type]


def test_completion_uses_the_index_named_in_the_user_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import click

    from notesearch.cli.options import complete_notes, complete_tags

    notes, index = tmp_path / "elsewhere" / "vault", tmp_path / "elsewhere" / "vault-index"
    for rel, content in VAULT.items():
        write(notes, rel, content)
    build_index(notes, index)
    monkeypatch.delenv("NOTESEARCH_INDEX")
    monkeypatch.delenv("NOTESEARCH_NOTES")
    write(
        tmp_path / "xdg-config",
        "notesearch/config.toml",
        f'notes = "{notes}"\nindex = "{index}"\n',
    )
    ctx = click.Context(cli)
    assert complete_tags(ctx, None, "aws") == ["aws/iam", "aws/s3"]  # type: ignore[arg-type]
    assert complete_notes(ctx, None, "sub/") == ["sub/b.md"]  # type: ignore[arg-type]
    query = run("query", "--tag", "aws", "intro", "--format", "paths")
    assert query.exit_code in (0, 1), query.stderr
