"""The command line: stdout, stderr and exit codes, asserted separately."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from notesearch.cli import COMMANDS, cli
from tests.helpers import query_into_closed_pipe, write

ESC = "\x1b"


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def indexed(notes: Path) -> Path:
    result = run("index")
    assert result.exit_code == 0, result.stderr
    return notes


def test_index_prints_summary_on_stderr(notes: Path) -> None:
    result = run("index")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "4 notes" in result.stderr and "4 added" in result.stderr
    again = run("index")
    assert "4 unchanged" in again.stderr and "0 added" in again.stderr
    assert run("index", "--quiet").stderr == ""


def test_index_options_and_environment(notes: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    result = run("index", "--notes", str(notes), "--index", str(elsewhere))
    assert result.exit_code == 0
    assert (elsewhere / "CURRENT").is_file()
    query = run("query", "quokka", "--index", str(elsewhere), "--format", "paths")
    assert query.stdout == "notes/zebra.md\n"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--help"], "Quick start"),
        (["index", "--help"], "Examples:"),
        (["query", "--help"], "Examples:"),
        (["export", "--help"], "Examples:"),
    ],
)
def test_help_has_examples(args: list[str], needle: str) -> None:
    result = run(*args)
    assert result.exit_code == 0
    assert needle in result.stdout


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("notesearch, version ")


@pytest.mark.parametrize(
    ("args", "code", "stderr_part"),
    [
        (["query", "training"], 2, "No index at ./index. Run `notesearch index` first."),
        (["export"], 2, "No index at ./index"),
        (["index", "--notes", "missing"], 2, "notes folder ./missing does not exist"),
    ],
)
def test_errors_are_one_line_exit_2(args: list[str], code: int, stderr_part: str) -> None:
    result = run(*args)
    assert result.exit_code == code
    assert result.stdout == ""
    assert stderr_part in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("notesearch: ")


@pytest.mark.parametrize(
    "query",
    ['"unclosed', "(training", "training AND", "titel:spot"],
)
def test_bad_query_exit_2(indexed: Path, query: str) -> None:
    result = run("query", query)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("notesearch: ")
    assert "Traceback" not in result.stderr


def test_plain_is_default_when_piped(indexed: Path) -> None:
    result = run("query", "spot training", "--tag", "gotcha")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("notes/ml/training.md:5: Model Training › Spot Training: ")
    assert "Spot training requires checkpointing" in lines[0]
    assert ESC not in result.stdout
    assert result.stderr == ""


def test_nothing_found_exit_1(indexed: Path) -> None:
    result = run("query", "xylophone")
    assert result.exit_code == 1
    assert result.stdout == ""


def test_json_lines_contract(indexed: Path) -> None:
    result = run("query", "spot training", "--format", "jsonl")
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    first = records[0]
    assert {
        "path", "title", "heading", "level", "breadcrumb", "anchor", "line", "end_line",
        "tags", "links", "text", "score", "snippet", "highlights", "schema_version", "rank",
    } <= set(first)  # fmt: skip
    assert first["path"] == "ml/training.md" and first["line"] == 5
    assert first["breadcrumb"] == ["Model Training"]
    marked = {first["snippet"][h["start"] : h["end"]].lower() for h in first["highlights"]}
    assert marked == {"spot", "training"}


def test_json_array_and_empty_array(indexed: Path) -> None:
    found = run("query", "quokka", "--format", "json")
    assert found.exit_code == 0
    assert [r["path"] for r in json.loads(found.stdout)] == ["zebra.md"]
    empty = run("query", "xylophone", "--format", "json")
    assert empty.exit_code == 1
    assert json.loads(empty.stdout) == []


def test_paths_unique_and_null(indexed: Path) -> None:
    listed = run("query", "training", "-l", "--per-note", "0")
    paths = listed.stdout.splitlines()
    assert paths and len(paths) == len(set(paths))
    nul = run("query", "training", "-l", "-0")
    assert nul.stdout.endswith("\0") and "\n" not in nul.stdout
    assert nul.stdout.split("\0")[:-1] == paths


def test_vimgrep_points_at_the_match(indexed: Path) -> None:
    result = run("query", "lifecycle", "--format", "vimgrep")
    path, line, col, _ = result.stdout.splitlines()[0].split(":", 3)
    assert (path, line) == ("notes/aws/s3.md", "9")
    text = Path(path).read_text().splitlines()[int(line) - 1]  # from the working folder
    assert text[int(col) - 1 :].lower().startswith("lifecycle")


def test_rich_output_highlights_and_footer(indexed: Path) -> None:
    result = run("query", "spot training", "--format", "rich", "--color", "always", "--limit", "1")
    assert result.exit_code == 0
    assert "ml/training.md" in result.stdout
    assert "Model Training › Spot Training" in result.stdout
    assert "#gotcha" in result.stdout
    assert f"{ESC}[1;31mSpot{ESC}[0m" in result.stdout  # the match is highlighted
    link = f"{ESC}]8;id="  # path:line is an OSC 8 hyperlink to the file
    assert link in result.stdout
    assert f";file://{indexed / 'ml' / 'training.md'}{ESC}\\" in result.stdout
    plain = run("query", "spot training", "--format", "rich", "--color", "never")
    assert ESC not in plain.stdout  # no hyperlink when not coloring a terminal
    assert "1 section in" in result.stderr


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--format", "rich", "--color", "never"], {}),
        (["--format", "rich"], {"NO_COLOR": "1"}),
        (["--format", "rich"], {"TERM": "dumb"}),
    ],
)
def test_no_color_settings(indexed: Path, args: list[str], env: dict[str, str]) -> None:
    result = run("query", "spot training", *args, env=env)
    assert result.exit_code == 0
    assert ESC not in result.stdout
    assert "Spot Training" in result.stdout


def test_markup_and_escapes_in_notes_are_shown_literally(notes: Path) -> None:
    write(
        notes,
        "evil.md",
        "# Evil [bold red]boom[/] :smile:\n\nwombat [link=file:///etc/passwd]x[/link] [/] "
        "\x1b]0;pwned\x07 \x1b[31mred \u202e \x9b31m end\n",
    )
    assert run("index").exit_code == 0
    for fmt in ("rich", "plain", "jsonl", "vimgrep"):
        result = run("query", "wombat", "--format", fmt, "--color", "always")
        assert result.exit_code == 0, fmt
        assert (
            ESC not in result.stdout.replace(f"{ESC}[", "").replace(f"{ESC}]8;", "")
            or fmt == "rich"
        )
        assert "\x07" not in result.stdout and "\x9b" not in result.stdout, fmt
        assert "\u202e" not in result.stdout, fmt
        if fmt != "jsonl":
            assert "[bold red]boom[/]" in result.stdout or fmt == "plain" or fmt == "vimgrep"
    rich = run("query", "wombat", "--format", "rich", "--color", "never").stdout
    assert "[bold red]boom[/] :smile:" in rich
    assert "[link=file:///etc/passwd]x[/link] [/]" in rich
    assert "\\x1b]0;pwned\\x07" in rich
    jsonl = run("query", "wombat", "--format", "jsonl").stdout
    assert "\\u001b" in jsonl and "\\u009b" in jsonl
    assert json.loads(jsonl)["heading"] == "Evil [bold red]boom[/] :smile:"


def test_typo_suggestion_and_correct(indexed: Path) -> None:
    result = run("query", "quoka")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Did you mean: quokka" in result.stderr
    fixed = run("query", "quoka", "--correct", "--format", "paths")
    assert fixed.exit_code == 0
    assert fixed.stdout == "notes/zebra.md\n"
    assert "showing results for 'quokka'" in fixed.stderr


def test_unknown_tag_warns(indexed: Path) -> None:
    result = run("query", "training", "--tag", "gotchas")
    assert result.exit_code == 1
    assert "unknown tag 'gotchas'; closest: gotcha" in result.stderr


def test_freshness_warning_and_refresh(indexed: Path) -> None:
    write(indexed, "new.md", "# New\n\nplatypus facts\n")
    stale = run("query", "quokka")
    assert "index is out of date (0 changed, 1 new, 0 removed notes)" in stale.stderr
    assert stale.exit_code == 0
    refreshed = run("query", "platypus", "--refresh", "--format", "paths")
    assert refreshed.exit_code == 0
    assert refreshed.stdout == "notes/new.md\n"
    assert "out of date" not in refreshed.stderr


def test_export_jsonl_and_json(indexed: Path) -> None:
    result = run("export")
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 11
    assert [r["path"] for r in records] == sorted(r["path"] for r in records)
    as_array = json.loads(run("export", "--format", "json").stdout)
    assert as_array == records


@pytest.mark.slow
def test_closed_pipe_ends_quietly(indexed: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "NOTESEARCH_NOTES": str(indexed),
        "NOTESEARCH_INDEX": str(tmp_path / "index"),
    }
    for consumer in ("head -1", "grep -q training"):
        proc = query_into_closed_pipe(consumer, env)
        assert proc.stdout.splitlines()[-1] == "status=0", consumer
        assert proc.stderr == "", consumer


def test_rich_output_exact_at_fixed_width(indexed: Path) -> None:
    result = run("query", "quokka", "--format", "rich", "--color", "never", env={"COLUMNS": "60"})
    assert result.exit_code == 0
    assert result.stdout == (
        "notes/zebra.md:1  Zebra notes\n"
        "  A note with a rare word: quokka. Nothing else about \n"
        "training here.\n"
        "\n"
    )


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(name: str) -> None:
    result = run(name, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout, name


def test_help_lists_every_command_and_each_is_found() -> None:
    result = run("--help")
    assert result.exit_code == 0
    listed = result.stdout.split("Commands:", 1)[1].split()
    assert sorted(COMMANDS) == sorted(set(listed) & set(COMMANDS))
    ctx = click.Context(cli)
    assert cli.list_commands(ctx) == sorted(COMMANDS)
    assert all(cli.get_command(ctx, name).name == name for name in COMMANDS)  # type: ignore[union-attr]
    assert cli.get_command(ctx, "nonesuch") is None
