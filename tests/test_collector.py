"""The garbage collector paused while a command starts: which commands resume it, and when."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

from notesearch import collector
from tests.helpers import REPO


@pytest.fixture
def restored() -> Iterator[None]:
    """The collector as it was (on, nothing frozen by the test) after the test."""
    before = gc.isenabled()
    yield
    collector._paused[0] = False
    gc.unfreeze()
    if before:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.parametrize(
    ("on_before", "steps", "enabled", "paused", "froze"),
    [
        (True, ["pause"], False, True, False),
        (True, ["pause", "resume"], True, False, True),
        (True, ["pause", "resume", "resume"], True, False, True),
        (True, ["pause", "pause", "resume"], True, False, True),
        (True, ["resume"], True, False, False),  # never paused: nothing to resume
        (False, ["pause"], False, False, False),  # the caller's own "off" ...
        (False, ["pause", "resume"], False, False, False),  # ... stays off
    ],
)
def test_only_its_own_pause_is_resumed(
    restored: None,
    on_before: bool,
    steps: list[str],
    enabled: bool,
    paused: bool,
    froze: bool,
) -> None:
    gc.unfreeze()
    if on_before:
        gc.enable()
    else:
        gc.disable()
    for step in steps:
        getattr(collector, step)()
    assert (gc.isenabled(), collector.paused(), gc.get_freeze_count() > 0) == (
        enabled,
        paused,
        froze,
    )


# Runs the command line paused, as notesearch.__main__.run does, and says how the
# collector is when the command is over.
PROBE = """
import gc, json, sys
from notesearch import collector
collector.pause()
out = sys.argv[1]
sys.argv = ["notesearch", *sys.argv[2:]]
try:
    from notesearch.cli import main
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
with open(out, "w") as fh:
    json.dump({"code": code, "enabled": gc.isenabled(), "frozen": gc.get_freeze_count() > 0}, fh)
"""


def _after(tmp_path: Path, *args: str) -> dict[str, object]:
    out = tmp_path / "collector.json"
    env = {**os.environ, "NOTESEARCH_NO_SERVER": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(out), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.exists(), proc.stderr
    data: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def indexed(notes: Path) -> Path:
    proc = subprocess.run(
        [sys.executable, "-m", "notesearch", "index", "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return notes


@pytest.mark.parametrize(
    ("args", "touch", "resumed"),
    [
        (["query", "training", "--format", "plain"], False, False),
        (["query", "nosuchwordanywhere", "--format", "plain"], False, False),
        (["query", "training", "--format", "plain", "--refresh"], False, False),
        (["query", "training", "--format", "plain", "--refresh"], True, True),
        (["index", "--quiet"], False, False),  # nothing to do: answered paused
        (["index", "--quiet"], True, True),
        (["index", "--quiet", "--rebuild"], False, True),
        (["tags"], False, True),
        (["links", "ml/training.md"], False, True),
        (["show", "ml/training.md"], False, True),
        (["doctor"], False, True),
        (["config"], False, True),
    ],
)
def test_which_commands_resume_the_collector(
    indexed: Path, tmp_path: Path, args: list[str], touch: bool, resumed: bool
) -> None:
    if touch:
        note = indexed / "ml" / "training.md"
        note.write_text(note.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    after = _after(tmp_path, *args)
    assert after["code"] in (0, 1)
    assert (after["enabled"], after["frozen"]) == (resumed, resumed)


def test_the_entry_point_pauses_before_the_command_line_is_imported(tmp_path: Path) -> None:
    code = (
        "import gc, sys\n"
        "seen = []\n"
        "class Spy:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'notesearch.cli':\n"
        "            seen.append(gc.isenabled())\n"
        "sys.meta_path.insert(0, Spy())\n"
        "import notesearch.__main__ as entry\n"
        "sys.argv = ['notesearch', '--version']\n"
        "try:\n    entry.run()\nexcept SystemExit:\n    pass\n"
        "print('ENABLED_AT_IMPORT=' + repr(seen))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines()[-1] == "ENABLED_AT_IMPORT=[False]"


def test_the_console_script_is_the_entry_point() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"] == {"notesearch": "notesearch.__main__:run"}
