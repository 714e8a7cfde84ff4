"""Ranking on small vaults built to show each failure pattern of plain BM25 (issue 12).

Each vault is a handful of notes written here; each test fails on the
ranking before field-aware rescoring, the link prior, folding and
suggestions for unknown words.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from notesearch import build_index, open_index, search
from notesearch.engine import querytext, rank
from notesearch.engine.expand import expand_unknown, split_compounds
from notesearch.engine.proximity import closeness, nearest
from notesearch.engine.query import parse_query
from notesearch.engine.rank import name_words
from notesearch.engine.reader import Index
from notesearch.engine.spelling import suggest
from notesearch.engine.support import link_support
from tests.helpers import write

REGIONS = ("us-east-1", "eu-west-1", "ap-south-1", "sa-east-1", "ca-central-1", "me-south-1")

TEMPLATE = """# Algorithm registry paths in {region}

## Widget (algorithm)
The registry path of the widget algorithm image in {region}. Pull the image
before training, tag it with the algorithm version and push it to the
registry of your account. The widget image supports training and inference.
"""

VAULTS: dict[str, dict[str, str]] = {
    # 1. Templated near-duplicates: one page per region, and the page about the algorithm.
    "templated": {
        **{f"regions/{r}.md": TEMPLATE.format(region=r) for r in REGIONS},
        "widget.md": "# Widget algorithm\n\nThe widget algorithm clusters points; "
        "it is trained on an image of its own.\n",
    },
    # 2. A note titled with the query's words against notes that repeat them in bodies.
    "titled": {
        "tuning/gizmo-hyperparameters.md": "# Gizmo Hyperparameters\n\n"
        "The learning rate and the depth of the trees; defaults in the table below.\n",
        "tuning/notes-a.md": "# Tuning diary\n\nThe gizmo run used new hyperparameters. "
        "Gizmo again: the hyperparameters were wrong, so the gizmo was retrained.\n",
        "tuning/notes-b.md": "# Lab log\n\nHyperparameters for gizmo: we changed the "
        "hyperparameters of gizmo twice.\n",
    },
    # 3. A hub page that many notes link to, against a leaf with the same text match.
    "hub": {
        "storage-classes.md": "# Storage classes\n\nGlacier archives data for years.\n",
        "a-shutdown.md": "# Shutdown rules\n\nGlacier archives data for months.\n",
        **{
            f"topic-{n}.md": f"# Topic {n}\n\nRules: see [the classes](storage-classes.md).\n"
            for n in range(6)
        },
    },
    # 4. A title word: only the note's first section holds it.
    "title word": {
        "kinesis.md": "# Kinesis\n\nStreams of records.\n\n## Shards\nEach shard takes "
        "1 MB/s.\n\n## Retention\nRecords stay 24 hours.\n",
        "other.md": "# Other\n\nNothing about streams.\n",
    },
    # Per-language pages: the language named with a sign decides.
    "languages": {
        f"{name}-tracing.md": f"# Tracing in {lang}\n\nTurn on active tracing for {lang} code.\n"
        for name, lang in (("csharp", "C#"), ("cpp", "C++"), ("java", "Java"), ("go", "Go"))
    },
    # A documentation page named by its topic: the file name says "pricing".
    "named": {
        "widget/widget-pricing.md": "# Widget costs\n\nThe widget pricing is per hour.\n",
        "widget/overview.md": "# Widget overview\n\nThe widget pricing is per seat.\n",
    },
    # The page the matching sections point at, against one that repeats the words.
    "pointed at": {
        "provisioned.md": "# Provisioned concurrency\n\nEnvironments start before requests "
        "come, so a cold start never reaches a user.\n",
        "tips.md": "# Startup tips\n\nTo reduce cold starts, use "
        "[provisioned concurrency](provisioned.md).\n",
        "latency.md": "# Latency\n\nCold starts add latency: see [[provisioned]].\n",
        "runtime.md": "# Runtime loading\n\nCold starts load the runtime; cold starts "
        "take longer with big packages, and cold starts add up.\n",
        "elsewhere.md": "# Elsewhere\n\nSee [provisioned](provisioned) and [[runtime]].\n",
    },
    # Words written as one that the notes write apart.
    "compounds": {
        "slides.md": "# Slides\n\nEach slide of the show is a heading.\n",
        "keys.md": "# Keys\n\nA keyboard shortcut for every command.\n",
    },
    # The query's words together in one note, far apart in the other (same counts, same length).
    "proximity": {
        "apart.md": "# Notes one\n\nTo reduce the bill, turn off idle machines at night; "
        "a cold room keeps the disks alive and starts nothing new.\n",
        "together.md": "# Notes two\n\nTo reduce cold starts, keep one machine warm at "
        "night; the bill grows a little, the idle disks stay alive.\n",
    },
    # An identifier written as the query types it, against the same words as another
    # language spells them (a shorter section: plain BM25 puts it first).
    "identifier": {
        "node-context.md": "# Context object in Node.js\n\nThe context object describes the "
        "invocation. Before a long task, call\ncontext.getRemainingTime() and stop early "
        "when little time is left.\n",
        "python-context.md": "# Context object in Python\n\n"
        "Call context.get_remaining_time() before a long task.\n",
    },
    # 5. One misspelt word next to a good one.
    "typo": {
        "concurrency.md": "# Concurrency\n\nThe concurrency limit of an account is 1000.\n",
        "limits.md": "# Limits\n\nThe payload limit is 6 MB.\n",
    },
}


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Index]]:
    opened = {}
    for name, notes in VAULTS.items():
        root = tmp_path_factory.mktemp(name.replace(" ", "-"))
        for rel, text in notes.items():
            write(root / "notes", rel, text)
        build_index(root / "notes", root / "index")
        opened[name] = open_index(root / "index", root / "notes")
    yield opened
    for index in opened.values():
        index.close()


def paths(index: Index, text: str, **options: object) -> list[str]:
    return [hit.section.path for hit in search(index, text, **options).hits]  # type: ignore[arg-type]


def test_templated_copies_fold_into_one_result(indexes: dict[str, Index]) -> None:
    hits = search(indexes["templated"], "widget algorithm").hits
    copies = [h for h in hits if h.section.heading == "Widget (algorithm)"]
    assert len(copies) == 1
    assert len(copies[0].similar) == len(REGIONS) - 1
    assert sorted([copies[0].section.path, *copies[0].similar]) == sorted(
        f"regions/{r}.md" for r in REGIONS
    )
    assert "widget.md" in [h.section.path for h in hits]
    assert copies[0].to_dict()["similar"] == list(copies[0].similar)


def test_folding_happens_before_the_limit_and_can_be_turned_off(
    indexes: dict[str, Index],
) -> None:
    index = indexes["templated"]

    # Folded, the first three results are three different answers; unfolded,
    # copies of one templated section take their places.
    def answers(**options: object) -> set[str]:
        hits = search(index, "widget algorithm", limit=3, **options).hits  # type: ignore[arg-type]
        return {h.section.heading.split(" in ")[0] for h in hits}

    assert len(answers()) == 3
    assert len(answers(fold=False)) < 3
    unfolded = search(index, "widget algorithm", fold=False, limit=None).hits
    assert len([h for h in unfolded if h.section.heading == "Widget (algorithm)"]) == len(REGIONS)
    assert all(h.similar == () for h in unfolded)


@pytest.mark.parametrize(
    ("vault", "query", "first"),
    [
        ("titled", "gizmo hyperparameters", "tuning/gizmo-hyperparameters.md"),
        ("hub", "glacier", "storage-classes.md"),
        ("languages", "C# tracing", "csharp-tracing.md"),
        ("languages", "c++ tracing", "cpp-tracing.md"),
        ("named", "widget pricing", "widget/widget-pricing.md"),
        ("pointed at", "cold starts", "provisioned.md"),
        ("proximity", "reduce cold starts", "together.md"),
        ("identifier", "getRemainingTime", "node-context.md"),
        ("identifier", "getRemainingTime long task", "node-context.md"),
        ("identifier", "GetRemainingTime", "node-context.md"),  # in any case
        ("identifier", "get_remaining_time", "python-context.md"),
        ("identifier", "get remaining time", "python-context.md"),  # no identifier: BM25's
    ],
)
def test_fields_and_links_put_the_right_note_first(
    indexes: dict[str, Index], vault: str, query: str, first: str
) -> None:
    assert paths(indexes[vault], query)[0] == first


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("csharp-tracing.md", {"csharp", "trace"}),
        ("API_AccountLimit.md", {"api", "accountlimit"}),
        ("Obsidian Sync/Plans and storage limits.md", {"plan", "storag", "limit"}),
        ("notes/v2-release_notes.md", {"v2", "releas", "note"}),
    ],
)
def test_a_file_name_gives_its_words_to_the_title(path: str, words: set[str]) -> None:
    assert name_words(path) == words


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("getRemainingTimeInMillis", ["getRemainingTimeInMillis"]),
        ("AWS_LAMBDA_EXEC_WRAPPER", ["AWS_LAMBDA_EXEC_WRAPPER"]),
        ("Runtime.ImportModuleError", ["Runtime.ImportModuleError"]),
        ("lambda:InvokeFunctionUrl", ["lambda:InvokeFunctionUrl"]),
        ("logs to CloudWatch", ["CloudWatch"]),
        ("C# X-Ray tracing", ["X-Ray"]),
        ('"X-Ray tracing" X-Ray', ["X-Ray"]),  # quoted too, once
        ("(getFoo OR setBar)", ["getFoo", "setBar"]),
        ("heading:getFoo", ["getFoo"]),  # a text field's value, without its name
        ("EFS lambda", []),  # plain words, in any case
        (".NET native AOT", []),
        ("aws lambda invoke --payload", []),
        ("-CloudWatch logs", []),  # excluded
        ("getFoo* getBar~1", []),  # wildcard, fuzzy
        ("tag:aws/s3 path:notes/a.md", []),  # not text fields
    ],
)
def test_the_identifiers_of_a_query_as_typed(query: str, found: list[str]) -> None:
    assert querytext.identifiers(query) == found


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("spot training", ["spot", "training"]),
        ("heading:spot NOT training", ["spot", "training"]),  # a text field's value; no operator
        ("tag:aws spot", ["spot"]),  # not a text field
        ("spot* trainig~1 deploy", ["deploy"]),  # wildcard, fuzzy
        ("lambda:InvokeFunctionUrl", ["lambda", "InvokeFunctionUrl"]),  # no field: text
        ("model 2024", ["model"]),  # numbers are no words to spell
    ],
)
def test_the_words_a_spelling_suggestion_looks_at(query: str, found: list[str]) -> None:
    assert [w.text for w in querytext.words(query)] == found


@pytest.mark.parametrize(
    ("written", "typed", "gain"),
    [
        (2, 4, 0.5),  # half of the query's identifiers
        (16, 20, 1.0),  # the first 16 count: all of them written
        (0, 20, 0.0),
    ],
)
def test_the_first_identifiers_of_a_query_count(written: int, typed: int, gain: float) -> None:
    names = [f"id_{i}" for i in range(typed)]
    data = {
        "path": "a.md",
        "line": 1,
        "heading": "Names",
        "text": " ".join(names[:written]),
        "heading_words": [],
        "title_words": [],
        "links": [],
    }
    (scored,) = rank.rescore(
        [(1.0, 0, data)], frozenset({"id"}), lambda doc: frozenset(), lambda path: 0, None, names
    )
    assert rank.IDENTIFIERS_AT_MOST == 16
    assert scored.parts["identifier"] == pytest.approx(1.0 + rank.IDENTIFIER_WEIGHT * gain)


def test_a_section_writing_the_identifier_as_typed_gains(
    indexes: dict[str, Index], monkeypatch: pytest.MonkeyPatch
) -> None:
    index = indexes["identifier"]
    hits = {
        h.section.path: dict(h.explain)
        for h in search(index, "getRemainingTime", explain=True).hits
    }
    assert hits["node-context.md"]["identifier"] == pytest.approx(1.0 + rank.IDENTIFIER_WEIGHT)
    assert hits["python-context.md"]["identifier"] == pytest.approx(1.0)
    assert "identifier" not in dict(search(index, "context", explain=True).hits[0].explain)
    monkeypatch.setattr(rank, "IDENTIFIER_WEIGHT", 0.0)
    assert paths(index, "getRemainingTime")[0] == "python-context.md"  # BM25 alone


def test_only_links_from_matching_sections_add_to_a_note(indexes: dict[str, Index]) -> None:
    """elsewhere.md links to both, but does not match: runtime gets nothing from it."""
    hits = {
        h.section.path: dict(h.explain)
        for h in search(indexes["pointed at"], "cold starts", explain=True).hits
    }
    assert hits["provisioned.md"]["linked"] == pytest.approx(1.0 + rank.LINK_WEIGHT)
    assert "linked" not in hits["runtime.md"]
    assert "elsewhere.md" not in hits


@pytest.mark.parametrize(
    ("first", "second", "distance"),
    [
        ([3], [4], 1),
        ([10], [2], 8),
        ([1, 20, 40], [18, 44], 2),
        ([5], [5], 1),  # an identifier's whole shares its last word's position
    ],
)
def test_nearest_positions(first: list[int], second: list[int], distance: int) -> None:
    assert nearest(first, second) == distance


def test_closeness_is_the_mean_over_the_query_pairs(indexes: dict[str, Index]) -> None:
    index = indexes["proximity"]
    words = frozenset({"reduc", "cold", "start"})
    docs = {h.section.path: h for h in search(index, "reduce cold starts", explain=True).hits}
    near = dict(docs["together.md"].explain)["near"]
    # together.md: "reduce cold starts" gives its three pairs 1, 1 and 1/4
    assert near == pytest.approx(1.0 + rank.PROXIMITY_WEIGHT * (1 + 1 + 0.25) / 3)
    assert dict(docs["apart.md"].explain)["near"] < near
    # a pair the section lacks counts 0: one of three pairs side by side is 1/3
    together = index._searcher.document_number(note="together.md")
    found = closeness(index._searcher, {"cold", "start", "absent"}, [together])
    assert found == {together: pytest.approx(1 / 3)}
    assert closeness(index._searcher, ["reduc"], [0, 1]) == {}  # one word: nothing to be near
    assert closeness(index._searcher, words, []) == {}


def test_closeness_reads_positions_once_per_open_index(
    indexes: dict[str, Index], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A query typed key by key asks for the same words' positions again: kept, the same."""
    searcher = indexes["proximity"]._searcher
    docs = list(range(searcher.doc_count_all()))
    words = {"reduc", "cold", "start"}
    first = closeness(searcher, words, docs)
    assert first
    reader = searcher.reader()

    def no_postings(*args: object) -> object:
        raise AssertionError("positions read again")

    monkeypatch.setattr(reader, "postings", no_postings)
    assert closeness(searcher, words, docs) == first
    with pytest.raises(AssertionError, match="read again"):  # (the reader it would use)
        closeness(searcher, {"reduc", "machin"}, docs)
    assert closeness(searcher, {"cold", "start"}, docs[:1]) == {
        doc: value
        for doc, value in closeness(searcher, {"cold", "start"}, docs).items()
        if doc in docs[:1]
    }


