"""Attack 2: a notes folder's own .notesearch.toml may not move the index outside it.

With ``index = "/some/other/folder"`` there, ``notesearch index`` used to clean
up (delete) every ``gen-*`` entry of that folder and empty its ``lock``. Only
the user (command line, environment, own config file) may put the index
elsewhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from notesearch import ConfigError
from notesearch.settings import for_notes, load
from tests.helpers import write
from tests.security.helpers import invoke, one_line, run
from tests.security.helpers_fs import foreign_folder, snapshot


def _vault(root: Path, index: str) -> Path:
    vault = root / "vault"
    write(vault, "spot.md", "# Spot\n\nspot training\n")
    write(vault, ".notesearch.toml", f"index = {index!r}\n".replace("'", '"'))
    return vault


@pytest.mark.parametrize("how", ["absolute", "parent", "home", "symlink", "itself"])
def test_the_notes_file_cannot_move_the_index_outside(tmp_path: Path, how: str) -> None:
    elsewhere = foreign_folder(tmp_path / "elsewhere")
    before = snapshot(elsewhere)
    value = {
        "absolute": str(elsewhere),
        "parent": "../elsewhere",
        "home": "~/elsewhere",
        "symlink": "inside",
        "itself": ".",
    }[how]
    vault = _vault(tmp_path, value)
    if how == "symlink":
        (vault / "inside").symlink_to(elsewhere)
    expected = (
        f"notesearch: vault/.notesearch.toml: 'index' must be a folder inside the notes "
        f"folder, got {value!r} (only the command line, NOTESEARCH_INDEX or your own config "
        "file may put it elsewhere)"
    )
    for args in (["index", "--notes", "vault"], ["query", "spot", "--notes", "vault"]):
        result = invoke(*args)
        assert result.exit_code == 2, args
        assert one_line(result.stderr) == expected
        proc = run(*args, cwd=tmp_path)
        assert proc.returncode == 2
        assert one_line(proc.stderr) == expected
    assert snapshot(elsewhere) == before
    with pytest.raises(ConfigError, match="'index' must be a folder inside"):
        for_notes(vault)


def test_a_relative_index_in_the_notes_file_is_inside_the_notes_folder(tmp_path: Path) -> None:
    vault = _vault(tmp_path, ".idx")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    proc = run("index", "--notes", str(vault), cwd=elsewhere)
    assert proc.returncode == 0, proc.stderr
    assert (vault / ".idx" / "CURRENT").is_file()
    assert not (elsewhere / ".idx").exists()
    proc = run("query", "spot", "--notes", str(vault), "-f", "paths", cwd=elsewhere)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("spot.md"), proc


def test_an_absolute_index_inside_the_notes_folder_is_allowed(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    _vault(tmp_path, str(vault / "deep" / "idx"))
    assert invoke("index", "--notes", "vault").exit_code == 0
    assert (vault / "deep" / "idx" / "CURRENT").is_file()


@pytest.mark.parametrize("where", ["command line", "environment", "user file"])
def test_the_user_may_put_the_index_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    write(tmp_path / "vault", "spot.md", "# Spot\n\nspot training\n")
    target = tmp_path / "caches" / "vault-index"
    args = ["index", "--notes", "vault"]
    if where == "command line":
        args += ["--index", str(target)]
    elif where == "environment":
        monkeypatch.setenv("NOTESEARCH_INDEX", str(target))
    else:
        write(tmp_path / "xdg-config" / "notesearch", "config.toml", f'index = "{target}"\n')
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    assert (target / "CURRENT").is_file()


def test_load_keeps_the_notes_files_value_and_resolves_it_against_the_notes_folder(
    tmp_path: Path,
) -> None:
    _vault(tmp_path, "sub/idx")
    settings = load({"notes": ("vault", "command line")})
    assert settings["index"] == "sub/idx"
    assert settings.path("index") == Path("vault") / "sub" / "idx"
