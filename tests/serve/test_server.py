"""Queries answered by `notesearch watch`: the same bytes as in process, fresh, private,
and a quiet fallback to the in-process query whenever the server cannot answer."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from notesearch.answers import QueryArgs
from notesearch.cli import cli
from notesearch.cli import query as cli_module
from notesearch.engine.build import build_index
from notesearch.printers.context import Terminal
from notesearch.serve import place, protocol
from notesearch.serve import server as serve_server
from notesearch.serve.server import QueryService
from tests.helpers import FIXTURES, query_into_closed_pipe, until, write

DEADLINE = 10.0  # seconds anything may take: a watch to start or stop, an edit to be served
HEAVY = ("whoosh", "rich", "pyromark", "frontmatter", "yaml", "ftfy", "watchfiles")
ESC = "\x1b"


def query(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(cli, ["query", *args], env=env, catch_exceptions=False)


def in_process(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return query(*args, env={**(env or {}), "NOTESEARCH_NO_SERVER": "1"})


def short_dir() -> Path:
    """A folder with a short path (a socket's path has at most 107 bytes)."""
    return Path(tempfile.mkdtemp(prefix="ns-run-", dir="/tmp" if os.path.isdir("/tmp") else None))


class Watch:
    """`notesearch watch` in a subprocess, its stderr in a file."""

    def __init__(self, base: Path, runtime: Path, *args: str) -> None:
        self.log = base / f"watch-{time.monotonic_ns()}.err"
        env = {
            **os.environ,
            "XDG_RUNTIME_DIR": str(runtime),
            "NOTESEARCH_NOTES": "notes",
            "NOTESEARCH_INDEX": "index",
        }
        with open(self.log, "w", encoding="utf-8") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "notesearch", "watch", *args],
                cwd=base,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        started = until(lambda: "(Ctrl-C to stop)" in self.stderr or self.proc.poll() is not None)
        if not started or self.proc.poll() is not None:
            self.stop()
            raise AssertionError(f"the watch did not start: {self.stderr}")

    @property
    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def stop(self, how: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(how)
        try:
            return self.proc.wait(DEADLINE)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("the watch did not stop") from None


@dataclass
class Vault:
    base: Path
    notes: Path
    index: Path
    runtime: Path


def make_vault(base: Path) -> Vault:
    shutil.copytree(FIXTURES / "notes", base / "notes")
    return Vault(base, base / "notes", base / "index", short_dir())


@pytest.fixture(scope="module")
def shared() -> Iterator[tuple[Vault, Watch]]:
    """One watch serving the fixture notes, for the tests that only read."""
    vault = make_vault(Path(tempfile.mkdtemp(prefix="ns-served-")))
    watch = Watch(vault.base, vault.runtime)
    yield vault, watch
    watch.stop()
    shutil.rmtree(vault.runtime, ignore_errors=True)
    shutil.rmtree(vault.base, ignore_errors=True)


def use(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    """Queries of this test go to ``vault``, from its folder, through its socket folder."""
    monkeypatch.chdir(vault.base)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(vault.runtime))
    monkeypatch.setenv("NOTESEARCH_NOTES", "notes")
    monkeypatch.setenv("NOTESEARCH_INDEX", "index")


@pytest.fixture
def served(shared: tuple[Vault, Watch], monkeypatch: pytest.MonkeyPatch) -> Vault:
    use(shared[0], monkeypatch)
    return shared[0]


@pytest.fixture
def local_runs(monkeypatch: pytest.MonkeyPatch) -> list[QueryArgs]:
    """Each query run in this process (not answered by a server), recorded."""
    runs: list[QueryArgs] = []
    real = cli_module.run_query

    def spy(args: QueryArgs, *rest: Any, **options: Any) -> int:
        runs.append(args)
        return real(args, *rest, **options)

    monkeypatch.setattr(cli_module, "run_query", spy)
    return runs


def normalized(text: str) -> str:
    """Output with what differs between any two runs made the same: rich's random
    hyperlink ids and the time in its footer."""
    text = re.sub(f"{ESC}\\]8;id=[^;]*;", f"{ESC}]8;id=X;", text)
    return re.sub(r"in \d+ ms", "in N ms", text)


# --- served output is the in-process output ---------------------------------------

CASES: list[tuple[str, list[str], dict[str, str | None], int, str]] = [
    # (name, arguments, environment, exit code, a piece of stdout + stderr)
    ("plain", ["spot training"], {}, 0, "ml/training.md:5: Model Training › Spot Training"),
    ("jsonl", ["spot training", "--format", "jsonl"], {}, 0, '"schema_version": 1'),
    ("json", ["quokka", "--format", "json"], {}, 0, '"path": "zebra.md"'),
    ("json, nothing found", ["xylophone", "--format", "json"], {}, 1, "[]"),
    ("paths -l -0", ["training", "-l", "-0"], {}, 0, "ml/training.md\0"),
    ("vimgrep", ["lifecycle", "--format", "vimgrep"], {}, 0, "aws/s3.md:9:"),
    (
        "rich, --color always",
        ["spot training", "--format", "rich", "--color", "always"],
        {},
        0,
        f"{ESC}[1;31mSpot{ESC}[0m",
    ),
    (
        "rich, 60 columns",
        ["quokka", "--format", "rich", "--color", "never"],
        {"COLUMNS": "60"},
        0,
        "notes/zebra.md:1  Zebra notes",
    ),
    (
        "rich, 256 colours",
        ["quokka", "--format", "rich", "--color", "always"],
        {"TERM": "xterm-256color", "COLORTERM": None},
        0,
        "quokka",
    ),
    (
        "rich, dumb terminal",
        ["quokka", "--format", "rich", "--color", "always"],
        {"TERM": "dumb", "COLUMNS": None},
        0,
        "Zebra notes",
    ),
    ("rich, NO_COLOR", ["spot training", "--format", "rich"], {"NO_COLOR": "1"}, 0, "Spot"),
    ("tag filter", ["training", "--tag", "gotcha", "--format", "paths"], {}, 0, "ml/training.md"),
    ("unknown tag", ["training", "--tag", "gotchas"], {}, 1, "closest: gotcha"),
    ("no results: suggestion", ["quoka"], {}, 1, "Did you mean: quokka"),
    ("--correct", ["quoka", "--correct", "--format", "paths"], {}, 0, "showing results for"),
    ("bad query", ['"unclosed'], {}, 2, "notesearch: unclosed '\"' at column 1"),
    ("-0 without paths", ["training", "-0"], {}, 2, "-0/--null goes with --format paths"),
    (
        "--links-to, a path from here",
        ["batch", "--links-to", "notes/aws/s3.md", "--format", "paths"],
        {},
        0,
        "ml/training.md",
    ),
    ("--links-to, no such note", ["training", "--links-to", "nosuch"], {}, 2, "no note"),
]


@pytest.mark.parametrize(
    ("args", "env", "code", "piece"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_served_output_is_the_in_process_output(
    served: Vault,
    local_runs: list[QueryArgs],
    args: list[str],
    env: dict[str, str | None],
    code: int,
    piece: str,
) -> None:
    answered = query(*args, env=env)
    assert local_runs == [], "the query was not answered by the watch"
    local = in_process(*args, env=env)
    assert len(local_runs) == 1
    assert answered.exit_code == local.exit_code == code
    assert normalized(answered.stdout) == normalized(local.stdout)
    assert normalized(answered.stderr) == normalized(local.stderr)
    assert piece in answered.stdout + answered.stderr
    assert "Traceback" not in answered.stderr


def test_served_client_imports_no_heavy_module(served: Vault) -> None:
    harness = (
        "import sys\n"
        "from notesearch.cli import main\n"
        "sys.argv = ['notesearch', 'query', 'quokka', '--format', 'paths']\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(f'EXIT={code} HEAVY=' + ','.join(heavy), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", harness],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
    )
    assert proc.stdout == "notes/zebra.md\n"
    assert proc.stderr.splitlines()[-1] == "EXIT=0 HEAVY="


@pytest.mark.parametrize("consumer", ["head -1", "grep -q training"])
def test_served_query_into_a_closed_pipe_ends_quietly(served: Vault, consumer: str) -> None:
    proc = query_into_closed_pipe(consumer, dict(os.environ))
    assert proc.stdout.splitlines()[-1] == "status=0"
    assert proc.stderr == ""


def test_ctrl_c_while_waiting_for_the_server_is_exit_130(indexed: Path, notes: Path) -> None:
    """A server that never answers: Ctrl-C ends the client as it ends a query."""
    folder = place.runtime_dir()
    os.mkdir(folder, 0o700)
    with socket.socket(socket.AF_UNIX) as mute:
        mute.bind(os.path.join(folder, place.socket_name(str(indexed))))
        mute.listen(1)
        mute.settimeout(DEADLINE)
        client = subprocess.Popen(
            [sys.executable, "-m", "notesearch", "query", "quokka"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        conn, _ = mute.accept()  # the client is now waiting for its answer
        with conn:
            client.send_signal(signal.SIGINT)
            out, err = client.communicate(timeout=DEADLINE)
    assert (client.returncode, out, err) == (130, "", "notesearch: interrupted\n")


# --- when the server is not used -------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["quokka"], {"NOTESEARCH_NO_SERVER": "1"}),
        (["quokka", "--refresh"], {}),
        (["quokka"], {"NOTESEARCH_DEBUG": "1"}),  # a traceback must come from here
    ],
    ids=["NOTESEARCH_NO_SERVER", "--refresh", "NOTESEARCH_DEBUG"],
)
def test_the_server_is_not_asked(
    served: Vault, local_runs: list[QueryArgs], args: list[str], env: dict[str, str]
) -> None:
    result = query(*args, "--format", "paths", env=env)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "notes/zebra.md\n", "")
    assert len(local_runs) == 1


def test_a_server_for_another_notes_folder_is_not_used(
    served: Vault, local_runs: list[QueryArgs]
) -> None:
    other = served.base / "other-notes"
    write(other, "zebra.md", "# Zebra notes\n\nA note with a rare word: quokka.\n")
    result = query("quokka", "--format", "paths", "--notes", str(other))
    assert result.exit_code == 0
    assert result.stdout == "other-notes/zebra.md\n"
    assert len(local_runs) == 1


def test_a_second_watch_does_not_take_the_socket(
    shared: tuple[Vault, Watch], monkeypatch: pytest.MonkeyPatch, local_runs: list[QueryArgs]
) -> None:
    vault, first = shared
    use(vault, monkeypatch)
    second = Watch(vault.base, vault.runtime)
    assert second.stop() == 0
    lines = second.stderr.splitlines()
    assert lines[0] == (
        f"notesearch: warning: not answering queries: another notesearch watch "
        f"(pid {first.proc.pid}) answers queries for this index"
    )
    assert lines[1].startswith("notesearch: 4 notes")
    assert lines[2:] == [
        "notesearch: watching ./notes for changes (Ctrl-C to stop)",
        "notesearch: stopped",
    ]
    assert query("quokka", "--format", "paths").stdout == "notes/zebra.md\n"
    assert local_runs == []  # the first watch still answers


# --- fresh: the server answers from the index its watch keeps up to date ------------


@pytest.mark.slow
def test_an_edit_is_served_once_the_watch_indexed_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, local_runs: list[QueryArgs]
) -> None:
    vault = make_vault(tmp_path)
    watch = Watch(vault.base, vault.runtime)
    try:
        use(vault, monkeypatch)
        assert "answering queries" in watch.stderr
        write(vault.notes, "fauna/wombat.md", "# Wombat\n\nBurrowing marsupial.\n")
        assert until(lambda: query("burrowing", "-l").stdout == "notes/fauna/wombat.md\n")
        write(vault.notes, "zebra.md", "# Zebra notes\n\nNow about the numbat.\n")
        assert until(lambda: query("numbat", "-l").stdout == "notes/zebra.md\n")
        assert query("quokka", "-l").exit_code == 1  # the old text is gone
        assert local_runs == []
    finally:
        assert watch.stop() == 0
    shutil.rmtree(vault.runtime, ignore_errors=True)


