"""One note file -> what the index stores: read, hash, parse, and the Whoosh documents.

Shared by the serial build (:mod:`.build`) and the worker processes
(:mod:`.workers`): both read and parse a note the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import NotARegularFile, NotesearchError
from ..models import Diagnostic, Note
from ..notes import tags as tagmod
from ..notes.discover import NoteFile
from ..notes.links import NoteSet
from ..notes.names import is_note_name, wiki_name
from ..notes.read import decode, read_note
from ..records import record, replace
from .highlight import words_of
from .tables import NoteEntry

WarningSink = Callable[[Diagnostic], None]


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@record(frozen=False)
class Outcome:
    """What became of one note that had to be read.

    ``kind`` is ``"changed"`` (parsed anew), ``"touched"`` (same content),
    ``"content"`` (skipped until the file changes) or ``"access"`` (skipped,
    tried again next time); ``entry`` is None for the last two.
    """

    kind: str
    diagnostics: list[Diagnostic]
    entry: NoteEntry | None = None
    hashed: str = ""


def examine(
    root: Path, note_file: NoteFile, old: NoteEntry | None, max_bytes: int
) -> tuple[Outcome, Note | None]:
    """Read one note and, if its content changed, parse it."""
    diags: list[Diagnostic] = []
    loaded = _load(root, note_file, max_bytes, diags.append)
    if isinstance(loaded, str):
        return Outcome(loaded, diags), None
    data, text, read_diags = loaded
    diags += read_diags
    hashed = digest(data)
    if old is not None and old.digest == hashed:  # touched, not changed
        touched = replace(old, size=note_file.size, mtime_ns=note_file.mtime_ns)
        return Outcome("touched", diags, touched, hashed), None
    from ..notes.parse import parse_note

    try:
        note, parse_diags = parse_note(note_file.path, text)
    except Exception as exc:  # a parser bug must not stop the other notes
        diags.append(
            Diagnostic(
                f"could not be parsed ({type(exc).__name__}: {exc}); skipped", note_file.path
            )
        )
        return Outcome("content", diags), None
    diags += parse_diags
    return Outcome("changed", diags, _entry(note_file, hashed, note), hashed), note


def _load(
    root: Path, note_file: NoteFile, max_bytes: int, warn: WarningSink
) -> tuple[bytes, str, list[Diagnostic]] | str:
    """Read and decode one note, or say why it is skipped (with a warning).

    The reason is ``"content"`` when the file itself is the problem (too
    large, binary, undecodable: remembered until the file changes) and
    ``"access"`` when reading it failed (tried again on the next run).
    """
    if note_file.size > max_bytes:
        warn(Diagnostic(f"larger than the {max_bytes} byte limit; skipped", note_file.path))
        return "content"
    try:
        data = read_note(str(root), note_file.path, max_bytes)
    except NotARegularFile as exc:
        warn(Diagnostic(f"{exc}; skipped", note_file.path))
        return "access"
    except OSError as exc:
        warn(Diagnostic(f"cannot be read ({exc.strerror or exc}); skipped", note_file.path))
        return "access"
    if len(data) > max_bytes:
        warn(Diagnostic(f"larger than the {max_bytes} byte limit; skipped", note_file.path))
        return "content"
    try:
        decoded = decode(data)
    except NotesearchError as exc:
        warn(Diagnostic(f"{exc}; skipped", note_file.path))
        return "content"
    diags = [Diagnostic(decoded.warning, note_file.path)] if decoded.warning else []
    return data, decoded.text, diags


def _entry(note_file: NoteFile, hashed: str, note: Note) -> NoteEntry:
    all_tags = tagmod.unique(t for s in note.sections for t in s.tags)
    return NoteEntry(
        size=note_file.size,
        mtime_ns=note_file.mtime_ns,
        digest=hashed,
        title=note.title,
        aliases=list(note.aliases),
        tags=list(all_tags),
        note_tags=list(note.tags),
        anchors=list(note.anchors),
        sections=len(note.sections),
        links=sum(len(s.links) for s in note.sections),
    )


def documents(note: Note, note_set: NoteSet, aliases: Iterable[str]) -> Iterable[dict[str, Any]]:
    title_text = " ".join([note.title, *aliases])
    title_words = words_of(note.title)
    for ordinal, section in enumerate(note.sections):
        targets: list[str] = []
        for link in section.links:
            targets.append(link.raw)
            if link.kind == "external":
                continue
            # A wiki link's note depends on which notes exist, so it is
            # indexed by the name as written (plus ".md"), which stays true
            # when the target note is created later.
            path = link.path or wiki_name(link.raw)
            if path:
                name = path.rsplit("/", 1)[-1]
                stem = name.rsplit(".", 1)[0] if is_note_name(name) else name
                targets += [path, name, stem, stem + ".md"]
                resolved = note_set.resolve(link, note.path).path
                if resolved:
                    targets.append(resolved)
        yield {
            "note": note.path,
            "path": note.path,
            "title": title_text,
            "heading": section.heading,
            # The title counts once per note: in its first section's body
            # (a title word matched every section of the note, each with
            # nothing to highlight); the ranking adds it to the others' coverage.
            "body": f"{title_text}\n{section.heading}\n{section.text}"
            if ordinal == 0
            else f"{section.heading}\n{section.text}",
            "tag": ",".join(tagmod.expand(section.tags)),
            "link": ",".join(t.replace(",", " ") for t in targets),
            "data": _stored(section, title_words),
        }


def _stored(section: Any, title_words: list[str]) -> dict[str, Any]:
    """The Section record, plus the terms of its title and heading for the ranking."""
    record: dict[str, Any] = section.to_dict()
    record["title_words"] = title_words
    record["heading_words"] = words_of(" ".join([*section.breadcrumb, section.heading]))
    for link in record["links"]:
        del link["exists"]  # worked out when read, against the notes present then
    return record
