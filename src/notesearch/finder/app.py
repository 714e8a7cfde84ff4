"""The finder: a Textual app over a :class:`~notesearch.live.Session`.

Keys go to actions here; every search, preview, pick and link is asked of the
session (the use-case layer), on a background thread for searches (see
:mod:`.searcher`). The app only shows answers, and only the newest.
"""

from __future__ import annotations

import os
from typing import ClassVar, Literal

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Input, Static

from ..errors import NotesearchError
from ..live import Answer, Session
from ..models import Hit
from ..paths import PathDisplay
from ..sanitize import clean_line
from .editing import edit
from .failures import OneLineErrors
from .keys import KEY_LINE, KEY_LINE_PRINT, KEYS
from .memory import Collector
from .messages import Answered
from .preview import Preview
from .results import Item, ResultList
from .searcher import Latest
from .status import StatusLine
from .widgets import HelpScreen, Line, QueryLine, hit_prompt, suggestion_prompt

Mode = Literal["edit", "print", "print-line"]
MORE = 50  # sections fetched once the cursor nears the end of the first page
SPELL_PAUSE = 0.25  # seconds without a key before a misspelling is looked up
NARROW = 100  # below this many columns the preview goes below the results
EXIT_CHOSEN, EXIT_NOTHING, EXIT_INTERRUPTED = 0, 1, 130
EMPTY_HINT = 'words, "a phrase", AND OR NOT, prefix*, fuzzy~, title:, #tag, -#tag · F1 keys'