# --- the socket's life ----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_the_socket_is_removed_when_the_watch_ends(tmp_path: Path, how: int) -> None:
    vault = make_vault(tmp_path)
    watch = Watch(vault.base, vault.runtime)
    folder = vault.runtime / "notesearch"
    name = place.socket_name(str(vault.index))
    assert (folder / name).exists()
    assert oct((folder / name).stat().st_mode & 0o777) == oct(0o600)
    assert oct(folder.stat().st_mode & 0o777) == oct(0o700)
    assert watch.stop(how) == 0
    lines = watch.stderr.splitlines()
    assert lines[1] == (
        "notesearch: watching ./notes for changes, answering queries (Ctrl-C to stop)"
    )
    assert lines[-1] == "notesearch: stopped"
    assert sorted(os.listdir(folder)) == []
    shutil.rmtree(vault.runtime, ignore_errors=True)


@pytest.fixture
def indexed(notes: Path, tmp_path: Path) -> Path:
    build_index(notes, tmp_path / "index")
    return tmp_path / "index"


@pytest.fixture
def server(indexed: Path, notes: Path) -> Iterator[serve_server.Server]:
    """A query server in this process, as `notesearch watch` wires it."""
    service = QueryService(notes, indexed)
    service.refresh()
    answering = serve_server.Server(str(indexed), str(notes), service.answer)
    yield answering
    answering.close()
    service.close()


