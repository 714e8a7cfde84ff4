"""Readers never fail because a writer is running: many readers against a writer that
switches generations in a tight (bounded) loop, in this process and in others.

Every answer must come from a complete generation: the word every note holds
is found in exactly the notes of one generation, never in a partial set.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from notesearch import build_index, open_index, search
from tests.helpers import write

NOTES = 12
UPDATES = 25  # generations the writer publishes
READERS = 4


def _vault(tmp_path: Path) -> tuple[Path, Path]:
    notes, index = tmp_path / "notes", tmp_path / "index"
    for k in range(NOTES):
        write(notes, f"n{k:02d}.md", f"# Note {k}\n\ncommonword and round0\n")
    build_index(notes, index)
    return notes, index


def _writer(notes: Path, index: Path, done: threading.Event) -> None:
    try:
        for round_ in range(1, UPDATES + 1):
            k = round_ % NOTES
            write(notes, f"n{k:02d}.md", f"# Note {k}\n\ncommonword and round{round_}\n")
            build_index(notes, index, lock_timeout=30)
    finally:
        done.set()


@pytest.mark.slow
def test_readers_in_this_process_never_fail_while_generations_switch(tmp_path: Path) -> None:
    notes, index = _vault(tmp_path)
    done = threading.Event()
    failures: list[str] = []
    answers: list[int] = []

    def reader() -> None:
        deadline = time.monotonic() + 120
        while not done.is_set() and time.monotonic() < deadline:
            try:
                with open_index(index, notes) as idx:
                    hits = search(idx, "commonword", limit=None, per_note=0).hits
                    answers.append(len({h.section.path for h in hits}))
            except Exception as exc:
                failures.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=reader) for _ in range(READERS)]
    for thread in threads:
        thread.start()
    _writer(notes, index, done)
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert answers and set(answers) == {NOTES}  # always one whole generation


READER_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from notesearch import open_index, search
    notes, index, stop = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    failures = answers = 0
    wrong = set()
    deadline = time.monotonic() + 120
    while not stop.exists() and time.monotonic() < deadline:
        try:
            with open_index(index, notes) as idx:
                found = {h.section.path for h in search(idx, "commonword", limit=None).hits}
            answers += 1
            if len(found) != int(sys.argv[4]):
                wrong.add(len(found))
        except Exception as exc:
            failures += 1
            print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
    print(answers, failures, sorted(wrong))
    """
)


@pytest.mark.slow
def test_readers_in_other_processes_never_fail_while_generations_switch(tmp_path: Path) -> None:
    notes, index = _vault(tmp_path)
    stop = tmp_path / "stop"
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER_SCRIPT, str(notes), str(index), str(stop), str(NOTES)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(READERS)
    ]
    time.sleep(0.5)  # let them start reading
    try:
        _writer(notes, index, threading.Event())
    finally:
        stop.write_text("")
    for proc in readers:
        out, err = proc.communicate(timeout=120)
        answers, failures, wrong = out.split(" ", 2)
        assert (int(failures), wrong.strip(), proc.returncode) == (0, "[]", 0), err
        assert int(answers) > 0