def _record(path: str, *links: dict[str, object]) -> dict[str, object]:
    return {"path": path, "links": list(links)}


def _link(kind: str, raw: str, path: str | None = None, outside: bool = False) -> dict[str, object]:
    return {"kind": kind, "raw": raw, "path": path, "outside": outside}


@pytest.mark.parametrize(
    ("link", "supported"),
    [
        (_link("markdown", "b.md", "dir/b.md"), {"dir/b.md": 0.5}),
        (_link("markdown", "b", "dir/b"), {"dir/b.md": 0.5}),  # no suffix written
        (_link("wiki", "B#Heading|see b"), {"dir/b.md": 0.5}),  # by name, any case
        (_link("wiki", "dir/b"), {"dir/b.md": 0.5}),  # by the end of its path
        (_link("wiki", "other/b"), {}),  # not that folder
        (_link("embed", "b.md"), {"dir/b.md": 0.5}),
        (_link("wiki", "a"), {}),  # its own note
        (_link("wiki", "#Heading"), {}),  # a heading of its own note
        (_link("wiki", "c"), {}),  # not a candidate
        (_link("external", "https://example.com/b.md"), {}),
        (_link("markdown", "../b.md", None, outside=True), {}),
    ],
)
def test_link_support_resolves_links_among_the_candidates(
    link: dict[str, object], supported: dict[str, float]
) -> None:
    candidates = [(4.0, _record("dir/b.md")), (2.0, _record("a.md", link, link))]
    assert link_support(candidates) == supported