def test_a_stale_socket_is_passed_over_then_replaced(
    server: serve_server.Server, local_runs: list[QueryArgs]
) -> None:
    os.mkdir(server.folder, 0o700)
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(server.path)  # bound, never listening, closed: connecting is refused
    dead.close()
    assert os.path.exists(server.path)
    first = query("quokka", "--format", "paths")
    assert (first.exit_code, first.stdout, first.stderr) == (0, "notes/zebra.md\n", "")
    assert len(local_runs) == 1
    server.start()
    second = query("quokka", "--format", "paths")
    assert (second.exit_code, second.stdout, second.stderr) == (0, "notes/zebra.md\n", "")
    assert len(local_runs) == 1  # answered by the server
    server.close()
    assert os.listdir(server.folder) == []


def test_a_second_server_is_refused_while_one_serves(
    server: serve_server.Server, indexed: Path, notes: Path
) -> None:
    server.start()
    other = serve_server.Server(str(indexed), str(notes), lambda args, terminal: (0, []))
    taken = rf"another notesearch watch \(pid {os.getpid()}\) answers queries for this index"
    with pytest.raises(serve_server.ServeError, match=taken):
        other.claim()
    assert os.path.exists(server.path)


def test_a_client_of_other_code_is_declined_and_the_server_says_so(
    indexed: Path, notes: Path, monkeypatch: pytest.MonkeyPatch, local_runs: list[QueryArgs]
) -> None:
    warnings: list[str] = []
    service = QueryService(notes, indexed)
    service.refresh()
    answering = serve_server.Server(str(indexed), str(notes), service.answer, warn=warnings.append)
    answering.start()
    try:
        monkeypatch.setattr(protocol, "code_stamp", lambda: "1:elsewhere:0")
        for _ in range(2):
            result = query("quokka", "--format", "paths")
            assert (result.exit_code, result.stdout) == (0, "notes/zebra.md\n")
    finally:
        answering.close()
        service.close()
    assert len(local_runs) == 2
    assert warnings == [
        "notesearch was changed since this watch started: queries run without it until "
        "the watch is restarted"
    ]


