"""The finder, driven headless by Textual's pilot: type, move, choose, edit, resize."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.strip import Strip

from notesearch.finder.app import FinderApp
from notesearch.finder.preview import Preview
from notesearch.finder.results import ResultList
from notesearch.vault import Vault
from tests.finder.helpers import (
    SIZE,
    fake_editor,
    make_app,
    preview,
    results,
    settle,
    type_text,
)
from tests.helpers import write

pytestmark = pytest.mark.slow


def test_typing_shows_sections_with_a_preview(indexed: tuple[Path, Path]) -> None:
    async def main() -> None:
        app = make_app(*indexed)
        async with app.run_test(size=SIZE) as pilot:
            await type_text(pilot, "spot training #gotcha")
            await settle(app, pilot)
            shown = results(app)
            assert len(shown) == 1
            assert shown[0].startswith("notes/ml/training.md:5  Model Training › Spot Training")
            assert "#gotcha" in shown[0] and "Spot training requires checkpointing" in shown[0]
            text = preview(app)
            assert "Spot training requires checkpointing" in text
            assert app.query_one("#preview").first_match is not None
            assert app.query_one("#count").plain.startswith("1 section · ")  # type: ignore[attr-defined]

    asyncio.run(main())


def test_keys_move_the_selection(indexed: tuple[Path, Path]) -> None:
    async def main() -> None:
        app = make_app(*indexed, query="training")
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert len(results(app)) >= 3
            first = app.selected()
            await pilot.press("down")
            second = app.selected()
            assert second is not None and second != first
            await pilot.press("ctrl+p")
            assert app.selected() == first
            await pilot.press("ctrl+n", "ctrl+n")
            assert app.selected() == app.answer.hits[2]  # type: ignore[union-attr]
            await pilot.press("pageup")
            assert app.selected() == first
            await pilot.press("pagedown")
            assert app.selected() != first
            await pilot.press("tab")
            assert not app.query_one("#preview").display
            await pilot.press("tab")
            assert app.query_one("#preview").display

    asyncio.run(main())


def test_enter_opens_the_editor_at_the_line_and_comes_back(
    indexed: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = fake_editor(tmp_path / "bin")
    monkeypatch.setenv("VISUAL", str(tmp_path / "bin" / "vim"))

    async def main() -> None:
        app = make_app(*indexed, query="spot #gotcha")
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("enter")
            await settle(app, pilot)
            file = str(indexed[0] / "ml" / "training.md")
            assert record.read_text().splitlines() == ["+5", "--", file]
            assert app.is_running and results(app)  # back, with the results
            await pilot.press("escape")
        assert app.return_code == 0  # something was opened

    asyncio.run(main())


@pytest.mark.parametrize(
    ("mode", "printed"),
    [("print", "notes/ml/training.md"), ("print-line", "notes/ml/training.md:5")],
)
def test_print_modes_choose_and_leave(indexed: tuple[Path, Path], mode: str, printed: str) -> None:
    async def main() -> None:
        app = make_app(*indexed, mode=mode)
        async with app.run_test(size=SIZE) as pilot:
            await type_text(pilot, "spot #gotcha")
            await settle(app, pilot)
            await pilot.press("enter")
        assert (app.return_code, app.return_value) == (0, printed)

    asyncio.run(main())


@pytest.mark.parametrize(("key", "code"), [("escape", 1), ("ctrl+c", 130)])
def test_leaving_without_a_choice(indexed: tuple[Path, Path], key: str, code: int) -> None:
    async def main() -> None:
        app = make_app(*indexed, mode="print")
        async with app.run_test(size=SIZE) as pilot:
            await type_text(pilot, "training")
            await settle(app, pilot)
            await pilot.press(key)
        assert (app.return_code, app.return_value) == (code, None)

    asyncio.run(main())


def test_a_syntax_error_mid_typing_keeps_the_results(indexed: tuple[Path, Path]) -> None:
    async def main() -> None:
        app = make_app(*indexed)
        async with app.run_test(size=SIZE) as pilot:
            await type_text(pilot, "training")
            await settle(app, pilot)
            before = results(app)
            assert before
            await type_text(pilot, ' "spot')
            await settle(app, pilot)
            assert results(app) == before  # no flash to an empty list
            assert "unclosed" in app.query_one("#hint").plain  # type: ignore[attr-defined]
            await type_text(pilot, '"')
            await settle(app, pilot)
            assert "unclosed" not in app.query_one("#hint").plain  # type: ignore[attr-defined]

    asyncio.run(main())


def test_tag_filters_typed_in_the_line(indexed: tuple[Path, Path]) -> None:
    async def main() -> None:
        app = make_app(*indexed)
        async with app.run_test(size=SIZE) as pilot:
            await type_text(pilot, "training -#gotcha")
            await settle(app, pilot)
            assert results(app) and not any("Spot Training" in r for r in results(app))
            app.query_one("#query").value = ""  # type: ignore[attr-defined]
            await type_text(pilot, "#exam-tip")
            await settle(app, pilot)
            assert [r.split("  ")[0] for r in results(app)] == ["notes/ml/training.md:12"]
            app.query_one("#query").value = ""  # type: ignore[attr-defined]
            await type_text(pilot, "checkpoint #gotc")  # a tag still being typed: not applied
            await settle(app, pilot)
            assert len(results(app)) > 1
            assert "#gotc …" in app.query_one("#hint").plain  # type: ignore[attr-defined]

    asyncio.run(main())


def test_did_you_mean_is_the_first_line_and_a_key_accepts_it(indexed: tuple[Path, Path]) -> None:
    async def main() -> None:
        app = make_app(*indexed)
        async with app.run_test(size=SIZE) as pilot:
            await type_text(pilot, "quoka")
            await settle(app, pilot)
            for _ in range(100):  # looked up once typing pauses
                await pilot.pause(0.05)
                if results(app):
                    break
            assert results(app)[0].startswith("Did you mean: quokka")
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert app.query_one("#query").value == "quokka"  # type: ignore[attr-defined]
            assert results(app)[0].startswith("notes/zebra.md:")

    asyncio.run(main())


def test_a_new_generation_is_picked_up_while_open(indexed: tuple[Path, Path]) -> None:
    notes, index = indexed

    async def main() -> None:
        app = make_app(notes, index)
        async with app.run_test(size=SIZE) as pilot:
            await type_text(pilot, "wombat")
            await settle(app, pilot)
            assert results(app)[:1] != ["notes/wombat.md:1"]
            write(notes, "wombat.md", "# Wombat\n\nA wombat digs burrows.\n")
            await asyncio.to_thread(Vault(notes, index).refresh)  # as a watch would
            for _ in range(100):
                await pilot.pause(0.05)
                if any(r.startswith("notes/wombat.md:") for r in results(app)):
                    break
            assert results(app)[0].startswith("notes/wombat.md:")
            assert app.session.reopened == 1

    asyncio.run(main())


def test_a_stale_index_is_flagged_and_refreshed(indexed: tuple[Path, Path]) -> None:
    notes, index = indexed

    async def main() -> None:
        app = make_app(notes, index)
        async with app.run_test(size=SIZE) as pilot:
            write(notes, "new.md", "# Numbat\n\nA numbat eats termites.\n")
            keys = app.query_one("#keys")
            for _ in range(100):
                await pilot.pause(0.05)
                if "out of date" in keys.plain:  # type: ignore[attr-defined]
                    break
            assert "1 new" in keys.plain and "Ctrl-R" in keys.plain  # type: ignore[attr-defined]
            await pilot.press("ctrl+r")
            await type_text(pilot, "numbat")
            for _ in range(100):
                await pilot.pause(0.05)
                if results(app) and results(app)[0].startswith("notes/new.md:"):
                    break
            assert results(app)[0].startswith("notes/new.md:")

    asyncio.run(main())


def test_80x24_puts_the_preview_below_and_resizing_moves_it(indexed: tuple[Path, Path]) -> None:
    async def main() -> None:
        app = make_app(*indexed, query="training")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            assert app.screen.has_class("narrow")
            results_region = app.query_one("#results").region
            preview_region = app.query_one("#preview").region
            assert preview_region.y >= results_region.bottom and preview_region.height >= 5
            assert results_region.height >= 5
            assert app.query_one("#count").region.right <= 80
            await pilot.resize_terminal(120, 35)
            await pilot.pause(0.1)
            assert not app.screen.has_class("narrow")
            assert app.query_one("#preview").region.x >= app.query_one("#results").region.right
            assert "training" in preview(app).lower()

    asyncio.run(main())


def test_copies_place_and_link_and_shows_help(indexed: tuple[Path, Path]) -> None:
    async def main() -> None:
        app = make_app(*indexed, color=False)
        async with app.run_test(size=SIZE) as pilot:
            assert app.no_color
            await pilot.press("question_mark")  # on an empty line: the keys
            assert type(app.screen).__name__ == "HelpScreen"
            await pilot.press("escape")
            assert app.is_running and type(app.screen).__name__ != "HelpScreen"
            await type_text(pilot, "spot #gotcha")
            await settle(app, pilot)
            await pilot.press("ctrl+y")
            assert app.clipboard == "notes/ml/training.md:5"
            await pilot.press("ctrl+l")
            assert app.clipboard == "[Spot Training](ml/training.md#spot-training)"
            await pilot.press("f1")
            assert type(app.screen).__name__ == "HelpScreen"

    asyncio.run(main())


def test_more_results_when_the_cursor_nears_the_end(indexed: tuple[Path, Path]) -> None:
    async def main() -> None:
        app = make_app(*indexed, limit=2, query="training")
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert len(results(app)) == 2
            await pilot.press("down")
            for _ in range(100):
                await pilot.pause(0.05)
                if len(results(app)) > 2:
                    break
            assert len(results(app)) > 2
            assert app.selected() == app.answer.hits[1]  # type: ignore[union-attr]

    asyncio.run(main())


def _panes(app: FinderApp) -> tuple[ResultList, Preview]:
    return app.query_one("#results", ResultList), app.query_one("#preview", Preview)


def _drawn(app: FinderApp) -> list[list[Strip]]:
    """The result list and the preview as they are on screen (what each kept drawn)."""
    return [pane.render_lines(pane.size.region) for pane in _panes(app)]


def _redrawn(app: FinderApp) -> list[list[Strip]]:
    """The result list and the preview drawn again from nothing."""
    results, preview = _panes(app)
    results._strips.clear()
    preview._marked.clear()
    preview._matched.clear()
    for pane in (results, preview):
        pane._styles_cache.clear()
    return _drawn(app)


def test_only_what_changed_is_redrawn_and_the_screen_is_right(indexed: tuple[Path, Path]) -> None:
    """After each answer, each move, what is on screen is what drawing it all again draws."""

    async def main() -> None:
        app = make_app(*indexed)
        async with app.run_test(size=SIZE) as pilot:
            for typing, keys in [
                ("train", ()),
                ("ing", ("down",)),  # the second result highlighted, then the next answer
                (" checkpoint", ("backspace",) * 6),
                ("", ("down", "down", "up")),
                (" #gotcha", ()),
            ]:
                for key in [*typing, *keys]:
                    await pilot.press(key)
                    await settle(app, pilot)
                    await pilot.pause()
                    drawn = _drawn(app)
                    assert drawn == _redrawn(app), (app.entry.value, key)
            assert app.entry.value == "training chec #gotcha"
            app.entry.value = ""
            for key in "spot training":  # the same section: the preview marks other words
                await pilot.press(key)
                await settle(app, pilot)
                await pilot.pause()
                assert _drawn(app) == _redrawn(app), (app.entry.value, key)

    asyncio.run(main())


def test_the_preview_title_is_the_place_as_written(notes: Path, tmp_path: Path) -> None:
    write(notes, "[draft] plan.md", "# Plan\n\nA wombat plan.\n")
    index = tmp_path / "index"
    Vault(notes, index).refresh()

    async def main() -> None:
        app = make_app(notes, index, query="wombat")
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            title = app.query_one("#preview", Preview)._border_title
            assert title is not None and title.plain == "notes/[draft] plan.md:3"

    asyncio.run(main())


def test_the_preview_follows_the_results_frame(indexed: tuple[Path, Path]) -> None:
    """New results are drawn first; their preview comes in the next frame, and a cursor
    move before then shows the section moved to, not the first."""

    async def main() -> None:
        app = make_app(*indexed)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            app.show(app.session.search("spot training", spell=False))
            assert app._preview_due  # asked for, not drawn yet
            assert "Spot training" not in preview(app)
            await pilot.pause()
            assert not app._preview_due
            assert "Spot training requires checkpointing" in preview(app)

            app.show(app.session.search("training", spell=False))
            app.action_move(1)  # before the preview of the first result is drawn
            second = app.selected()
            assert second is not None and second != app.answer.hits[0]  # type: ignore[union-attr]
            await pilot.pause()
            assert not app._preview_due
            assert app.query_one("#preview", Preview)._markdown == app.session.preview(second)

    asyncio.run(main())
