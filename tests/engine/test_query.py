"""parse_query(): what each dash in a query means."""

from __future__ import annotations

import pytest

from notesearch import search
from notesearch.engine.query import flags_as_words, parse_query
from notesearch.engine.reader import Index


@pytest.fixture
def idx(fixture_index: Index) -> Index:
    return fixture_index


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        # one dash directly before a word excludes it (README: `training -distributed`)
        ("training -distributed", "(body:train ANDNOT body:distribut)"),
        ("-distributed training", "(body:train ANDNOT body:distribut)"),
        ('training -"spot training"', '(body:train ANDNOT body:"spot train")'),
        ("training -tag:gotcha", "(body:train ANDNOT tag:gotcha)"),
        # and inside parentheses (Whoosh's parser failed on a dash left in a group)
        ("training (-distributed)", "(body:train ANDNOT body:distribut)"),
        ("training (spot -distributed)", "(body:train OR (body:spot ANDNOT body:distribut))"),
        ("(spot OR managed) training", "(body:spot OR body:manag OR body:train)"),
        ("training (spot +managed)", "(body:train OR (body:manag ANDMAYBE body:spot))"),
        # two or more: a command-line flag written in a note, searched as its word
        ("aws invoke --payload", "(body:aw OR body:invok OR body:payload)"),
        ("--payload", "body:payload"),
        ("training ---distributed", "(body:train OR body:distribut)"),
        ("training (--distributed)", "(body:train OR body:distribut)"),
        ("training --dry-run", '(body:train OR body:"dry run")'),
        ("training --check*", "(body:train OR body:check*)"),
        ('training "--distributed"', "(body:train OR body:distribut)"),
        # a dash standing alone, or inside a word, is no operator
        ("training - distributed", "(body:train OR body:distribut)"),
        ("training -- distributed", "(body:train OR body:distribut)"),
        ("training --", "body:train"),
        ("spot-training", 'body:"spot train"'),
        ("ADR-016", 'body:"adr 016"'),
        ("ADR--016", 'body:"adr 016"'),
    ],
)
def test_dashes(idx: Index, text: str, parsed: str) -> None:
    assert str(parse_query(idx, text)) == parsed


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("a --b", "a   b"),
        ("--b", "  b"),
        ('"--b" --c', '"--b"   c'),  # quoted text is left as it is
        ("a -b", "a -b"),
        ("a -- b", "a -- b"),
        ("a-b--c", "a-b--c"),
    ],
)
def test_flags_as_words_keeps_columns(text: str, kept: str) -> None:
    assert flags_as_words(text) == kept


def test_a_flag_finds_its_word(idx: Index) -> None:
    excluded = search(idx, "training -distributed", per_note=0).hits
    flagged = search(idx, "training --distributed", per_note=0).hits
    assert "Distributed Training" not in [h.section.heading for h in excluded]
    assert flagged[0].section.heading == "Distributed Training"
