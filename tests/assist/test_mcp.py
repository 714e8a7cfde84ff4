"""``notesearch mcp``: the real server over stdio, driven by the SDK's own client.

Each session test starts ``python -m notesearch mcp`` as an assistant would
(``mcp.client.stdio.stdio_client`` + ``ClientSession``) on a copy of the
bundled notes, with its own key folder (XDG_DATA_HOME, HOME) in tmp_path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from notesearch.models import Hit, Section, Snippet, Span

TOOLS = {"search", "show", "tags", "links", "broken_links", "status"}
Session = Any  # mcp.ClientSession (mcp is optional: imported in the tests that need it)


def _env(tmp_path: Path) -> dict[str, str]:
    """Where the subprocesses keep their key and config: inside tmp_path."""
    return {
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "HOME": str(tmp_path / "home"),
        "XDG_RUNTIME_DIR": os.environ.get("XDG_RUNTIME_DIR", str(tmp_path)),
    }


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **_env(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "notesearch", *args, "--notes", "notes", "--index", "index"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _session(tmp_path: Path, body: Callable[[Session], Awaitable[None]], *options: str) -> None:
    """Start the server with ``options``, initialize a client session and run ``body`` in it."""
    pytest.importorskip("mcp")
    import anyio
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "notesearch", "mcp", "--notes", "notes", "--index", "index", *options],
        cwd=str(tmp_path),
        # The code the CLI half of a test runs (_cli passes the whole environment on).
        env={**_env(tmp_path), **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"}},
    )

    async def main() -> None:
        with anyio.fail_after(60):
            async with (
                stdio_client(params, errlog=sys.stderr) as (read, write),
                ClientSession(read, write) as session,
            ):
                await session.initialize()
                await body(session)

    anyio.run(main)


async def _call(session: Session, name: str, **arguments: Any) -> dict[str, Any]:
    result = await session.call_tool(name, arguments)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    answer: dict[str, Any] = result.structured_content
    return answer


async def _error(session: Session, name: str, **arguments: Any) -> str:
    result = await session.call_tool(name, arguments)
    assert result.is_error
    text: str = result.content[0].text
    return text


@pytest.fixture
def indexed(bundled: Path, tmp_path: Path) -> Path:
    """The bundled notes, indexed by the command line with the subprocesses' key."""
    proc = _cli(tmp_path, "index")
    assert proc.returncode == 0, proc.stderr
    return bundled