def test_link_support_sums_the_linking_sections_and_prefers_the_own_folder() -> None:
    candidates = [
        (4.0, _record("x/same.md", _link("wiki", "same"))),  # itself: nothing
        (2.0, _record("y/same.md")),
        (2.0, _record("y/a.md", _link("wiki", "same"))),  # its own folder's note
        (2.0, _record("y/b.md", _link("wiki", "Same"))),
        (1.0, _record("z/deep/a.md", _link("wiki", "same"))),  # the shortest path, then by name
    ]
    assert link_support(candidates) == {"y/same.md": 0.5 + 0.5, "x/same.md": 0.25}


def test_a_clearly_better_text_match_beats_the_hub(indexes: dict[str, Index]) -> None:
    assert paths(indexes["hub"], "glacier archives data for months")[0] == "a-shutdown.md"


def test_a_title_word_matches_the_first_section_of_its_note_only(
    indexes: dict[str, Index],
) -> None:
    hits = search(indexes["title word"], "kinesis", per_note=0).hits
    assert [(h.section.path, h.section.heading) for h in hits] == [("kinesis.md", "Kinesis")]
    assert hits[0].snippet.spans or "Kinesis" in hits[0].section.heading


def test_the_title_still_counts_for_the_other_sections(indexes: dict[str, Index]) -> None:
    """ "kinesis shard": the Shards section (shard in its text, kinesis in its title) first."""
    hits = search(indexes["title word"], "kinesis shard", per_note=0).hits
    assert hits[0].section.heading == "Shards"


