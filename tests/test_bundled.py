"""The bundled sample notes (./notes, copied by the `bundled` fixture): build and export.

Facts checked here were read from notes/sagemaker/sagemaker.md and
notes/mlops/mlops-monitoring.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from notesearch import build_index
from notesearch.cli import cli

SEED = "sagemaker/sagemaker.md"


@pytest.fixture
def exported(bundled: Path, tmp_path: Path) -> tuple[list[dict[str, Any]], str]:
    """(records, raw stdout) of `notesearch export` over a fresh index of the bundled notes."""
    index = tmp_path / "index"
    stats = build_index(bundled, index)
    assert stats.notes == 11
    assert stats.skipped == 0
    assert stats.warnings == []
    result = CliRunner().invoke(cli, ["export", "--notes", str(bundled), "--index", str(index)])
    assert result.exit_code == 0
    assert result.stderr == ""
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == stats.sections
    return records, result.stdout


def _section(records: list[dict[str, Any]], path: str, heading: str) -> dict[str, Any]:
    found = [r for r in records if r["path"] == path and r["heading"] == heading]
    assert len(found) == 1, f"{path} has {len(found)} sections headed {heading!r}"
    return found[0]


def test_every_note_is_exported(exported: tuple[list[dict[str, Any]], str], bundled: Path) -> None:
    records, _ = exported
    on_disk = {p.relative_to(bundled).as_posix() for p in bundled.rglob("*.md")}
    assert {r["path"] for r in records} == on_disk


def test_gotchas_section_tags(exported: tuple[list[dict[str, Any]], str]) -> None:
    records, _ = exported
    # sagemaker.md:3 "**Tags:** `#core` `#important` `#hands-on`" (under the H1: note tags)
    # sagemaker.md:71 "## Gotchas `#gotcha`"
    gotchas = _section(records, SEED, "Gotchas")
    assert {"gotcha", "core", "important", "hands-on"} <= set(gotchas["tags"])
    assert gotchas["level"] == 2
    assert gotchas["breadcrumb"] == ["Amazon SageMaker"]
    assert gotchas["anchor"] == "gotchas"
    assert gotchas["line"] == 71
    assert "Training data must be in S3" in gotchas["text"]


def test_built_in_algorithms_heading_is_clean(exported: tuple[list[dict[str, Any]], str]) -> None:
    records, _ = exported
    # sagemaker.md:18 "### Built-in Algorithms `#exam-tip`"
    section = _section(records, SEED, "Built-in Algorithms")
    assert "exam-tip" in section["tags"]
    assert section["breadcrumb"] == ["Amazon SageMaker", "Core Components"]
    assert section["anchor"] == "built-in-algorithms"
    assert not [r["heading"] for r in records if "`" in r["heading"] or "#" in r["heading"]]


def test_mojibake_is_repaired(exported: tuple[list[dict[str, Any]], str]) -> None:
    records, stdout = exported
    # sagemaker.md:34 "**ðŸ“– For transfer learning ..." (UTF-8 read as cp1252 on disk)
    section = _section(records, SEED, "Advanced Training Features")
    assert "📖 For transfer learning and fine-tuning" in section["text"]
    assert "ðŸ" not in stdout
    assert not [r for r in records if "ðŸ" in json.dumps(r, ensure_ascii=False)]


def test_relative_links_resolve(exported: tuple[list[dict[str, Any]], str]) -> None:
    records, _ = exported
    # sagemaker.md:34 "[SageMaker Training & Fine-Tuning](./sagemaker-training.md)"
    section = _section(records, SEED, "Advanced Training Features")
    links = {link["raw"]: link for link in section["links"]}
    assert links["./sagemaker-training.md"]["path"] == "sagemaker/sagemaker-training.md"
    assert links["./sagemaker-training.md"]["exists"] is True
    assert links["./sagemaker-training.md"]["kind"] == "markdown"
    assert links["./sagemaker-training.md"]["line"] == 34
    # sagemaker.md:58 "[MLOps CI/CD](../mlops/mlops-cicd.md)"
    pipelines = _section(records, SEED, "SageMaker Pipelines")
    (cicd,) = pipelines["links"]
    assert (cicd["path"], cicd["exists"], cicd["outside"]) == ("mlops/mlops-cicd.md", True, False)
    # sagemaker.md:77-86: ten related-topic links, all to notes that exist
    related = _section(records, SEED, "Related Topics")
    assert len(related["links"]) == 10
    assert all(link["exists"] for link in related["links"])


def test_the_one_broken_link(exported: tuple[list[dict[str, Any]], str]) -> None:
    records, _ = exported
    broken = [
        (r["path"], link)
        for r in records
        for link in r["links"]
        if link["kind"] != "external" and not link["exists"]
    ]
    # mlops-monitoring.md:87 "[Data Wrangler](../sagemaker/sagemaker-data-wrangler.md)"
    assert len(broken) == 1
    path, link = broken[0]
    assert path == "mlops/mlops-monitoring.md"
    assert link["raw"] == "../sagemaker/sagemaker-data-wrangler.md"
    assert link["path"] == "sagemaker/sagemaker-data-wrangler.md"
    assert link["line"] == 87
    assert (link["exists"], link["outside"]) == (False, False)
