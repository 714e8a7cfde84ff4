"""JSON Lines and JSON printers: the stable machine contract (see README)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

from ..models import Records, SearchResult, Section, Shown
from ..paths import PathDisplay
from ..sanitize import json_escape, json_unsafe

SCHEMA_VERSION = 1


def dumps(obj: Any) -> str:
    """JSON text that is safe on a terminal, valid UTF-8 and still valid JSON.

    json.dumps(ensure_ascii=False) leaves C1 controls (U+009B is a one-byte
    CSI on some terminals), DEL, every format character (bidi marks and
    overrides, zero-width characters, tag characters, the soft hyphen...),
    the Hangul fillers, line separators and lone surrogates (from undecodable
    file names) raw: each becomes a JSON escape (``\\u200b``; a surrogate
    pair above U+FFFF), so a JSON reader still gets the exact text. The set
    is the sanitizer's (:mod:`notesearch.sanitize`).
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))
    return json_unsafe().sub(lambda m: json_escape(ord(m.group(0))), text)


class JsonPrinter:
    """One object per line (``jsonl``) or one array (``json``)."""

    def __init__(
        self, out: IO[str], paths: PathDisplay | None = None, *, array: bool = False
    ) -> None:
        self.out = out
        self.paths = paths
        self.array = array
        self.count = 0

    def _emit(self, record: dict[str, Any]) -> None:
        record["schema_version"] = SCHEMA_VERSION
        line = dumps(record)
        if self.array:
            self.out.write(("[\n" if self.count == 0 else ",\n") + line)
        else:
            self.out.write(line + "\n")
        self.count += 1

    def hits(self, result: SearchResult) -> None:
        for hit in result.hits:
            record = hit.to_dict()
            record["rank"] = hit.rank
            self._emit(self._with_file(record))

    def sections(self, sections: Iterable[Section]) -> None:
        for section in sections:
            self._emit(self._with_file(section.to_dict()))

    def _with_file(self, record: dict[str, Any]) -> dict[str, Any]:
        """``path`` stays the note's id (relative to the notes folder); ``file`` is absolute."""
        if self.paths is not None:
            record["file"] = self.paths.file(record["path"])
        return record

    def records(self, records: Records) -> None:
        rows = records.rows if records.json_rows is None else records.json_rows
        for row in rows:
            self._emit(dict(row))

    def show(self, shown: Shown) -> None:
        self.sections(shown.sections)

    def markdown(self, text: str) -> None:
        self._emit({"markdown": text})

    def close(self) -> None:
        if self.array:
            self.out.write("[]\n" if self.count == 0 else "\n]\n")
        self.out.flush()
