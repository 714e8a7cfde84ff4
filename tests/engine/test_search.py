"""search(): the query language, filters, ranking, snippets and suggestions."""

from __future__ import annotations

import pytest

from notesearch import QuerySyntaxError, search, suggest
from notesearch.engine.highlight import find_spans
from notesearch.engine.reader import Index


@pytest.fixture
def idx(fixture_index: Index) -> Index:
    return fixture_index


def headings(result) -> list[tuple[str, str]]:
    return [(h.section.path, h.section.heading) for h in result.hits]


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("spot training", ("ml/training.md", "Spot Training")),
        ('"spot training"', ("ml/training.md", "Spot Training")),
        ("checkpointing", ("ml/training.md", "Checkpoint Sharding")),  # stemmed
        ("quokka", ("zebra.md", "Zebra notes")),
        ("title:S3 lifecycle", ("aws/s3.md", "Storage Classes")),
        ("heading:security", ("aws/s3.md", "Security")),
        ("path:decisions serverless", ("decisions/adr-016.md", "Consequences")),
        ("link:s3.md", ("ml/training.md", "Hyperparameters")),
        ("glacie*", ("aws/s3.md", "Storage Classes")),
        ("quoka~", ("zebra.md", "Zebra notes")),  # fuzzy
        ("ADR-016", ("decisions/adr-016.md", "ADR-016: Store training data in aws/s3")),
        ("aws/s3 buckets", ("decisions/adr-016.md", "ADR-016: Store training data in aws/s3")),
        ("2026-01-01", ("decisions/adr-016.md", "ADR-016: Store training data in aws/s3")),
    ],
)
def test_query_language_finds_expected_section(idx: Index, query: str, expected_first) -> None:
    result = search(idx, query)
    assert result.hits, f"no hits for {query!r}"
    assert headings(result)[0] == expected_first


@pytest.mark.parametrize(
    ("query", "absent"),
    [
        ("training NOT distributed", "Distributed Training"),
        ("training -distributed", "Distributed Training"),
        ("checkpoint* NOT sharded", "Checkpoint Sharding"),
    ],
)
def test_negation_removes_sections(idx: Index, query: str, absent: str) -> None:
    result = search(idx, query, per_note=0)
    assert result.hits
    assert absent not in [h.section.heading for h in result.hits]


def test_aliases_are_searchable_as_title(idx: Index) -> None:
    result = search(idx, "title:simple")
    assert {h.section.path for h in result.hits} == {"aws/s3.md"}


def test_all_words_rank_before_some_words(idx: Index) -> None:
    result = search(idx, "spot checkpointing interruptions", per_note=0)
    # Only the Spot Training section has all three words; others still appear.
    assert result.hits[0].section.heading == "Spot Training"
    assert len(result.hits) > 1


def test_phrase_is_stricter_than_words(idx: Index) -> None:
    loose = {h.section.heading for h in search(idx, "training data", per_note=0).hits}
    exact = {h.section.heading for h in search(idx, '"training data"', per_note=0).hits}
    assert exact and exact < loose


S3 = {("aws/s3.md", h) for h in ("S3 basics", "Storage Classes", "Security")}
ML = {("ml/training.md", h) for h in ("Model Training", "Distributed Training")}
ML |= {("ml/training.md", h) for h in ("Checkpoint Sharding", "Hyperparameters")}
SPOT = ("ml/training.md", "Spot Training")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"tags": ["gotcha"]}, {SPOT}),
        ({"tags": ["#GOTCHA"]}, {SPOT}),
        # note-level tags from the **Tags:** line reach every section
        ({"tags": ["ml", "exam-tip"]}, {("ml/training.md", "Checkpoint Sharding")}),
        # nested: aws matches aws/s3; aws/s3 does not match plain aws
        ({"tags": ["aws"], "path": "aws/*"}, S3),
        ({"tags": ["aws/s3"], "path": "decisions/*"}, set()),
        ({"any_tags": ["security", "gotcha"]}, {SPOT, ("aws/s3.md", "Security")}),
        ({"path": "ml/*", "exclude_tags": ["gotcha"]}, ML),
        ({"path": "*.md", "tags": ["storage"]}, S3),  # a bare glob matches in any folder
    ],
)
def test_tag_and_path_filters(idx: Index, kwargs: dict, expected: set) -> None:
    query = "training OR storage OR s3 OR policies OR checkpoints OR rate OR strategies"
    result = search(idx, query, per_note=0, limit=None, **kwargs)
    assert set(headings(result)) == expected


