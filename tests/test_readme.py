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
