"""The MCP server: the notes as tools for AI assistants, over stdio (the only ``mcp`` importer
with :mod:`notesearch.assist`).

Each tool call runs on a worker thread of the SDK and opens the live index
(a :class:`~notesearch.vault.Vault` method per call), so a generation written
meanwhile is picked up by the next call. With ``watch`` on, a background
thread keeps the index fresh as ``notesearch watch`` does; readers never wait
for it (they read the last good generation). Nothing but protocol messages
goes to stdout: the SDK points file descriptor 1 at stderr while it serves,
and our own lines go to stderr.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal, TypeVar, cast

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from ..errors import IndexDamagedError, IndexMissingError, NoteNotFoundError, NotesearchError
from ..models import IndexStats
from ..printers import messages
from ..vault import Vault
from .records import (
    BrokenLinksAnswer,
    LinksAnswer,
    SearchAnswer,
    ShowAnswer,
    StatusAnswer,
    TagsAnswer,
)
from .tools import MAX_RESULTS, MAX_SHOW_CHARS, SHOW_CHARS, Tools

F = TypeVar("F", bound=Callable[..., Any])
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True)

INSTRUCTIONS = """\
Search and read the user's Markdown notes. Results are sections (a heading and its text),
each with its note's path and exact line range. Typical use: `search` for the words of the
question, then `show` the best section (by path and anchor) to read it in full. `tags` lists
the tags to filter on; `links` follows links between notes; `status` says how fresh the index is.
"""

NOTE_HINT = (
    "Name a note by its path as `search` returns it (e.g. folder/note.md), its file name, "
    "its title or an alias; `search` finds it by its words."
)


class Watcher:
    """Keeps the index fresh in a background thread until :meth:`stop`."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.stop_event = threading.Event()
        self.ready = threading.Event()
        self.problem: str | None = None
        self.thread = threading.Thread(target=self._run, name="notesearch-watch", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=5)

    def _run(self) -> None:
        try:
            self.vault.watch(
                on_update=self._updated,
                on_warning=lambda diag: messages.warn(str(diag), sys.stderr),
                on_ready=self._ready,
                stop_event=self.stop_event,
            )
        except NotesearchError as exc:
            self.problem = exc.one_line()
            messages.warn(f"not keeping the index fresh: {self.problem}", sys.stderr)
        except Exception as exc:  # a watch that dies must not take the answers with it
            self.problem = f"{type(exc).__name__}: {exc}"
            messages.warn(f"not keeping the index fresh: {self.problem}", sys.stderr)
        finally:
            self.ready.set()

    def _ready(self, stats: IndexStats) -> None:
        messages.say(f"{stats.summary()}; watching for changes", sys.stderr)
        self.ready.set()

    def _updated(self, stats: IndexStats) -> None:
        messages.say(
            f"updated: {stats.updated} updated, {stats.added} added, {stats.removed} removed "
            f"({stats.seconds:.2f} s)",
            sys.stderr,
        )


def _answering(watcher: Watcher | None, func: F) -> F:
    """Run a tool; a NotesearchError becomes a tool error the model can act on."""

    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except IndexMissingError as exc:
            if watcher is not None and not watcher.ready.is_set():
                raise ToolError(
                    "the index is being built for the first time; try again in a few seconds"
                ) from exc
            raise ToolError(exc.one_line()) from exc
        except NoteNotFoundError as exc:  # its hint is a shell command: say what a tool can do
            raise ToolError(f"{exc}. {NOTE_HINT}") from exc
        except NotesearchError as exc:
            raise ToolError(exc.one_line()) from exc
        except Exception as exc:  # a damaged index trips Whoosh: say so, as the CLI does
            damage = IndexDamagedError.raised_inside_whoosh(exc)
            if damage is None:
                raise
            raise ToolError(damage.one_line()) from exc

    return call  # type: ignore[return-value]