@pytest.mark.parametrize(
    ("query", "corrected"),
    [
        ("concurency limit", "concurrency limit"),  # the other word matched
        ("concurrency limt", "concurrency limit"),
        ("concurrency limit", None),  # nothing to correct
    ],
)
def test_an_unknown_word_gets_a_suggestion_even_when_others_match(
    indexes: dict[str, Index], query: str, corrected: str | None
) -> None:
    index = indexes["typo"]
    assert search(index, query).hits  # the good word matches
    fix = suggest(index, query)
    assert (fix.corrected if fix else None) == corrected


@pytest.mark.parametrize(
    ("query", "searched", "first"),
    [
        # The unknown word is searched as its nearest indexed word ...
        ("concurency limit", "(body:concurr OR body:limit)", "concurrency.md"),
        ("concurrency limt", "(body:concurr OR body:limit)", "concurrency.md"),
        ("payloadd limit", "(body:payload OR body:limit)", "limits.md"),
        # ... known words never change ...
        ("concurrency limit", "(body:concurr OR body:limit)", "concurrency.md"),
        # ... and neither do phrases, excluded words, words shorter than 4
        # letters, nor a query whose every word is unknown (nothing found).
        ('"concurency limit"', 'body:"concur limit"', None),
        ("limit -concurency", "(body:limit ANDNOT body:concur)", "limits.md"),
        ("lmt concurrency", "(body:lmt OR body:concurr)", "concurrency.md"),
        ("concurency limmit", "(body:concur OR body:limmit)", None),
        # A word with no indexed word near it stays as typed.
        ("concurrency xylophone", "(body:concurr OR body:xylophone)", "concurrency.md"),
    ],
)
def test_a_misspelt_word_among_known_ones_searches_its_nearest_word(
    indexes: dict[str, Index], query: str, searched: str, first: str | None
) -> None:
    index = indexes["typo"]
    parsed = parse_query(index, query)
    assert str(expand_unknown(index._searcher.reader(), parsed)) == searched
    found = paths(index, query)
    assert (found[0] if found else None) == first


