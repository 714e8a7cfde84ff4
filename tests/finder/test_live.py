"""The finder's use cases without a screen: the query line, the session, the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from notesearch.cli import cli
from notesearch.live import Line, Session, read_line
from notesearch.vault import Vault
from tests.helpers import write

KNOWN = {"gotcha", "aws", "aws/s3", "exam-tip"}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("spot training", Line("spot training")),
        ("spot training #gotcha", Line("spot training", ("gotcha",))),
        ("training -#gotcha", Line("training", (), ("gotcha",))),
        ("#aws/s3", Line("*", ("aws/s3",))),
        ("#AWS -#gotcha", Line("*", ("aws",), ("gotcha",))),
        ('"spot #gotcha" training', Line('"spot #gotcha" training')),  # quoted: words
        ("checkpoint #gotc", Line("checkpoint", typing="gotc")),  # still being typed
        ("checkpoint #gotc ", Line("checkpoint", ("gotc",))),  # typed: applied (and warned)
        ("C# tips", Line("C# tips")),
        ("#123", Line("#123")),  # not a tag: digits only
        ("", Line("")),
    ],
)
def test_read_line(line: str, expected: Line) -> None:
    assert read_line(line, KNOWN) == expected


@pytest.fixture
def session(notes: Path, tmp_path: Path) -> Session:
    vault = Vault(notes, tmp_path / "index")
    vault.refresh()
    return Session(vault)


def test_a_syntax_error_is_an_answer(session: Session) -> None:
    answer = session.search('"spot')
    assert answer.error is not None and "unclosed" in answer.error
    assert answer.hits == ()


def test_links_follow_the_vault(session: Session, notes: Path) -> None:
    hit = session.search("spot #gotcha").hits[0]
    assert session.link(hit) == "[Spot Training](ml/training.md#spot-training)"
    (notes / ".obsidian").mkdir()
    (notes / ".obsidian" / "app.json").write_text("{}", encoding="utf-8")
    assert session.link(hit) == "[[training#Spot Training]]"


def test_the_session_reopens_a_new_generation(session: Session, notes: Path) -> None:
    before = session.generation
    assert not session.moved()
    write(notes, "wombat.md", "# Wombat\n\nwombats\n")
    session.vault.refresh()
    assert session.moved()
    assert session.search("wombat").hits[0].section.path == "wombat.md"
    assert session.generation != before and session.reopened == 1


def test_find_needs_a_terminal(notes: Path) -> None:
    assert CliRunner().invoke(cli, ["index"]).exit_code == 0
    result = CliRunner().invoke(cli, ["find", "spot"])
    assert result.exit_code == 2
    assert result.stderr == "notesearch: find needs a terminal; use notesearch query\n"
    assert result.stdout == ""


def test_the_readme_lists_every_key() -> None:
    from notesearch.finder.keys import KEYS
    from tests.helpers import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for key in KEYS:
        assert f"| {key.shown} | {key.does} |" in readme


def test_a_bug_in_the_finder_ends_with_one_line(
    session: Session, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from notesearch.finder.app import FinderApp
    from notesearch.paths import PathDisplay

    monkeypatch.delenv("NOTESEARCH_DEBUG", raising=False)
    app = FinderApp(session, PathDisplay("notes", "."))
    app._exception = RuntimeError("boom")
    app._print_error_renderables()
    err = capsys.readouterr().err
    assert err.startswith("notesearch: unexpected RuntimeError: boom.") and err.count("\n") == 1
    assert app.failed


@pytest.mark.parametrize(
    ("line", "terms"),
    [
        ("spot training", {"spot", "train"}),  # stems, as the index holds them
        ("sp* #gotcha", {"split", "spot"}),  # a prefix expanded
        ('"spot training" -managed', {"spot", "train"}),  # an excluded word is not marked
        ("zzzunknown", set()),
    ],
)
def test_an_answer_has_the_terms_to_mark(session: Session, line: str, terms: set[str]) -> None:
    answer = session.search(line, spell=False)
    assert set(answer.terms) == terms
    assert answer.terms == (answer.outcome.result.terms if answer.outcome else frozenset())
