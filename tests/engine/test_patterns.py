"""Query words made to mean what the user wrote: path patterns with hyphens, multi-word
prefixes, ``tag:`` words, and snippets that keep blocks apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from notesearch import QuerySyntaxError, build_index, open_index, search
from notesearch.engine.snippets import make_snippet
from notesearch.models import Span
from tests.helpers import write

NOTES = {
    "registry/ecr-us-east-1.md": "# ECR us east\n\nregistry images\n",
    "registry/ecr-eu-west-1.md": "# ECR eu west\n\nregistry images\n",
    "autopilot-quotas.md": "# Quotas\n\n`#gotcha`\n\nregistry quotas\n",
    "autopilot.md": "# Autopilot\n\nregistry of jobs\n",
    "spot.md": "# Spot\n\nspot-training saves money\n",
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("patterns")
    for rel, text in NOTES.items():
        write(base / "notes", rel, text)
    build_index(base / "notes", base / "index")
    return base / "index", base / "notes"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("path:ecr*", {"registry/ecr-us-east-1.md", "registry/ecr-eu-west-1.md"}),
        ("path:ecr-us*", {"registry/ecr-us-east-1.md"}),
        ("path:autopilot-quotas*", {"autopilot-quotas.md"}),
        ("path:autopilot-*", {"autopilot-quotas.md"}),
        ("path:ecr-*-1*", {"registry/ecr-us-east-1.md", "registry/ecr-eu-west-1.md"}),
        ("path:registry/ecr-eu*", {"registry/ecr-eu-west-1.md"}),
        ("registry NOT path:ecr-*", {"autopilot-quotas.md", "autopilot.md"}),
        ("registry -path:ecr-*", {"autopilot-quotas.md", "autopilot.md"}),
        ("path:zzz-*", set()),
        ("path:cr-us*", set()),  # a pattern starts at the start of a word
        ("spot-training*", {"spot.md"}),
        ("spot-train*", {"spot.md"}),
    ],
)
def test_patterns_match_what_they_say(
    index: tuple[Path, Path], text: str, expected: set[str]
) -> None:
    with open_index(*index) as idx:
        result = search(idx, text, limit=None)
    assert {hit.section.path for hit in result.hits} == expected
    assert result.warnings == ()


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        ("registry tag:gotch", "unknown tag 'gotch'; closest: gotcha"),
        ("registry tag:nothing-like-it", "unknown tag 'nothing-like-it'"),
    ],
)
def test_an_unknown_tag_in_the_query_warns(
    index: tuple[Path, Path], text: str, warning: str
) -> None:
    with open_index(*index) as idx:
        result = search(idx, text)
    assert [str(w) for w in result.warnings] == [warning]


def test_a_known_tag_in_the_query_does_not_warn(index: tuple[Path, Path]) -> None:
    with open_index(*index) as idx:
        result = search(idx, "registry tag:gotcha")
    assert result.warnings == ()


@pytest.mark.parametrize(
    ("text", "column"),
    [("registry tag:", 10), ("tag: registry", 1), ("(title: x)", 2), ("heading:", 1)],
)
def test_a_field_with_nothing_after_it_is_an_error_with_its_column(
    index: tuple[Path, Path], text: str, column: int
) -> None:
    with open_index(*index) as idx, pytest.raises(QuerySyntaxError) as caught:
        search(idx, text)
    assert f"has nothing after it at column {column} of query" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "words", "shown"),
    [
        (
            "Training data must be in S3\n\nBuilt-in algorithms expect CSV",
            ["S3", "Built-in"],
            "Training data must be in S3 · Built-in algorithms expect CSV",
        ),
        ("one line\nsoft wrapped", ["soft"], "one line soft wrapped"),
        ("a  \n\n\n\nb", ["b"], "a · b"),
        ("tab\there", ["here"], "tab here"),
    ],
)
def test_snippets_keep_blocks_apart(text: str, words: list[str], shown: str) -> None:
    spans = [Span(text.index(w), text.index(w) + len(w)) for w in words]
    snippet = make_snippet(text, spans)
    assert snippet.text == shown
    assert [snippet.text[s.start : s.end] for s in snippet.spans] == words
