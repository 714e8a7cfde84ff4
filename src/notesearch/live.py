"""A live search session: what ``notesearch find`` asks for as the user types.

:func:`read_line` reads the query line (``spot training #gotcha -#draft``)
into words and tag filters; :class:`Session` keeps one index open and
answers each line through :meth:`Vault.query <notesearch.vault.Vault.query>`,
reopening the index when a new generation is published (a running ``watch``
or ``index``). No terminal here: the finder shows what this returns.

    session = Session(Vault(Path("notes"), Path("index")))
    answer = session.search("spot training #gotcha")
    for hit in answer.hits:
        print(hit.section.path, session.pick(hit).line)
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from .errors import NotesearchError
from .models import Hit, IndexStats, Pick, QueryOutcome, QueryRequest, Span, Staleness
from .notes import tags as tagmod
from .records import record

if TYPE_CHECKING:
    from .engine.reader import Index
    from .vault import Vault

# A word of the query line that is a tag filter: #tag, or -#tag to exclude.
_TAG_WORD = re.compile(r"(-?)#(\S+)")
_KEPT = 64  # answers kept
_WORD = re.compile(r'"[^"]*"?|\S+')  # a quoted phrase (even unclosed) or a word


@record
class Line:
    """The query line read: the words to search and the tag filters typed among them.

    ``typing`` is a ``#tag`` still being typed (the last word, no known tag
    of that name yet): not applied, so the results do not empty meanwhile.
    """

    text: str
    tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    typing: str | None = None

    @property
    def empty(self) -> bool:
        return not self.text and not self.tags and not self.exclude_tags


def read_line(line: str, known_tags: set[str] | frozenset[str] = frozenset()) -> Line:
    """Split the tag filters (``#tag``, ``-#tag``) out of a query line.

    Words inside double quotes are never tags. With no words left, every
    section with the tags is searched (``*``).
    """
    words: list[str] = []
    tags: list[str] = []
    excluded: list[str] = []
    typing = None
    matches = list(_WORD.finditer(line))
    for n, match in enumerate(matches):
        word = match.group(0)
        tag = _TAG_WORD.fullmatch(word)
        name = tagmod.normalize(tag.group(2)) if tag else None
        if tag is None or name is None:
            words.append(word)
            continue
        last = n == len(matches) - 1 and not line[match.end() :]
        if last and known_tags and name not in known_tags:
            typing = name
            continue
        (excluded if tag.group(1) else tags).append(name)
    text = " ".join(words)
    if not text and (tags or excluded):
        text = "*"
    return Line(text, tuple(tags), tuple(excluded), typing)


@record
class Answer:
    """What one query line found (``outcome``), or why it could not run (``error``).

    ``terms`` are the index terms it matched, for highlighting other text
    (:meth:`Session.spans`); ``seconds`` is the time the search took.
    """

    line: Line
    outcome: QueryOutcome | None = None
    error: str | None = None
    terms: frozenset[str] = frozenset()
    seconds: float = 0.0
    generation: str = ""
    hints: tuple[str, ...] = ()
    spelled: bool = False  # a spelling suggestion was looked for

    @property
    def hits(self) -> tuple[Hit, ...]:
        return self.outcome.result.hits if self.outcome is not None else ()


class Session:
    """One index kept open for a run of searches; reopened when its generation changes.

    Methods may be called from several threads: the index is used under a lock.
    """

    def __init__(self, vault: Vault, *, limit: int = 10, per_note: int = 3) -> None:
        """Opens the index now (IndexMissingError and friends are raised here)."""
        self.vault = vault
        self.limit = limit
        self.per_note = per_note
        self._lock = threading.RLock()
        vault.require_notes()
        self._index: Index = vault.open()
        self._known: set[str] | None = None
        self.reopened = 0  # how many new generations were picked up
        # The last answers, by what was asked: a trailing space or a backspace asks again.
        self._answers: OrderedDict[tuple[Line, bool, int, str], Answer] = OrderedDict()

    @property
    def generation(self) -> str:
        return self._index.generation.name

    def moved(self) -> bool:
        """True when a newer generation than the open one is live (cheap: one small read)."""
        from .engine import store

        try:
            live = store.current(self.vault.index_dir)
        except NotesearchError:
            return False
        return live is not None and live != self._index.generation

    def _fresh(self) -> Index:
        """The open index, reopened first when a new generation is live."""
        if self.moved():
            try:
                new = self.vault.open()
            except NotesearchError:
                return self._index  # keep answering from the last good generation
            old, self._index, self._known = self._index, new, None
            old.close()
            self.reopened += 1
        return self._index

    def known_tags(self) -> set[str]:
        with self._lock:
            if self._known is None:
                self._known = self._fresh().known_tags()
            return self._known

    def search(self, line: str, *, spell: bool = True, limit: int | None = None) -> Answer:
        """The answer to one query line; a syntax error is an answer too, never raised.

        ``spell`` False leaves out the spelling suggestion when nothing matched
        (it costs more than the search: ask for it when typing pauses). ``limit``:
        the most sections (the session's ``limit`` when None).
        """
        started = time.perf_counter()
        with self._lock:
            idx = self._fresh()
            read = read_line(line, self.known_tags() if "#" in line else frozenset())
            hints = (f"#{read.typing} …",) if read.typing else ()
            if read.empty:
                return Answer(read, generation=self.generation, hints=hints)
            limit = limit or self.limit
            key = (read, spell, limit, self.generation)
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]  # with the time it took then
            request = QueryRequest(
                read.text,
                tags=read.tags,
                exclude_tags=read.exclude_tags,
                limit=limit,
                per_note=self.per_note,
            )
            try:
                outcome = self.vault.query(request, index=idx, spell=spell)
            except Exception as exc:  # the finder must keep running: said in one line
                from .printers.messages import describe

                error = describe(exc)[0]
                return Answer(read, error=error, generation=self.generation, hints=hints)
            seconds = time.perf_counter() - started
            terms = outcome.result.terms
            answer = Answer(read, outcome, None, terms, seconds, self.generation, hints, spell)
            self._answers[key] = answer
            if len(self._answers) > _KEPT:
                self._answers.popitem(last=False)
            return answer

    def staleness(self) -> Staleness:
        """How many notes changed since the open index was written (a stat walk)."""
        with self._lock:
            return self.vault.staleness(self._fresh())

    def refresh(self) -> IndexStats:
        """Update the index, then open its new generation."""
        stats = self.vault.refresh()
        with self._lock:
            self._fresh()
        return stats

    def spans(self, text: str, terms: frozenset[str]) -> list[Span]:
        """Where the words of ``text`` whose stems are among ``terms`` are."""
        from .engine.highlight import find_spans

        return find_spans(text, terms)

    def preview(self, hit: Hit) -> str:
        """The Markdown of the hit's section, read from its note (control characters escaped)."""
        from .notes.read import read_lines
        from .sanitize import clean_block

        section = hit.section
        with self._lock:
            kept = self._index.lines
        try:
            if kept is not None:  # the notes the snippets read, kept while the index is open
                lines = kept.read(section.path)
            else:
                lines = read_lines(str(self.vault.notes_dir), section.path)
        except (OSError, NotesearchError) as exc:
            return f"*cannot read {clean_block(section.path)}: {exc}*"
        return clean_block("\n".join(lines[section.line - 1 : section.end_line]))

    def pick(self, hit: Hit) -> Pick:
        """The file, line and column to open for ``hit`` (as ``notesearch open`` opens them).

        Raises:
            UnreadableNoteError: the note's file is gone, or is no longer a regular file.
        """
        from .notes.read import check_for_editor

        check_for_editor(str(self.vault.notes_dir), hit.section.path)
        line = hit.snippet.line or hit.section.line
        column = hit.snippet.column if hit.snippet.line else None
        return Pick(hit, os.path.abspath(self.vault.notes_dir / hit.section.path), line, column)

    def link(self, hit: Hit, among: tuple[Hit, ...] = ()) -> str:
        """A link to the hit's section: ``[[Note#Heading]]`` in a wiki-link vault, else
        ``[Heading](path.md#anchor)`` relative to the notes folder."""
        section = hit.section
        if self._wiki(among or (hit,)):
            with self._lock:
                notes = list(self._fresh().table.notes)
            stem = _stem(section.path)
            twins = sum(1 for p in notes if _stem(p) == stem)
            name = stem if twins <= 1 else section.path.rsplit(".", 1)[0]
            return f"[[{name}#{section.heading}]]" if section.heading else f"[[{name}]]"
        target = quote(section.path) + (f"#{section.anchor}" if section.heading else "")
        label = section.heading or section.title or _stem(section.path)
        return f"[{label}]({target})"

    def _wiki(self, hits: tuple[Hit, ...]) -> bool:
        """Whether this vault links with ``[[wiki links]]``: Obsidian's setting when there is
        one, else what the links of these sections use most."""
        app = Path(self.vault.notes_dir) / ".obsidian" / "app.json"
        try:
            if app.is_file():
                return '"useMarkdownLinks": true' not in app.read_text("utf-8")
        except OSError:
            pass
        kinds = [link.kind for h in hits for link in h.section.links if link.kind != "external"]
        wiki = sum(1 for kind in kinds if kind in ("wiki", "embed"))
        return bool(kinds) and wiki * 2 > len(kinds)

    def close(self) -> None:
        with self._lock:
            self._index.close()


def _stem(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name
