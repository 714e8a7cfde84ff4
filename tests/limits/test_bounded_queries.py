"""Bounded queries: too long, too fuzzy or too wide is a one-line QuerySyntaxError, at once.

The index holds one note of 1,200 distinct words (``kbbbb`` ... in order)
and the expansion limit is lowered to 1,000 for the table, so that ``k*``,
``[k TO l]`` and the like expand past it on a small index; one slow test
checks the real 10,000 on 12,000 words (``[a TO z]`` took 134 s on 1,000
notes). Every case is answered at once, through the Python API and through
``notesearch query`` (exit 2, one line on stderr, nothing on stdout).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from notesearch import QuerySyntaxError, build_index, open_index, search
from notesearch.cli import cli
from notesearch.engine import query as querymod
from notesearch.engine.reader import Index
from tests.conftest import write

# Consonants without 's' (the stemmer leaves these words alone).
LETTERS = "bcdfghjklmnpqrtvwxz"


def words(count: int) -> list[str]:
    """``count`` distinct words in order: kbbbb, kbbbc, ..."""
    return ["k" + "".join(p) for p in itertools.islice(itertools.product(LETTERS, repeat=4), count)]


# A hang guard, not a speed test: each of these answers in milliseconds.
GUARD = 5.0

TOO_MUCH = [
    ("k*", "`k*` matches too many words (more than 1,000); narrow it"),
    ("[k TO l]", "`[k TO l]` matches too many words (more than 1,000); narrow it"),
    ("{k TO}", "`{k TO}` matches too many words"),
    ("[TO l]", "`[TO l]` matches too many words"),
    ("k??*", "`k??*` matches too many words"),
    ("*", "`*` matches too many words"),
    ("spot body:k*", "`body:k*` matches too many words"),
    ("kbb* kbc* kbd*", "`kbd*` matches too many words with the rest of the query"),
    ("models~9", "`models~9` allows 9 edits, more than 2; use ~1 or ~2"),
    ("spot models~3", "`models~3` allows 3 edits, more than 2"),
    ("a" * 257, "the word at column 1 ('aaaaaaaaaaaaaaaaaaaa'...) is 257 characters long"),
    ("b " + "a" * 300, "is 300 characters long, more than 256; shorten it"),
    ("spot " + "x" * 1_990, "the word at column 6"),
    ("x" * 40_000, "the query is 40,000 characters long, more than 2,000; shorten it"),
    ("a " * 1_001, "the query is 2,002 characters long, more than 2,000; shorten it"),
]
FINE = ["kbb*", "kbbbb~1", "spot~2", "[kbbbb TO kbbcb]", "spot " * 399 + "spot", "a" * 256]


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    root = tmp_path_factory.mktemp("bounded")
    notes, index = root / "notes", root / "index"
    write(notes, "words.md", "# Words\n\n" + " ".join(words(1_200)) + "\n")
    write(notes, "spot.md", "# Spot\n\nspot training models\n")
    build_index(notes, index)
    yield notes, index


@pytest.fixture(autouse=True)
def _lower_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """k* is 1,200 words; kbb*, kbc* and kbd* are 361 each: 1,083 together."""
    monkeypatch.setattr(querymod, "MAX_EXPANSION", 1_000)


@pytest.fixture
def idx(vault: tuple[Path, Path]) -> Iterator[Index]:
    notes, index = vault
    with open_index(index, notes) as opened:
        yield opened


@pytest.mark.parametrize(("text", "message"), TOO_MUCH, ids=[t[:20] for t, _ in TOO_MUCH])
def test_api_refuses_at_once(idx: Index, text: str, message: str) -> None:
    started = time.monotonic()
    with pytest.raises(QuerySyntaxError) as raised:
        search(idx, text)
    assert time.monotonic() - started < GUARD
    assert message in str(raised.value)
    assert "\n" not in raised.value.one_line()
    assert len(raised.value.one_line()) < 200  # a long query is not repeated back


@pytest.mark.parametrize("text", FINE, ids=[t[:20] for t in FINE])
def test_api_answers_what_is_within_bounds(idx: Index, text: str) -> None:
    started = time.monotonic()
    search(idx, text)
    assert time.monotonic() - started < GUARD


def test_fuzzy_words_count_toward_the_limit(idx: Index, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(querymod, "MAX_EXPANSION", 20)
    with pytest.raises(QuerySyntaxError, match=r"`kbbbb~1` matches too many words \(more than 20"):
        search(idx, "kbbbb~1")
    assert search(idx, "spot~1").hits  # 'spot' and its near words: well within 20


@pytest.mark.parametrize(("text", "message"), TOO_MUCH, ids=[t[:20] for t, _ in TOO_MUCH])
def test_cli_refuses_with_one_line(vault: tuple[Path, Path], text: str, message: str) -> None:
    notes, index = vault
    started = time.monotonic()
    result = CliRunner().invoke(
        cli, ["query", text, "--notes", str(notes), "--index", str(index)], catch_exceptions=False
    )
    assert time.monotonic() - started < GUARD
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr


@pytest.mark.slow
def test_the_real_limit_is_ten_thousand_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.undo()
    assert querymod.MAX_EXPANSION == 10_000
    notes, index = tmp_path / "notes", tmp_path / "index"
    write(notes, "words.md", "# Words\n\n" + " ".join(words(12_000)) + "\n")
    build_index(notes, index)
    with open_index(index, notes) as opened:
        assert search(opened, "kbb*").hits  # 361 words
        for text in ("[k TO l]", "{k TO}", "k*"):
            with pytest.raises(QuerySyntaxError) as raised:
                search(opened, text)
            assert f"`{text}` matches too many words (more than 10,000)" in str(raised.value)
