"""tags, links and show on real notes: the bundled sample and the Obsidian help vault."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from notesearch.cli import cli

# Indexes real vaults (module fixtures): seconds.
pytestmark = pytest.mark.slow


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def bundled_index(bundled: Path) -> Path:
    assert run("index", "-q").exit_code == 0
    return bundled


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    from tests.helpers import CORPUS

    if not CORPUS.is_dir():
        pytest.skip("../shared/corpora/obsidian-help-en is not present")
    index = tmp_path_factory.mktemp("corpus") / "index"
    from notesearch import build_index

    build_index(CORPUS, index)
    return str(CORPUS), str(index)


# ----------------------------------------------------------------------------- bundled notes


def test_bundled_seed_links_resolve(bundled_index: Path) -> None:
    result = run("links", "sagemaker/sagemaker.md", "--format", "jsonl")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    related = [r for r in rows if r["heading"] == "Related Topics"]
    assert len(related) == 10
    assert all(r["exists"] for r in related)
    assert {r["path"] for r in related} >= {
        "sagemaker/sagemaker-training.md",
        "mlops/mlops-deployment.md",
        "aws-services/aws-ml-algorithms.md",
    }


def test_bundled_broken_link_is_reported(bundled_index: Path) -> None:
    result = run("links", "--broken", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {
            "source": "mlops/mlops-monitoring.md",
            "line": 87,
            "target": "../sagemaker/sagemaker-data-wrangler.md",
            "reason": "missing note",
            "schema_version": 1,
        }
    ]


def test_bundled_backlinks_and_tags(bundled_index: Path) -> None:
    back = run("links", "Amazon SageMaker", "--backlinks", "--format", "plain")
    sources = {line.split("\t")[0] for line in back.stdout.splitlines()}
    assert "notes/sagemaker/sagemaker-training.md" in sources and len(sources) >= 6
    tree = run("tags", "--tree", "--format", "plain").stdout.splitlines()
    assert "aws\t3\t38" in tree and "  sagemaker\t3\t38" in tree
    assert run("show", "sagemaker/sagemaker.md#gotchas").stdout.splitlines()[0] == (
        "## Gotchas `#gotcha`"
    )


# ----------------------------------------------------------------------------- the Obsidian vault


@pytest.mark.slow
def test_corpus_wiki_heading_alias_and_block_embed(corpus_index: tuple[str, str]) -> None:
    notes, index = corpus_index
    result = run("links", "Embed files", "--notes", notes, "--index", index, "--format", "jsonl")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    # Embed files.md:26: [[Internal links#Link to a heading in a note|headings]]
    heading = next(r for r in rows if r["target"].endswith("|headings"))
    assert (heading["line"], heading["kind"], heading["exists"]) == (26, "wiki", True)
    assert heading["path"] == "Linking notes and files/Internal links.md"
    assert heading["anchor"] == "Link to a heading in a note"
    # Embed files.md:34: ![[Internal links#^b15695]] (the block id ends Internal links.md:13);
    # the same text on line 29 stands in a ```md fence and is no link.
    assert not any(r["line"] == 29 for r in rows)
    block = next(r for r in rows if r["line"] == 34)
    assert (block["kind"], block["anchor"], block["exists"]) == ("embed", "^b15695", True)


def test_corpus_broken_links(corpus_index: tuple[str, str]) -> None:
    notes, index = corpus_index
    result = run("links", "--broken", "--notes", notes, "--index", index, "--format", "json")
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    reasons = {r["reason"] for r in rows}
    # The copy of the vault has no attachments, so image embeds are missing files;
    # Internal links.md:154-169 shows [[Example]] links to a note that does not exist.
    assert reasons == {"missing file", "missing note"}
    missing_notes = {(r["source"], r["line"]) for r in rows if r["reason"] == "missing note"}
    assert ("Linking notes and files/Internal links.md", 154) in missing_notes
    # Link notes.md:10 writes \[\[double bracket syntax\]\]: escaped, so not a link.
    assert not any(r["target"] == "double bracket syntax" for r in rows)


def test_corpus_orphans_and_tags(corpus_index: tuple[str, str]) -> None:
    notes, index = corpus_index
    orphans = run("links", "--orphans", "--notes", notes, "--index", index, "--format", "plain")
    # No note links to HTML content.md (grep finds no [[HTML content ...]] anywhere).
    # Printed absolute: the vault is not below the working folder.
    html = os.path.join(notes, "Editing and formatting", "HTML content.md")
    assert html in orphans.stdout.splitlines()
    tags = run("tags", "--notes", notes, "--index", index, "--format", "plain")
    # Tags.md "Tag format" writes #camelCase, #PascalCase, #snake_case, #kebab-case, #y1984.
    names = {line.split("\t")[0] for line in tags.stdout.splitlines()}
    assert {"camelcase", "pascalcase", "snake_case", "kebab-case", "y1984"} <= names
    assert "1984" not in names


def test_corpus_show_section(corpus_index: tuple[str, str]) -> None:
    notes, index = corpus_index
    result = run("show", "Tags#Nested tags", "--notes", notes, "--index", index)
    assert result.exit_code == 0
    assert result.stdout.startswith("## Nested tags\n")
