"""Configuration: files, precedence, errors, and `notesearch config`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from notesearch import build_index, open_index, search
from notesearch.cli import cli
from notesearch.settings import ConfigError, Settings, load, read_file, user_file
from tests.helpers import write


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def user_config(tmp_path: Path) -> Path:
    return user_file()  # under the test's own XDG_CONFIG_HOME (conftest)


def test_user_file_follows_xdg(tmp_path: Path) -> None:
    assert user_file({"XDG_CONFIG_HOME": "/x"}) == Path("/x/notesearch/config.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("limt = 3\n", "unknown key 'limt'"),
        ("limit = 0\n", "'limit' must be a whole number of at least 1, got 0"),
        ("limit = true\n", "'limit' must be a whole number"),
        ('format = "html"\n', "'format' must be one of rich, plain"),
        ('color = "sometimes"\n', "'color' must be one of auto, always, never"),
        ('ignore = "drafts/"\n', "'ignore' must be a list of text"),
        ("extensions = [1]\n", "'extensions' must be a list of text"),
        ('max_bytes = "big"\n', "'max_bytes' must be a whole number"),
        ("limit = \n", "invalid TOML"),
        ('notes = "elsewhere"\n', "unknown key 'notes'"),  # not in the notes folder's own file
    ],
)
def test_bad_notes_file_is_one_clear_error(notes: Path, text: str, message: str) -> None:
    (notes / ".notesearch.toml").write_text(text)
    with pytest.raises(ConfigError) as info:
        read_file(notes / ".notesearch.toml", in_notes=True)
    assert message in str(info.value)
    assert str(notes / ".notesearch.toml") in str(info.value)
    result = run("query", "quokka")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("notesearch: ") and message in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_precedence_cli_env_notes_file_user_file_default(
    notes: Path, user_config: Path, tmp_path: Path
) -> None:
    write(user_config.parent, user_config.name, 'limit = 7\ncolor = "never"\nindex = "u-index"\n')
    write(notes, ".notesearch.toml", 'limit = 5\nindex = "n-index"\n')
    settings = load({})
    notes_file = str(Path("notes") / ".notesearch.toml")  # relative, as the default notes is
    assert (settings["limit"], settings.sources["limit"]) == (5, notes_file)
    assert (settings["color"], settings.sources["color"]) == ("never", str(user_config))
    assert settings.sources["format"] == "default"
    assert settings["index"] == "n-index"
    env = load({"index": ("e-index", "environment")})
    assert (env["index"], env.sources["index"]) == ("e-index", "environment")
    cli_wins = load({"limit": (2, "command line"), "index": ("c", "command line")})
    assert (cli_wins["limit"], cli_wins["index"]) == (2, "c")


def test_config_command_shows_sources(notes: Path, user_config: Path, tmp_path: Path) -> None:
    write(user_config.parent, user_config.name, "limit = 7\n")
    write(notes, ".notesearch.toml", 'format = "jsonl"\n')
    result = run("config", "--index", "from-cli")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert f"limit = 7  # {user_config}; default --limit of query" in lines
    assert any(line.startswith('format = "jsonl"  # ') for line in lines)
    # folders are shown as used: absolute (from the working folder, for the command line)
    assert f'index = "{tmp_path / "from-cli"}"  # command line; folder of the index' in lines
    as_json = json.loads(run("config", "--format", "json").stdout)
    assert as_json["index"] == {"value": str(tmp_path / "index"), "source": "environment"}
    assert as_json["max_bytes"] == {"value": 10485760, "source": "default"}


def test_notes_file_sets_query_defaults(notes: Path) -> None:
    assert run("index").exit_code == 0
    write(notes, ".notesearch.toml", 'format = "paths"\nlimit = 1\n')
    result = run("query", "training")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 1  # limit 1, paths
    assert not result.stdout.startswith("{")
    override = run("query", "training", "--limit", "2", "--format", "plain", "--per-note", "0")
    assert len(override.stdout.splitlines()) == 2


def test_ignore_extensions_and_size_limit(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    write(root, "keep.md", "# Keep\n\nplatypus\n")
    write(root, "drafts/wip.md", "# Draft\n\nplatypus draft\n")
    write(root, "a/scratch.tmp.md", "# Tmp\n\nplatypus tmp\n")
    write(root, "notes.txt", "# Text\n\nplatypus in a txt note\n")
    write(root, "big.md", "# Big\n\nplatypus " + "x" * 2000 + "\n")
    write(
        root,
        ".notesearch.toml",
        'ignore = ["drafts/", "*.tmp.md"]\nextensions = ["md", ".txt"]\nmax_bytes = 1000\n',
    )
    stats = build_index(root, tmp_path / "index")
    assert stats.notes == 2
    assert any("byte limit" in str(w) and "big.md" in str(w) for w in stats.warnings)
    with open_index(tmp_path / "index", root) as idx:
        assert sorted(h.section.path for h in search(idx, "platypus").hits) == [
            "keep.md",
            "notes.txt",
        ]
        assert idx.changes(root) == (0, 0, 0)  # the freshness check uses the same rules


def test_changing_rules_rewrites_the_index(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    write(root, "keep.md", "# Keep\n")
    write(root, "drafts/wip.md", "# Draft\n")
    assert build_index(root, tmp_path / "index").notes == 2
    write(root, ".notesearch.toml", 'ignore = ["drafts/"]\n')
    stats = build_index(root, tmp_path / "index")
    assert (stats.notes, stats.removed, stats.written) == (1, 1, True)


def test_skipped_note_is_remembered_until_it_changes(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    write(root, "bin.md", b"# Bin\x00ary\n")
    write(root, "ok.md", "# Ok\n")
    first = build_index(root, tmp_path / "index")
    assert (first.skipped, len(first.warnings)) == (1, 1)
    again = build_index(root, tmp_path / "index")
    assert (again.skipped, again.warnings, again.written) == (1, [], False)
    with open_index(tmp_path / "index", root) as idx:
        assert idx.changes(root) == (0, 0, 0)  # not "new" forever
    write(root, "bin.md", "# Bin\n\nnow text\n")
    fixed = build_index(root, tmp_path / "index")
    assert (fixed.added, fixed.skipped, fixed.notes) == (1, 0, 2)


# (key, set by, the command's value, its choices) -> what the command uses
EFFECTIVE: dict[str, tuple[str, tuple[Any, str] | None, Any, tuple[str, ...] | None, Any]] = {
    "unset: the command's own": ("limit", None, 10, None, 10),
    "set in a file": ("limit", (3, "/home/u/.config/notesearch/config.toml"), 10, None, 3),
    "given on the command line": ("limit", (4, "command line"), 4, None, 4),
    "a format the command prints": (
        "format",
        ("jsonl", "x.toml"),
        None,
        ("jsonl", "json"),
        "jsonl",
    ),
    "a format it does not print": ("format", ("rich", "x.toml"), None, ("jsonl", "json"), None),
    "a folder, relative to its file": (
        "index",
        ("idx", "/v/.notesearch.toml"),
        "index",
        None,
        Path("/v/idx"),
    ),
}


@pytest.mark.parametrize("name", list(EFFECTIVE), ids=str)
def test_what_a_command_uses_of_a_setting(name: str) -> None:
    key, set_by, given, choices, expected = EFFECTIVE[name]
    settings = Settings()
    if set_by is not None:
        settings.set(key, *set_by)
    assert settings.effective(key, given, choices) == expected