def test_heading_tag_is_inherited_by_subsections(idx: Index) -> None:
    result = search(idx, "sharded", tags=["exam-tip"])
    assert headings(result) == [("ml/training.md", "Checkpoint Sharding")]
    assert search(idx, "strategies", tags=["exam-tip"]).hits == ()


def test_unknown_tag_warns_with_closest(idx: Index) -> None:
    result = search(idx, "training", tags=["gotchas"])
    assert result.hits == ()
    assert any(
        "unknown tag 'gotchas'" in w.message and "gotcha" in w.message for w in result.warnings
    )


def test_per_note_cap_and_limit(idx: Index) -> None:
    capped = search(idx, "training OR checkpoints OR data", per_note=1, limit=None)
    paths = [h.section.path for h in capped.hits]
    assert len(paths) == len(set(paths))
    uncapped = search(idx, "training OR checkpoints OR data", per_note=0, limit=None)
    assert len(uncapped.hits) > len(capped.hits)
    assert len(search(idx, "training OR checkpoints OR data", per_note=0, limit=2).hits) == 2


def test_results_are_deterministic(idx: Index) -> None:
    first = [(h.section.path, h.section.line, h.score) for h in search(idx, "training").hits]
    for _ in range(3):
        assert [
            (h.section.path, h.section.line, h.score) for h in search(idx, "training").hits
        ] == first


def test_snippet_spans_mark_stemmed_matches(idx: Index) -> None:
    hit = search(idx, "checkpointing")
    for h in hit.hits:
        marked = {h.snippet.text[s.start : s.end].lower() for s in h.snippet.spans}
        assert marked, h.section.heading
        assert marked <= {"checkpoints", "checkpointing", "checkpoint"}


def test_find_spans_far_into_a_long_line() -> None:
    text = "filler " * 30_000 + "the needle is here"
    spans = find_spans(text, {"needl"})
    assert [text[s.start : s.end] for s in spans] == ["needle"]


@pytest.mark.parametrize(
    "query",
    [
        '"unclosed phrase',
        "(open group",
        "close group)",
        "training AND",
        "OR training",
        "titel:x",
        "",
    ],
)
def test_bad_queries_raise_one_line_errors(idx: Index, query: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        search(idx, query)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("typo", "fixed"),
    [("quoka", "quokka"), ("sharded checkpoits", "sharded checkpoints"), ("Glacer", "glacier")],
)
def test_suggest_corrects_unknown_words_only(idx: Index, typo: str, fixed: str) -> None:
    suggestion = suggest(idx, typo)
    assert suggestion is not None
    assert suggestion.corrected == fixed


def test_no_suggestion_when_words_are_known(idx: Index) -> None:
    assert suggest(idx, "quokka") is None
    assert suggest(idx, "zzzzqqqq") is None


def test_links_resolved_when_read(idx: Index) -> None:
    section = next(s for s in idx.sections() if s.heading == "Hyperparameters")
    by_raw = {link.raw: link for link in section.links}
    md = by_raw["../aws/s3.md#storage-classes"]
    assert (md.kind, md.path, md.anchor, md.exists) == (
        "markdown",
        "aws/s3.md",
        "storage-classes",
        True,
    )
    wiki = by_raw["decisions/adr-016|the decision"]
    assert (wiki.kind, wiki.path, wiki.exists) == ("wiki", "decisions/adr-016.md", True)