def build_server(tools: Tools, watcher: Watcher | None = None) -> MCPServer[Any]:
    """The MCP server with the notesearch tools (``watcher`` runs while it serves)."""

    @asynccontextmanager
    async def lifespan(server: MCPServer[Any]) -> AsyncIterator[None]:
        if watcher is not None:
            watcher.start()
        try:
            yield None
        finally:
            if watcher is not None:
                watcher.stop()

    from importlib.metadata import version

    server: MCPServer[Any] = MCPServer(
        "notesearch",
        title="notesearch: the user's Markdown notes",
        instructions=INSTRUCTIONS,
        version=version("notesearch"),
        log_level="WARNING",
        lifespan=lifespan,
    )
    wrap = _answering

    def search(
        query: Annotated[
            str,
            Field(
                description='Words to find. Also: "exact phrase", AND, OR, NOT, -word, '
                "prefix*, field:word (heading:, title:, tag:, path:)."
            ),
        ],
        tags: Annotated[
            list[str] | None, Field(description="Sections must carry all of these tags.")
        ] = None,
        any_tags: Annotated[
            list[str] | None, Field(description="Sections must carry at least one of these tags.")
        ] = None,
        exclude_tags: Annotated[
            list[str] | None, Field(description="Leave out sections with any of these tags.")
        ] = None,
        path: Annotated[
            str | None,
            Field(description="Only notes whose path matches this glob, e.g. 'sagemaker/*'."),
        ] = None,
        limit: Annotated[int, Field(ge=1, le=MAX_RESULTS, description="How many sections.")] = 10,
    ) -> SearchAnswer:
        """Full-text search of the user's notes; returns ranked sections, best first.

        Each result is one section: `path` (the note, relative to the notes folder; pass it
        to `show`), `file` (absolute), `line`-`end_line` (1-based, inclusive), `heading`,
        `breadcrumb` (the headings above it), `anchor`, `tags`, `score`, `snippet` with
        `highlights` (character offsets of the matched words), and `text` (the section's
        text, cut at 1,500 characters: `text_truncated`). `warnings` say when the index is
        behind the notes; `suggestion` is a corrected spelling when nothing matched.
        """
        return cast(SearchAnswer, tools.search(query, tags, any_tags, exclude_tags, path, limit))

    def show(
        note: Annotated[
            str,
            Field(
                description="The note: its path (as `search` returns it), file name, title or "
                "alias; may end in #anchor."
            ),
        ],
        anchor: Annotated[
            str | None,
            Field(
                description="A heading's anchor (e.g. 'gotchas') or its text: only that section."
            ),
        ] = None,
        line: Annotated[
            int | None, Field(ge=1, description="Only the section that holds this line.")
        ] = None,
        max_chars: Annotated[
            int, Field(ge=200, le=MAX_SHOW_CHARS, description="Longest Markdown returned.")
        ] = SHOW_CHARS,
    ) -> ShowAnswer:
        """Read a note as Markdown: one section (with its subsections) or the whole note.

        Returns `markdown`, the `path`, and the `line`-`end_line` range it covers in the
        file; `truncated` is true when the text was cut at `max_chars` (it then covers lines
        `line`-`shown_end_line`: ask for a subsection, or a larger `max_chars`). `sections`
        lists the headings shown, with their anchors and line ranges.
        """
        return cast(ShowAnswer, tools.show(note, anchor, line, max_chars))

    def tags() -> TagsAnswer:
        """Every tag in the notes, with how many notes and sections carry it.

        `tags` is the flat list (name, notes, sections); `tree` the nested tags (aws/s3 under
        aws, whose counts include their children). Use the names in `search`'s tag filters.
        """
        return cast(TagsAnswer, tools.tags())

    def links(
        note: Annotated[str, Field(description="The note: path, file name, title or alias.")],
        direction: Annotated[
            Literal["out", "in"],
            Field(description="'out': the links in this note; 'in': the notes linking to it."),
        ] = "out",
    ) -> LinksAnswer:
        """A note's outgoing links (target, whether it exists) or its backlinks.

        Each link has `source` (the note it is in), `line`, `heading` (the section it is in),
        `target` (as written), `path` (the note it resolves to) and `exists`. At most 100 are
        listed; `count` is how many there are.
        """
        return cast(LinksAnswer, tools.links(note, direction))

    def broken_links() -> BrokenLinksAnswer:
        """Every link whose note, file or #heading is missing: `source` note, `line`, `heading`,
        `target` and `reason`. At most 100 are listed; `count` is how many there are."""
        return cast(BrokenLinksAnswer, tools.broken_links())

    def status() -> StatusAnswer:
        """The index: how many notes and sections, its generation, when it was written
        (`indexed_at`, UTC), and whether notes changed since (`stale`, with counts)."""
        answer = tools.status()
        answer["watching"] = watcher is not None and watcher.problem is None
        if watcher is not None and watcher.problem is not None:
            answer["watch_problem"] = watcher.problem
        return cast(StatusAnswer, answer)

    for func in (search, show, tags, links, broken_links, status):
        server.add_tool(
            wrap(watcher, func),
            name=func.__name__,
            description=func.__doc__,
            annotations=READ_ONLY,
            structured_output=True,
        )
    return server


def run(vault: Vault, *, watch: bool = True) -> None:
    """Serve the notesearch tools over stdio until the client closes the connection."""
    watcher = Watcher(vault) if watch else None
    build_server(Tools(vault), watcher).run("stdio")
