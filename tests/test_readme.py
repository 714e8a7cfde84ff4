"""Every `notesearch` command shown in the README runs on the bundled notes as documented.

Commands are read from the README's ```sh blocks, so the README cannot drift
from the tool. A few are left out on purpose (they open an editor or reach a
network service); the list below says which and why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"

# Substrings of commands that are not run here, with the reason.
NOT_RUN = {
    "$EDITOR": "opens an editor",
    "vim -q": "opens an editor",
    "curl ": "needs an OpenSearch server",
    "~/": "writes outside the test folder",
    "pipx ": "installs software",
    "pip ": "installs software",
    "_NOTESEARCH_COMPLETE=": "configures a shell",
    "completion ": "configures a shell",
    "watch": "runs until Ctrl-C",
    "notesearch open": "opens an editor",
    "notesearch find": "a full-screen terminal UI (tests/finder drive it)",
}
# Documented exit codes other than 0 on the bundled notes.
EXPECTED = {
    "notesearch links --broken": 1,  # the bundled notes keep one broken link
}


def readme_commands() -> list[str]:
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        for raw in block.replace("\\\n", " ").splitlines():  # join continued lines
            line = re.sub(r"\s{2,}#\s.*$", "", raw).strip()  # drop trailing comments
            parts = [p.strip() for p in line.split("&&")] if "&&" in line else [line]
            for part in parts:
                if part.startswith("notesearch") and part not in commands:
                    commands.append(part)
    return commands


def skip_reason(command: str) -> str | None:
    return next((why for needle, why in NOT_RUN.items() if needle in command), None)


COMMANDS = readme_commands()


def test_readme_has_commands() -> None:
    assert len(COMMANDS) >= 15
    assert 'notesearch query "spot training" --tag gotcha' in COMMANDS


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("readme")
    shutil.copytree(REPO / "notes", root / "notes")
    return root


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command(workspace: Path, command: str) -> None:
    reason = skip_reason(command)
    if reason is not None:
        pytest.skip(reason)
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "NOTESEARCH_NOTES": "notes",
        "NOTESEARCH_INDEX": "index",
    }
    if not (workspace / "index" / "CURRENT").exists():
        subprocess.run(
            [sys.executable, "-m", "notesearch", "index", "-q"], cwd=workspace, env=env, check=True
        )
    proc = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    expected = EXPECTED.get(command.split(" |")[0].split(" --format")[0], 0)
    assert proc.returncode == expected, (command, proc.stdout[-500:], proc.stderr[-500:])
    assert "Traceback" not in proc.stderr


def readme_pipelines() -> list[str]:
    """The README's shell lines that hand notesearch's paths to another program."""
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        for raw in block.splitlines():
            line = re.sub(r"\s{2,}#\s.*$", "", raw).strip()
            if "notesearch" in line and ("xargs" in line or "vim -q" in line or ".file" in line):
                lines.append(line)
    return lines


# The editor opens each path it is given: here, `ls` does (and fails on a path that
# does not exist from the working folder); `vim -q FILE` reads path:line:col lines.
OPENERS = 'vimq() { cut -d: -f1 "$1" | xargs -d "\\n" ls --; }\n'


@pytest.mark.slow
@pytest.mark.parametrize("line", readme_pipelines())
def test_readme_pipelines_open_the_files_from_another_folder(workspace: Path, line: str) -> None:
    elsewhere = workspace / "somewhere" / "else"
    elsewhere.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "NOTESEARCH_NOTES": str(workspace / "notes"),
        "NOTESEARCH_INDEX": str(workspace / "index"),
        "EDITOR": "ls --",
        "NOTESEARCH_NO_SERVER": "1",
    }
    if not (workspace / "index" / "CURRENT").exists():
        subprocess.run(
            [sys.executable, "-m", "notesearch", "index", "-q"], cwd=workspace, env=env, check=True
        )
    command = line.replace('"$EDITOR"', "$EDITOR").replace("vim -q", "vimq")
    if ".file" in command:  # a path:line list: each path must open from here
        command += ' | cut -d: -f1 | xargs -d "\\n" ls --'
    proc = subprocess.run(
        ["bash", "-o", "pipefail", "-c", OPENERS + command],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, (line, proc.stdout[-500:], proc.stderr[-500:])
    opened = [p for p in proc.stdout.splitlines() if p]
    assert opened and all(os.path.isfile(os.path.join(elsewhere, p)) for p in opened), opened