@pytest.mark.slow
def test_a_session_calls_every_tool_and_search_matches_the_jsonl_record(
    indexed: Path, tmp_path: Path
) -> None:
    proc = _cli(tmp_path, "query", "spot training", "--tag", "gotcha", "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    expected = [json.loads(line) for line in proc.stdout.splitlines()]
    training = indexed / "sagemaker" / "sagemaker-training.md"

    async def body(session: Session) -> None:
        listed = await session.list_tools()
        assert {tool.name for tool in listed.tools} == TOOLS
        for tool in listed.tools:
            assert tool.description and len(tool.description) > 40
            assert tool.annotations is not None and tool.annotations.read_only_hint
            assert tool.output_schema and tool.output_schema["properties"]  # typed answers

        found = await _call(session, "search", query="spot training", tags=["gotcha"])
        results = found["results"]
        assert [(r["path"], r["line"], r["end_line"]) for r in results] == [
            (r["path"], r["line"], r["end_line"]) for r in expected
        ]
        first = results[0]
        assert (first["path"], first["heading"]) == ("sagemaker/sagemaker-training.md", "Gotchas")
        assert first["file"] == str(training)
        assert set(expected[0]) <= set(first)  # the jsonl record's keys, and a few more
        for key in ("title", "breadcrumb", "tags", "score", "snippet", "highlights", "rank"):
            assert first[key] == expected[0][key]
        lines = training.read_text(encoding="utf-8").splitlines()
        assert lines[first["line"] - 1].startswith("## Gotchas")

        shown = await _call(session, "show", note=first["path"], anchor=first["anchor"])
        assert (shown["line"], shown["end_line"]) == (first["line"], first["end_line"])
        assert shown["markdown"].startswith("## Gotchas") and not shown["truncated"]
        cli_show = _cli(tmp_path, "show", f"{first['path']}#gotchas")  # piped: raw Markdown
        assert shown["markdown"].rstrip("\n") == cli_show.stdout.rstrip("\n")
        whole = await _call(session, "show", note="sagemaker-training.md", max_chars=500)
        assert whole["line"] == 1 and whole["truncated"] and len(whole["markdown"]) <= 500
        assert whole["end_line"] == len(lines)
        by_line = await _call(session, "show", note=first["path"], line=first["line"] + 2)
        assert by_line["heading"] == "Gotchas"

        tags = await _call(session, "tags")
        gotcha = next(t for t in tags["tags"] if t["name"] == "gotcha")
        cli_tags = _cli(tmp_path, "tags", "--format", "jsonl")
        row = next(json.loads(x) for x in cli_tags.stdout.splitlines() if '"gotcha"' in x)
        assert (gotcha["notes"], gotcha["sections"]) == (row["notes"], row["sections"])
        assert any(n["name"] == "aws" and n["depth"] == 0 for n in tags["tree"])

        out = await _call(session, "links", note="sagemaker/sagemaker-training.md")
        cli_links = _cli(tmp_path, "links", "sagemaker/sagemaker-training.md", "--format", "jsonl")
        cli_targets = [json.loads(x)["target"] for x in cli_links.stdout.splitlines()]
        assert [link["target"] for link in out["links"]] == cli_targets
        back = await _call(session, "links", note="sagemaker/sagemaker.md", direction="in")
        assert any(link["source"] == "sagemaker/sagemaker-training.md" for link in back["links"])

        broken = await _call(session, "broken_links")
        assert broken["count"] == len(broken["links"]) >= 1
        assert all(link["reason"] for link in broken["links"])

        status = await _call(session, "status")
        assert (status["notes"], status["sections"], status["stale"]) == (11, 154, False)
        assert status["generation"].startswith("gen-") and status["indexed_at"]
        assert status["watching"] is False

        bad = await _error(session, "search", query='"spot training')
        assert "unclosed" in bad and "column" in bad
        unknown = await _error(session, "show", note="no-such-note.md")
        assert "no note 'no-such-note.md'" in unknown
        assert "as `search` returns it" in unknown and "notesearch query" not in unknown
        anchor = await _error(session, "show", note=first["path"], anchor="gotchaz")
        assert "#gotchas" in anchor  # the closest heading, as a hint
        too_many = await session.call_tool("search", {"query": "spot", "limit": 500})
        assert too_many.is_error and "50" in too_many.content[0].text

    _session(tmp_path, body, "--no-watch")


@pytest.mark.slow
def test_a_note_edited_while_the_server_runs_is_found_by_the_next_search(
    bundled: Path, tmp_path: Path
) -> None:
    note = bundled / "sagemaker" / "sagemaker-training.md"

    async def body(session: Session) -> None:
        import anyio

        deadline = time.monotonic() + 30
        while True:  # the watch builds the index first
            result = await session.call_tool("status", {})
            if not result.is_error:
                break
            assert "being built" in result.content[0].text or "No index" in result.content[0].text
            assert time.monotonic() < deadline
            await anyio.sleep(0.2)
        before = await _call(session, "search", query="zanzibarquux")
        assert before["results"] == []
        tags_before = {t["name"] for t in (await _call(session, "tags"))["tags"]}
        assert "zanzibar" not in tags_before
        with note.open("a", encoding="utf-8") as handle:
            handle.write("\n## Zanzibar `#zanzibar`\nzanzibarquux checkpoints live here\n")
        deadline = time.monotonic() + 30
        while True:
            after = await _call(session, "search", query="zanzibarquux")
            if after["results"]:
                break
            assert time.monotonic() < deadline, "the edit never reached the index"
            await anyio.sleep(0.2)
        hit = after["results"][0]
        assert (hit["path"], hit["heading"]) == ("sagemaker/sagemaker-training.md", "Zanzibar")
        assert "zanzibar" in hit["tags"]
        tags_after = {t["name"] for t in (await _call(session, "tags"))["tags"]}
        assert tags_after == tags_before | {"zanzibar"}  # not the answer kept from before
        assert (await _call(session, "status"))["watching"] is True

    _session(tmp_path, body)


@pytest.mark.slow
def test_without_an_index_and_no_watch_a_tool_says_how_to_make_one(
    bundled: Path, tmp_path: Path
) -> None:
    async def body(session: Session) -> None:
        message = await _error(session, "search", query="spot")
        assert "notesearch index" in message

    _session(tmp_path, body, "--no-watch")


@pytest.mark.slow
def test_without_the_extra_the_command_is_one_line_naming_the_install(
    bundled: Path, tmp_path: Path
) -> None:
    code = (
        "import sys\n"
        "sys.modules['mcp'] = None\n"
        "from notesearch.cli import main\n"
        "sys.argv = ['notesearch', 'mcp', '--notes', 'notes', '--index', 'index']\n"
        "main()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**os.environ, **_env(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "pip install 'notesearch[mcp]'" in lines[0], proc.stderr


def test_strings_from_notes_are_sanitized_and_text_is_bounded(tmp_path: Path) -> None:
    pytest.importorskip("mcp")
    from notesearch.assist.tools import TEXT_CHARS, Tools
    from notesearch.vault import Vault

    section = Section(
        path="evil.md",
        title="Ti\u202etle",
        heading="Head\x1b[31m",
        level=1,
        breadcrumb=("A\u200bB",),
        anchor="head",
        line=1,
        end_line=3,
        tags=("t\U000e0041",),
        links=(),
        text="x" * (TEXT_CHARS + 100),
    )
    hit = Hit(section, 1.0, Snippet("\u202espot training", (Span(1, 5),)), 1)
    record = Tools(Vault(tmp_path / "notes", tmp_path / "index"), str(tmp_path)).hit_record(hit)
    assert record["title"] == "Ti\\u202etle"
    assert record["heading"] == "Head\\x1b[31m"
    assert record["breadcrumb"] == ["A\\u200bB"]
    assert record["tags"] == ["t\\U000e0041"]
    assert record["snippet"] == "\\u202espot training"
    start, end = record["highlights"][0]["start"], record["highlights"][0]["end"]
    assert record["snippet"][start:end] == "spot"
    assert len(record["text"]) == TEXT_CHARS and record["text_truncated"] is True
    assert record["file"] == str(tmp_path / "notes" / "evil.md")


@pytest.mark.parametrize(
    ("raised", "message"),
    [
        # Raised from Whoosh's code (a damaged file): the CLI's one line.
        ("whoosh", "the index is damaged: run `notesearch doctor`"),
        ("notesearch", "No index at ./index. Run `notesearch index` first."),
    ],
)
def test_a_tool_says_what_the_command_line_says(raised: str, message: str) -> None:
    pytest.importorskip("mcp")
    from mcp.server.mcpserver.exceptions import ToolError
    from whoosh.reading import TermNotFound

    from notesearch.assist.server import _answering
    from notesearch.errors import IndexMissingError

    def tool() -> None:
        if raised == "whoosh":
            raise TermNotFound("bad block")
        raise IndexMissingError("No index at ./index", hint="Run `notesearch index` first.")

    with pytest.raises(ToolError) as caught:
        _answering(None, tool)()
    assert str(caught.value) == message


def test_a_bug_outside_whoosh_is_not_called_damage() -> None:
    pytest.importorskip("mcp")
    from notesearch.assist.server import _answering

    def tool() -> None:
        raise ZeroDivisionError("a bug")

    with pytest.raises(ZeroDivisionError):
        _answering(None, tool)()