class FinderApp(OneLineErrors):
    """``notesearch find``. ``mode``: open the editor on Enter, or print the choice and leave."""

    CSS = """
    #top { height: 1; }
    #prompt { width: 2; color: $accent; text-style: bold; }
    QueryLine { border: none; height: 1; padding: 0; background: $background; }
    QueryLine:focus { border: none; }
    #hint { height: 1; color: $text 60%; }
    #main { height: 1fr; layout: horizontal; }
    #results { width: 3fr; height: 100%; border: round $primary 60%; padding: 0 1; }
    #preview { width: 2fr; height: 100%; border: round $secondary 60%; padding: 0 1; }
    Screen.narrow #main { layout: vertical; }
    Screen.narrow #results, Screen.narrow #preview { width: 100%; height: 1fr; }
    """
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(k.keys, k.action, k.does, show=False, priority=True) for k in KEYS
    ]

    def __init__(
        self,
        session: Session,
        paths: PathDisplay,
        *,
        query: str = "",
        mode: Mode = "edit",
        color: bool = True,
        debounce: float = 0.03,
        poll: float = 1.0,
        stale_every: float = 10.0,
    ) -> None:
        # Textual reads NO_COLOR when the app is made: the one colour decision sets it.
        if color:
            os.environ.pop("NO_COLOR", None)
        else:
            os.environ["NO_COLOR"] = "1"
        super().__init__()
        self.session, self.paths, self.mode = session, paths, mode
        self.initial, self.debounce = query, debounce
        self.poll_every, self.stale_every = poll, stale_every
        self.number = self.shown = 0  # of the newest search asked for, of the answer shown
        self.answer: Answer | None = None  # the answer shown
        self.chosen = False  # something was opened or chosen
        self._timer: Timer | None = None
        self._latest: Latest[tuple[str, bool, int | None], Answer] = Latest(
            lambda job: session.search(job[0], spell=job[1], limit=job[2]), self._answered_elsewhere
        )
        self._more = False  # the longer list was asked for, for this query
        self._spell: Timer | None = None
        self.memory = Collector()
        self._preview_due = False  # a preview waits for the results' frame

    def compose(self) -> ComposeResult:
        # Kept, not looked up: a timer may fire while the help screen is on top.
        self.entry = QueryLine(value=self.initial, placeholder="search the notes", id="query")
        self.hint_line = Line(EMPTY_HINT, id="hint")
        self.result_list = ResultList(id="results")
        self.preview_pane = Preview(id="preview")
        self.status_line = StatusLine(KEY_LINE if self.mode == "edit" else KEY_LINE_PRINT)
        with Horizontal(id="top"):
            yield Static("›", id="prompt")
            yield self.entry
        yield self.hint_line
        with Horizontal(id="main"):
            yield self.result_list
            yield self.preview_pane
        yield self.status_line

    def on_mount(self) -> None:
        self.memory.start(self.set_interval)
        self.entry.focus()
        self._narrow(self.size.width)
        self.set_interval(self.poll_every, self._poll)
        self.set_interval(self.stale_every, self._check_stale)
        self.set_timer(0.5, self._check_stale)  # after the first frame: a stat of every note
        if self.initial:
            self._search_now(self.initial)

    def on_resize(self, event: events.Resize) -> None:
        self._narrow(event.size.width)

    def _narrow(self, width: int) -> None:
        self.screen.set_class(width < NARROW, "narrow")

    def on_unmount(self) -> None:
        self._latest.close()
        self.memory.stop()

    # ------------------------------------------------------------------ searching

    def on_input_changed(self, event: Input.Changed) -> None:
        self.number += 1
        for timer in (self._timer, self._spell):
            if timer is not None:
                timer.stop()
        number, text, self._more = self.number, event.value, False
        self._timer = self.set_timer(self.debounce, lambda: self._submit(number, text))

    def _search_now(self, text: str) -> None:
        """Search again now (the index changed, the editor came back), as long a list."""
        self.number += 1
        self._submit(self.number, text, False, MORE if self._more else None)

    def _submit(
        self, number: int, text: str, spell: bool = False, limit: int | None = None
    ) -> None:
        self._latest.submit(number, (text, spell, limit))

    def _answered_elsewhere(self, number: int, answer: Answer) -> None:
        self.post_message(Answered(number, answer))  # thread-safe

    def on_answered(self, message: Answered) -> None:
        if message.number != self.number:  # a newer query is on its way: drop this one
            return
        self.shown, answer = message.number, message.answer
        self.show(answer)
        if answer.outcome is not None and not answer.hits and not answer.spelled:
            # Nothing matched: a spelling suggestion, once typing pauses (it costs more).
            number, text = message.number, self.entry.value
            self._spell = self.set_timer(SPELL_PAUSE, lambda: self._submit(number, text, True))

    def show(self, answer: Answer) -> None:
        """Show an answer: the results, the count, the hints and the preview."""
        hint = self.hint_line
        if answer.error is not None:  # mid-typing: keep the last results, say why
            hint.show(answer.error)
            return
        before, self.answer = self.answer, answer
        moved = before is not None and answer.generation != before.generation
        outcome = answer.outcome
        items: list[Item] = []
        if outcome is not None and outcome.suggestion is not None:
            items.append(("suggest", suggestion_prompt(outcome.suggestion.corrected)))
        items += [(str(n), hit_prompt(hit, self._place(hit))) for n, hit in enumerate(answer.hits)]
        old = before.hits if before is not None else ()
        keep = bool(old) and before is not None and answer.line == before.line
        keep = keep and answer.hits[: len(old)] == old  # a longer list of the same query
        self.result_list.set_items(items, keep=keep)
        count = len(answer.hits)
        more = "+" if count >= (MORE if self._more else self.session.limit) else ""
        noun = "section" if count == 1 else "sections"
        ms = f"{answer.seconds * 1000:.0f} ms"
        self.status_line.count("" if answer.line.empty else f"{count}{more} {noun} · {ms}")
        notes = [*(outcome.warnings if outcome else ()), *answer.hints]
        hint.show(" · ".join(notes) if notes else EMPTY_HINT if answer.line.empty else "")
        self._preview_soon()
        self.memory.shown()
        if moved:
            self.say(f"index updated ({answer.generation})")
            self._check_stale()
            self.memory.renewed()

    def _place(self, hit: Hit) -> str:
        line = hit.snippet.line or hit.section.line
        return f"{self.paths.shown(hit.section.path)}:{line}"

    def _poll(self) -> None:
        """A new index generation (a watch or an index run): search again over it."""
        if self.session.moved():
            self._search_now(self.entry.value)

    # ------------------------------------------------------------------ preview and messages

    def selected(self) -> Hit | None:
        """The highlighted result (None on the suggestion line or with no results)."""
        if self.answer is None:
            return None
        chosen = self.result_list.highlighted_id
        return None if chosen is None or not chosen.isdigit() else self.answer.hits[int(chosen)]

    def on_result_list_highlighted(self, event: ResultList.Highlighted) -> None:
        self._preview()

    def _preview_soon(self) -> None:
        """The preview, drawn after the results' frame (as fzf's follows its list)."""
        if not self._preview_due:
            self._preview_due = True
            self.call_after_refresh(self._preview, True)

    def _preview(self, due: bool = False) -> None:
        if due and not self._preview_due:
            return  # drawn meanwhile (the cursor moved)
        self._preview_due = False
        hit, answer = self.selected(), self.answer
        if hit is None or answer is None:
            self.preview_pane.show("", frozenset(), None)
            return
        place, text = clean_line(self._place(hit)), self.session.preview(hit)
        self.preview_pane.show(text, answer.terms, self.session.spans, place)

    def say(self, message: str, *, alert: bool = False, seconds: float = 4.0) -> None:
        """A message in the key line for a few seconds."""
        self.status_line.say(message, alert=alert, seconds=seconds)

    def _check_stale(self) -> None:
        self.run_worker(self._stale_worker, thread=True, exclusive=True, group="stale")

    def _stale_worker(self) -> None:
        try:
            stale = self.session.staleness()
            self.session.known_tags()  # read now, not when a # is first typed
        except (OSError, NotesearchError):
            return
        self.call_from_thread(self.status_line.set_stale, stale)

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Over the help screen only Ctrl-C is ours; its own keys close it."""
        return action == "interrupt" or not isinstance(self.screen, HelpScreen)

    def action_move(self, delta: int) -> None:
        self.result_list.move(delta)
        self._near_the_end()

    def action_page(self, delta: int) -> None:
        self.result_list.page(delta)
        self._near_the_end()

    def _near_the_end(self) -> None:
        """The cursor nears the end of a full first page: ask for more sections."""
        results, answer = self.result_list, self.answer
        if answer is None or self._more or len(answer.hits) < self.session.limit:
            return
        if (results.highlighted or 0) >= len(results.items) - 3:
            self._more = True
            self._submit(self.number, self.entry.value, False, MORE)

    def action_choose(self) -> None:
        if self.result_list.highlighted_id == "suggest":
            self.action_accept()
            return
        hit = self.selected()
        if hit is None:
            return
        try:
            pick = self.session.pick(hit)
        except NotesearchError as exc:
            self.say(exc.one_line(), alert=True)
            return
        if self.mode != "edit":
            shown = self.paths.shown(hit.section.path)
            self.chosen = True
            self.exit(shown if self.mode == "print" else f"{shown}:{pick.line}", EXIT_CHOSEN)
            return
        failed = edit(self, pick)
        if failed:
            self.say(failed, alert=True)
        self.chosen = True
        self._search_now(self.entry.value)  # the note may have changed
        self._check_stale()

    def action_accept(self) -> None:
        """Replace the query's words with the suggested spelling (tag filters kept)."""
        answer = self.answer
        if answer is None or answer.outcome is None or answer.outcome.suggestion is None:
            return
        line = answer.line
        words = [answer.outcome.suggestion.corrected]
        words += [f"#{t}" for t in line.tags] + [f"-#{t}" for t in line.exclude_tags]
        query = self.entry
        query.value = " ".join(words)
        query.cursor_position = len(query.value)

    def action_copy_place(self) -> None:
        hit = self.selected()
        if hit is not None:
            place = self._place(hit)
            self.copy_to_clipboard(place)
            self.say(f"copied {place}")

    def action_copy_link(self) -> None:
        hit, answer = self.selected(), self.answer
        if hit is not None and answer is not None:
            link = self.session.link(hit, answer.hits)
            self.copy_to_clipboard(link)
            self.say(f"copied {link}")

    def action_toggle_preview(self) -> None:
        self.preview_pane.display = not self.preview_pane.display

    def action_refresh(self) -> None:
        self.say("updating the index …", seconds=600)
        self.run_worker(self._refresh_worker, thread=True, exclusive=True, group="refresh")

    def _refresh_worker(self) -> None:
        try:
            stats = self.session.refresh()
        except NotesearchError as exc:
            self.call_from_thread(self.say, exc.one_line(), alert=True)
            return
        self.call_from_thread(self._refreshed, stats.summary())

    def _refreshed(self, summary: str) -> None:
        self.say(summary)
        self._search_now(self.entry.value)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_leave(self) -> None:
        self.exit(None, EXIT_CHOSEN if self.chosen else EXIT_NOTHING)

    def action_interrupt(self) -> None:
        self.exit(None, EXIT_INTERRUPTED)