@pytest.mark.parametrize(
    ("word", "term", "limit"),
    [
        ("concurrency", "concurency", 2),  # a deletion after the prefix
        ("concurrency", "conucrrency", 2),  # a transposition
        ("conf", "cnof", 2),  # a transposition inside the first letters
        ("lambda", "lambda", 1),  # the same word: 0
        ("lambda", "lambdas", 1),  # a remainder that is empty on one side
        ("training", "trainnig", 2),
        ("training", "trxxxxng", 2),  # further than the limit: limit + 1 either way
        ("abcabc", "abcbca", 2),
        ("memory", "mem", 2),
    ],
)
def test_the_edits_of_a_near_word_are_whooshs_distance(word: str, term: str, limit: int) -> None:
    """The distance after the common prefix is the distance of the whole words."""
    from whoosh.support.levenshtein import distance

    from notesearch.engine.expand import _edits

    assert min(_edits(word, term, limit), limit + 1) == min(
        distance(word, term, limit=limit), limit + 1
    )
    assert _edits(word, term, 0) == distance(word, term)  # no limit: the exact distance


@pytest.mark.parametrize(
    ("query", "searched", "first"),
    [
        ("slideshow", "(body:slide OR body:show)", "slides.md"),
        ("keyboardshortcut", "(body:keyboard OR body:shortcut)", "keys.md"),
        ("keyboardshortcut command", "(body:keyboard OR body:shortcut OR body:command)", "keys.md"),
        ("keyboard", "body:keyboard", "keys.md"),  # a known word is never split
        ("slidezzz", "body:slidezzz", None),  # no two known parts
        ("theshow", "body:theshow", None),  # a stop word is no part
        ('"slideshow heading"', 'body:"slideshow head"', None),  # nor is a phrase's word
    ],
)
def test_an_unknown_compound_word_searches_its_parts(
    indexes: dict[str, Index], query: str, searched: str, first: str | None
) -> None:
    index = indexes["compounds"]
    parsed = parse_query(index, query)
    assert str(split_compounds(index._searcher.reader(), parsed)) == searched
    found = paths(index, query)
    assert (found[0] if found else None) == first