def _open_to_others(folder: Path) -> str:
    folder.mkdir(mode=0o700)
    folder.chmod(0o755)
    return f"{folder} is open to other users (mode 0755)"


def _symlink(folder: Path) -> str:
    real = folder.with_name("real")
    real.mkdir(mode=0o700)
    folder.symlink_to(real)
    return f"{folder} is a symbolic link"


def _a_file(folder: Path) -> str:
    folder.write_text("", encoding="utf-8")
    return f"{folder} is not a folder"


@pytest.mark.parametrize(
    "make", [_open_to_others, _symlink, _a_file], ids=["mode 0755", "symlink", "a file"]
)
def test_an_unsafe_socket_folder_is_never_used(
    server: serve_server.Server, local_runs: list[QueryArgs], make: Callable[[Path], str]
) -> None:
    reason = make(Path(server.folder))
    assert place.unsafe(server.folder) == reason
    with pytest.raises(serve_server.ServeError, match=re.escape(reason)):
        server.claim()
    result = query("quokka", "--format", "paths")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "notes/zebra.md\n", "")
    assert len(local_runs) == 1


def test_a_client_does_not_use_a_folder_made_unsafe_after_the_server_started(
    server: serve_server.Server, local_runs: list[QueryArgs]
) -> None:
    server.start()
    assert query("quokka", "-l").stdout == "notes/zebra.md\n"
    assert local_runs == []
    os.chmod(server.folder, 0o711)
    assert query("quokka", "-l").stdout == "notes/zebra.md\n"
    assert len(local_runs) == 1


