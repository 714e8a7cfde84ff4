"""Integration over the real Obsidian help vault (../shared/corpora/obsidian-help-en).

The index is built once for the module. Every fact below was read from the
corpus files by hand; the comment next to it names the file and line. Paths
are relative to the corpus root. The whole module skips when the corpus is
absent.

Not checkable here: a nested tag from front matter. No note in this corpus has
a ``tags`` property or a nested tag outside code (the only ``tags:`` keys are
inside fenced YAML examples, e.g. Editing and formatting/Tags.md:16), so the
tag facts below check what the corpus does have.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from notesearch import Index, IndexStats, Link, Section, build_index, open_index, search
from tests.helpers import CORPUS

pytestmark = [
    pytest.mark.slow,  # indexes the whole vault once (module fixture)
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is not present"),
]

TAGS_NOTE = "Editing and formatting/Tags.md"
HEADLESS = "Obsidian Sync/Headless Sync.md"
EMBED = "Linking notes and files/Embed files.md"
INTERNAL = "Linking notes and files/Internal links.md"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, IndexStats]:
    index = tmp_path_factory.mktemp("corpus") / "index"
    stats = build_index(CORPUS, index)
    return index, stats


@pytest.fixture(scope="module")
def ix(built: tuple[Path, IndexStats]) -> Iterator[Index]:
    with open_index(built[0], CORPUS) as opened:
        yield opened


@pytest.fixture(scope="module")
def sections(ix: Index) -> list[Section]:
    return list(ix.sections())


def one(sections: list[Section], path: str, heading: str) -> Section:
    found = [s for s in sections if s.path == path and s.heading == heading]
    assert len(found) == 1, f"{path}: {len(found)} sections headed {heading!r}"
    return found[0]


def link_at(section: Section, line: int, raw: str) -> Link:
    found = [link for link in section.links if link.line == line and link.raw == raw]
    assert len(found) == 1, [(link.line, link.raw) for link in section.links]
    return found[0]


@pytest.mark.slow
def test_every_note_indexed(corpus: Path, built: tuple[Path, IndexStats], ix: Index) -> None:
    _, stats = built
    # `find . -name '*.md' | wc -l` in the corpus: 173; there are no other files.
    on_disk = {p.relative_to(corpus).as_posix() for p in corpus.rglob("*.md")}
    assert len(on_disk) == 173
    assert stats.notes == 173
    assert (stats.added, stats.skipped) == (173, 0)
    assert stats.warnings == []
    assert set(ix.table.notes) == on_disk
    assert ix.table.assets == []


def test_second_run_changes_nothing(corpus: Path, built: tuple[Path, IndexStats]) -> None:
    again = build_index(CORPUS, built[0])
    assert (again.unchanged, again.written) == (173, False)


def test_title_from_h1_and_aliases_from_front_matter(corpus: Path, ix: Index) -> None:
    # Home.md:1-9 front matter with "aliases:\n  - Start here" (lines 2-3), no title key;
    # Home.md:10 "# Obsidian Help"
    home = ix.table.notes["Home.md"]
    assert home.title == "Obsidian Help"
    assert home.aliases == ["Start here"]
    # Editing and formatting/Tags.md has no H1 and no title property: the file name is used.
    assert ix.table.notes[TAGS_NOTE].title == "Tags"


def test_code_heading_breadcrumb(corpus: Path, sections: list[Section]) -> None:
    # Obsidian Sync/Headless Sync.md:43 "## Commands", :84 "### `ob sync`", :97 next heading
    section = one(sections, HEADLESS, "ob sync")
    assert section.level == 3
    assert section.breadcrumb == ("Commands",)
    assert section.anchor == "ob-sync"
    assert (section.line, section.end_line) == (84, 96)
    assert section.title == "Headless Sync"
    assert "Run sync for a configured vault." in section.text
    # Headless Sync.md:26 "# Login" is a comment inside a ```shell fence (lines 25-41)
    assert not [s for s in sections if s.path == HEADLESS and s.heading == "Login"]
    assert "# Login" in one(sections, HEADLESS, "Quick start").text


def test_no_heading_keeps_backticks(corpus: Path, sections: list[Section]) -> None:
    # Headless Sync.md:45-124 has eight "### `ob ...`" headings;
    # Bases/Functions.md:571 "### `hasTag()`"
    assert [s.heading for s in sections if "`" in s.heading] == []
    assert one(sections, "Bases/Functions.md", "hasTag()").level == 3
    assert len([s for s in sections if s.path == HEADLESS and s.heading.startswith("ob ")]) == 8


def test_tags_in_prose_but_not_in_code(corpus: Path, sections: list[Section], ix: Index) -> None:
    # Tags.md:51 "#1984 isn't a valid tag, but #y1984 is." :53 "#tag and #TAG"
    # Tags.md:61-64 "- #camelCase" "- #PascalCase" "- #snake_case" "- #kebab-case"
    tag_format = one(sections, TAGS_NOTE, "Tag format")
    assert set(tag_format.tags) == {
        "y1984",
        "tag",
        "camelcase",
        "pascalcase",
        "snake_case",
        "kebab-case",
    }
    # Tags.md:34 "for example `#inbox/to-read` and `#inbox/processing`." - code, not tags
    assert one(sections, TAGS_NOTE, "Nested tags").tags == ()
    # Tags.md:10 "For example, `#meeting`." - code too
    assert one(sections, TAGS_NOTE, "Add a tag to a note").tags == ()
    # The whole vault has no other tag: Extending Obsidian/CSS snippets.md:71
    # "border-color: #ff0000;" is inside a ```css fence within a callout.
    assert ix.known_tags() == set(tag_format.tags)
    with_tags = {(s.path, s.heading) for s in sections if s.tags}
    assert with_tags == {(TAGS_NOTE, "Tag format")}


def test_wiki_link_with_heading_and_alias(corpus: Path, sections: list[Section]) -> None:
    # Tags.md:24 "[[Search#Search operators|search operator]]"; the note is Plugins/Search.md
    link = link_at(
        one(sections, TAGS_NOTE, "Find notes using tags"),
        24,
        "Search#Search operators|search operator",
    )
    assert (link.kind, link.path, link.anchor, link.exists) == (
        "wiki",
        "Plugins/Search.md",
        "Search operators",
        True,
    )
    # Obsidian Sync/Set up Obsidian Sync.md:58 "[[Obsidian Sync/Security and privacy#What does
    # end-to-end encryption mean?|end-to-end encryption]]"; the target heading is
    # Obsidian Sync/Security and privacy.md:24 "### What does end-to-end encryption mean?"
    setup = [s for s in sections if s.path == "Obsidian Sync/Set up Obsidian Sync.md"]
    (link,) = [
        link
        for s in setup
        for link in s.links
        if link.line == 58 and link.raw.startswith("Obsidian Sync/Security and privacy#")
    ]
    assert link.path == "Obsidian Sync/Security and privacy.md"
    assert link.anchor == "What does end-to-end encryption mean?"
    assert link.exists is True


def test_same_name_resolves_to_own_folder(corpus: Path, sections: list[Section]) -> None:
    # Two notes are named "Security and privacy.md": in Obsidian Sync/ and Obsidian Publish/.
    # Obsidian Publish/Introduction to Obsidian Publish.md:34 "- [[Security and privacy]]"
    # Obsidian Sync/Introduction to Obsidian Sync.md:31 "- [[Security and privacy]]"
    for folder, line in (("Obsidian Publish", 34), ("Obsidian Sync", 31)):
        links = [
            link
            for s in sections
            if s.path == f"{folder}/Introduction to {folder}.md"
            for link in s.links
            if link.raw == "Security and privacy"
        ]
        assert [(link.line, link.path, link.exists) for link in links] == [
            (line, f"{folder}/Security and privacy.md", True)
        ]


def test_escaped_pipe_in_table_cell(corpus: Path, sections: list[Section]) -> None:
    # Headless Sync.md:66 "| `--region` | Server [[Sync regions\\|region]] (automatic if omitted) |"
    section = one(sections, HEADLESS, "ob sync-create-remote")
    link = link_at(section, 66, "Sync regions|region")
    assert (link.kind, link.path, link.exists) == ("wiki", "Obsidian Sync/Sync regions.md", True)


def test_embeds(corpus: Path, sections: list[Section], ix: Index) -> None:
    # Embed files.md:34 "![[Internal links#^b15695]]" (outside any fence);
    # Internal links.md:13 ends with the block id "^b15695"
    section = one(sections, EMBED, "Embed a note in another note")
    embeds = [(link.kind, link.line, link.raw) for link in section.links if link.kind == "embed"]
    # :23 "![[Internal links]]" and :29 are inside ```md fences: not links
    assert embeds == [("embed", 34, "Internal links#^b15695")]
    link = link_at(section, 34, "Internal links#^b15695")
    assert (link.path, link.anchor, link.exists) == (INTERNAL, "^b15695", True)
    assert "^b15695" in ix.table.notes[INTERNAL].anchors
    # Embed files.md:44 "![[Engelbart.jpg#outline]]": an embed of an image the corpus lacks
    image = link_at(one(sections, EMBED, "Embed an image in a note"), 44, "Engelbart.jpg#outline")
    assert (image.kind, image.path, image.exists) == ("embed", None, False)


def test_distinctive_phrase_search(corpus: Path, ix: Index) -> None:
    # "Mother of All Demos" occurs only in Embed files.md:69 and :72, under
    # "## Embed an audio file in a note"
    result = search(ix, '"Mother of All Demos"')
    assert result.hits
    first = result.hits[0].section
    assert (first.path, first.heading) == (EMBED, "Embed an audio file in a note")
    assert {h.section.path for h in result.hits} == {EMBED}


def test_heading_search(corpus: Path, ix: Index) -> None:
    # Obsidian Sync/Security and privacy.md:24 "### What does end-to-end encryption mean?"
    result = search(ix, "what does end-to-end encryption mean")
    first = result.hits[0].section
    assert first.path == "Obsidian Sync/Security and privacy.md"
    assert first.heading == "What does end-to-end encryption mean?"


def test_export_round_trip(corpus: Path, sections: list[Section]) -> None:
    records: list[dict[str, Any]] = [s.to_dict() for s in sections]
    assert len(records) == len({(r["path"], r["line"]) for r in records})
    assert json.loads(json.dumps(records)) == records
