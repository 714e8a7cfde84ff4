"""Rough edges a new user hit: global options, missing folders, config output, anchors, counts.

Every test runs from a temporary working folder that is not the notes folder's parent.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from notesearch.cli import cli
from notesearch.models import IndexStats
from notesearch.printers.terminal import fit_tags
from tests.helpers import write

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def guide(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A notes folder at tmp/data/guide, its index at tmp/data/gix; the working folder tmp/work."""
    notes = tmp_path / "data" / "guide"
    write(
        notes,
        "deploy.md",
        "# Deploy\n\n**Tags:** `#aws` `#aws/lambda` `#exam-tip` `#gotcha` `#serverless`\n\n"
        '## Anchors\n\ntext <a name="deep-anchor"></a> here\n\nblock para ^blk1\n\n'
        "## Later\n\nspot training again\n",
    )
    monkeypatch.delenv("NOTESEARCH_NOTES")
    monkeypatch.delenv("NOTESEARCH_INDEX")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert (
        run("index", "-q", "--notes", str(notes), "--index", str(notes.parent / "gix")).exit_code
        == 0
    )
    return notes


@pytest.mark.parametrize(
    "args",
    [
        ["--notes", "{notes}", "--index", "{index}", "query", "spot", "-l"],
        ["--notes", "{notes}", "query", "spot", "-l", "--index", "{index}"],
        ["query", "spot", "-l", "--notes", "{notes}", "--index", "{index}"],
        ["--notes", "/nowhere", "query", "spot", "-l", "--notes", "{notes}", "--index", "{index}"],
    ],
    ids=["before", "mixed", "after", "after wins"],
)
def test_global_options_before_or_after_the_command(guide: Path, args: list[str]) -> None:
    filled = [a.format(notes=guide, index=guide.parent / "gix") for a in args]
    result = run(*filled)
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{guide}/deploy.md\n", "")


def test_color_before_the_command(guide: Path) -> None:
    index = str(guide.parent / "gix")
    result = run("--color", "always", "query", "spot", "--notes", str(guide), "--index", index)
    assert "\x1b[" in result.stdout
    plain = run("--color", "never", "tags", "--notes", str(guide), "--index", index)
    assert "\x1b[" not in plain.stdout


@pytest.mark.parametrize("command", [["query", "spot"], ["open", "spot"], ["show", "deploy.md"]])
def test_a_missing_notes_folder_is_an_error(guide: Path, command: list[str]) -> None:
    index = str(guide.parent / "gix")
    result = run(*command, "--notes", "/nonexistent", "--index", index, env={"EDITOR": "true"})
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "notesearch: notes folder /nonexistent does not exist\n"


def test_config_toml_is_valid_and_keeps_its_own_format_apart(guide: Path, tmp_path: Path) -> None:
    write(guide, ".notesearch.toml", 'format = "plain"\n')
    toml = run("config", "--notes", str(guide), "--format", "toml")
    assert toml.exit_code == 0
    assert tomllib.loads(toml.stdout)["format"] == "plain"
    assert f'format = "plain"  # {guide}/.notesearch.toml' in toml.stdout
    (guide / ".notesearch.toml").unlink()
    unset = run("config", "--notes", str(guide), "--format", "toml")
    assert "format" not in tomllib.loads(unset.stdout)  # unset: a comment, not `format = `
    assert "# format is not set" in unset.stdout


@pytest.mark.parametrize(
    ("target", "first_line"),
    [
        ("deploy.md#deep-anchor", "## Anchors"),
        ("deploy.md#^blk1", "## Anchors"),
        ("deploy.md#anchors", "## Anchors"),
        ("deploy.md#later", "## Later"),
    ],
)
def test_show_accepts_every_anchor_links_accepts(guide: Path, target: str, first_line: str) -> None:
    index = str(guide.parent / "gix")
    result = run("show", target, "--notes", str(guide), "--index", index, "--format", "plain")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == first_line


def test_show_on_a_terminal_starts_with_where_it_is(guide: Path) -> None:
    index = str(guide.parent / "gix")
    args = ["show", "deploy.md#later", "--notes", str(guide), "--index", index]
    result = run(*args, "--format", "rich", "--color", "never", env={"COLUMNS": "300"})
    assert result.stdout.splitlines()[0] == f"{guide}/deploy.md:11  Deploy › Later"


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(flag: str) -> None:
    result = run(flag)
    assert result.exit_code == 0 and result.stdout.startswith("notesearch, version ")


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"notes": 1, "sections": 1, "tags": 1, "links": 1}, "1 note, 1 section, 1 tag, 1 link;"),
        (
            {"notes": 2, "sections": 0, "tags": 0, "links": 3},
            "2 notes, 0 sections, 0 tags, 3 links;",
        ),
    ],
)
def test_counts_are_singular_when_one(counts: dict[str, int], expected: str) -> None:
    assert IndexStats(**counts).summary().startswith(expected)


@pytest.mark.parametrize(
    ("tags", "room", "expected"),
    [
        (("aws", "gotcha"), 40, "#aws #gotcha"),
        (("aws", "aws/lambda", "exam-tip", "gotcha"), 20, "#aws #aws/lambda +2"),
        (("aws", "aws/lambda", "exam-tip", "gotcha"), 8, "#aws +3"),
        (("serverless-computing",), 10, None),
    ],
)
def test_tags_are_never_cut_in_the_middle(
    tags: tuple[str, ...], room: int, expected: str | None
) -> None:
    assert fit_tags(tags, room) == expected


def test_rich_results_keep_tags_whole_at_any_width(guide: Path) -> None:
    index = str(guide.parent / "gix")
    for columns in ("50", "60", "80"):
        result = run(
            "query", "anchor", "--notes", str(guide), "--index", index, "--format", "rich",
            env={"COLUMNS": columns},
        )  # fmt: skip
        tag_lines = [line for line in result.stdout.splitlines() if "#" in line]
        for line in tag_lines:
            assert not line.rstrip().endswith(("#", "/", "-")), line
            assert all(len(line) <= int(columns) for line in result.stdout.splitlines())


def test_empty_reports_say_so_in_one_line(guide: Path) -> None:
    index = str(guide.parent / "gix")
    for fmt in ("plain", "rich"):
        broken = run("links", "--broken", "--notes", str(guide), "--index", index, "--format", fmt)
        assert (broken.exit_code, broken.stdout) == (0, "")
        assert broken.stderr == "notesearch: no broken links\n"
    write(guide, "other.md", "# Other\n\n[deploy](deploy.md)\n")
    assert run("index", "-q", "--notes", str(guide), "--index", index).exit_code == 0
    write(guide, "deploy.md", "# Deploy\n\n[other](other.md)\n")
    assert run("index", "-q", "--notes", str(guide), "--index", index).exit_code == 0
    orphans = run("links", "--orphans", "--notes", str(guide), "--index", index)
    assert (orphans.exit_code, orphans.stdout) == (0, "")
    assert orphans.stderr == "notesearch: no orphan notes: every note is linked from another\n"
    as_json = run("links", "--orphans", "--notes", str(guide), "--index", index, "--format", "json")
    assert (as_json.stdout, as_json.stderr) == ("[]\n", "")