@pytest.mark.slow
def test_the_watch_warns_and_keeps_watching_when_it_cannot_serve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = make_vault(tmp_path)
    _open_to_others(vault.runtime / "notesearch")
    watch = Watch(vault.base, vault.runtime)
    assert watch.stop() == 0
    lines = watch.stderr.splitlines()
    assert lines[0] == (
        f"notesearch: warning: not answering queries: {vault.runtime / 'notesearch'} "
        "is open to other users (mode 0755)"
    )
    assert lines[2:] == [
        "notesearch: watching ./notes for changes (Ctrl-C to stop)",
        "notesearch: stopped",
    ]
    shutil.rmtree(vault.runtime, ignore_errors=True)


@pytest.mark.slow
def test_no_serve(tmp_path: Path) -> None:
    vault = make_vault(tmp_path)
    watch = Watch(vault.base, vault.runtime, "--no-serve")
    assert watch.stop() == 0
    assert watch.stderr.splitlines()[1:] == [
        "notesearch: watching ./notes for changes (Ctrl-C to stop)",
        "notesearch: stopped",
    ]
    assert not (vault.runtime / "notesearch").exists()
    shutil.rmtree(vault.runtime, ignore_errors=True)


# --- the pieces ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"XDG_RUNTIME_DIR": "{tmp}"}, "{tmp}/notesearch"),
        ({"XDG_RUNTIME_DIR": ""}, "/tmp/notesearch-{uid}"),
        ({}, "/tmp/notesearch-{uid}"),
        ({"XDG_RUNTIME_DIR": "relative/run"}, "/tmp/notesearch-{uid}"),
        ({"XDG_RUNTIME_DIR": "{tmp}/missing"}, "/tmp/notesearch-{uid}"),
    ],
)
def test_runtime_folder(tmp_path: Path, env: dict[str, str], name: str) -> None:
    filled = {k: v.format(tmp=tmp_path) for k, v in env.items()}
    assert place.runtime_dir(filled) == name.format(tmp=tmp_path, uid=os.getuid())


def test_socket_name_is_short_and_follows_the_real_path(tmp_path: Path) -> None:
    real = tmp_path / ("a-long-folder-name-" * 8) / "index"
    real.mkdir(parents=True)
    (tmp_path / "link").symlink_to(real)
    name = place.socket_name(str(real))
    assert re.fullmatch(r"[0-9a-f]{16}\.sock", name)
    assert place.socket_name(str(tmp_path / "link")) == name
    assert place.socket_name(str(tmp_path)) != name


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"isatty": "yes", "screen": None, "env": {}},
        {"isatty": True, "screen": [80], "env": {}},
        {"isatty": True, "screen": [80, -1], "env": {}},
        {"isatty": True, "screen": None, "env": {"PATH": "/bin"}},
        {"isatty": True, "screen": None, "env": {"TERM": 1}},
    ],
)
def test_malformed_terminal_facts_are_rejected(data: Any) -> None:
    with pytest.raises(ValueError):
        Terminal.from_json(data)


@pytest.mark.parametrize(
    "change",
    [
        {"limit": "10"},
        {"show_all": 1},
        {"words": "spot"},
        {"tags": [1]},
        {"fmt": 3},
        {"unknown": True},
    ],
)
def test_malformed_query_arguments_are_rejected(change: dict[str, Any]) -> None:
    good = QueryArgs(words=("spot",), notes_dir="notes", index_dir="index", tags=("a",))
    data = good.to_json()
    assert QueryArgs.from_json(data) == good
    with pytest.raises(ValueError):
        QueryArgs.from_json({**data, **change})


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"COLUMNS": "60"},
        {"COLUMNS": "60", "LINES": "10"},
        {"COLUMNS": "0"},
        {"COLUMNS": "wide"},
        {"TERM": "dumb"},
        {"TERM": "DUMB", "COLUMNS": "60"},
        {"TERM": "unknown", "COLUMNS": "60", "LINES": "10"},
        {"TERM": "xterm-256color", "COLORTERM": "truecolor"},
    ],
)
@pytest.mark.parametrize("color", [True, False])
def test_console_size_is_what_rich_measures(env: dict[str, str], color: bool) -> None:
    """The served query's width comes from the client's facts, the way rich measures
    them in process."""
    from rich.console import Console

    from notesearch.printers.terminal import console_size

    measured = Console(force_terminal=color, _environ=env).size
    screen = Terminal.current(sys.stdout).screen  # what rich sees of this process
    assert console_size(screen, env, color) == (measured.width, measured.height)