def test_explain_gives_the_parts_of_the_score(indexes: dict[str, Index]) -> None:
    hit = search(indexes["titled"], "gizmo hyperparameters", explain=True).hits[0]
    parts = dict(hit.explain)
    assert {"text", "coverage", "near", "title", "prior", "score", "folded"} <= set(parts)
    product = parts["text"] * parts["coverage"] * parts["near"] * parts["title"]
    assert parts["score"] == pytest.approx(product * parts["prior"])
    assert parts["score"] == pytest.approx(hit.score)
    assert hit.to_dict()["explain"]["score"] == round(hit.score, 4)
    assert "explain" not in search(indexes["titled"], "gizmo").hits[0].to_dict()


def test_a_suggestion_keeps_the_other_words_as_typed(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(notes, "a.md", "# A\n\nKinesis streams and shards.\n")
    build_index(notes, tmp_path / "index")
    with open_index(tmp_path / "index", notes) as index:
        fix = suggest(index, "Kinesis shardz")
    assert fix is not None and fix.corrected == "Kinesis shards"


@pytest.mark.parametrize(
    ("command", "stdout", "stderr"),
    [
        # The misspelt word is ranked by its nearest word (engine/expand.py);
        # the suggestion still goes to stderr.
        (
            ["query", "concurency limit", "--format", "paths"],
            "notes/concurrency.md\nnotes/limits.md\n",
            "Did you mean: concurrency limit",
        ),
        (
            ["query", "concurency limit", "--format", "paths", "--correct"],
            "notes/concurrency.md\nnotes/limits.md\n",
            "showing results for 'concurrency limit'",
        ),
        # open says it too, with its own command.
        (
            ["open", "concurency limit"],
            "",
            "Did you mean: concurrency limit  (run: notesearch open 'concurrency limit', or add",
        ),
    ],
)
def test_the_command_line_suggests_for_one_unknown_word(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], stdout: str, stderr: str
) -> None:
    from click.testing import CliRunner

    from notesearch.cli import cli

    for rel, text in VAULTS["typo"].items():
        write(tmp_path / "notes", rel, text)
    build_index(tmp_path / "notes", tmp_path / "index")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NOTESEARCH_NO_SERVER", "1")
    monkeypatch.setenv("EDITOR", "true")  # open: an editor that opens nothing
    monkeypatch.delenv("VISUAL", raising=False)
    result = CliRunner().invoke(cli, command, catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout == stdout
    assert stderr in result.stderr
