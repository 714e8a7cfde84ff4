"""Sections start where CommonMark says a heading is: every example of the spec.

tests/fixtures/commonmark_headings.json has each of the CommonMark 0.31.2 spec's 652
examples with the headings of its expected HTML. A note made of the example has a
section for each of those headings, at that level with that text (a setext heading's
lines joined by a space), and no other.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from notesearch.notes.parse import parse_note

SPEC = Path(__file__).resolve().parents[1] / "fixtures" / "commonmark_headings.json"
EXAMPLES: list[dict[str, Any]] = json.loads(SPEC.read_text(encoding="utf-8"))["examples"]


def test_every_example_is_there() -> None:
    assert len(EXAMPLES) == 652
    assert sum(1 for example in EXAMPLES if example["headings"]) == 40


def test_headings_agree_with_commonmark() -> None:
    disagree = []
    for example in EXAMPLES:
        note, _ = parse_note("n.md", example["markdown"])
        found = [(s.level, s.heading) for s in note.sections if s.level > 0]
        expected = [(level, " ".join(text.split())) for level, text in example["headings"]]
        if found != expected:
            disagree.append((example["number"], example["markdown"], found, expected))
    assert disagree == []
