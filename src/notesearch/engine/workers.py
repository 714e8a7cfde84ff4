"""Worker processes, and every writing call into Whoosh's private API (audit it on a bump).

The private calls (``SegmentWriter(_lk=False)``, ``_finalize_segment``,
``_close_segment``, ``_merge_segments``, ``_commit_toc``, ``_finish``) are
why whoosh3 is pinned exactly: they are what Whoosh's own multi-process
writer does, and they live here only. The reading ones (postings blocks and
the length column) are in :mod:`.postings`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import IndexWriteError
from ..notes.discover import NoteFile
from ..notes.links import NoteSet
from ..paths import display
from ..signals import handling
from . import store
from .documents import Outcome, documents, examine
from .tables import NoteEntry

ProgressSink = Callable[[int, int], None]


def __getattr__(name: str) -> Any:
    if name == "SafeFileStorage":
        return _safe_storage()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _safe_storage() -> Any:
    """The class ``SafeFileStorage`` (made on first use: it subclasses Whoosh's FileStorage)."""
    from whoosh.filedb.filestore import FileStorage

    class SafeFileStorage(FileStorage):  # type: ignore[misc]  # untyped base
        """A FileStorage that never writes through a hard link shared with the live index."""

        def create_file(
            self, name: str, excl: bool = False, mode: str = "wb", **kwargs: Any
        ) -> Any:
            path = self._fpath(name)
            if os.path.lexists(path):
                os.unlink(path)
            return super().create_file(name, excl=excl, mode=mode, **kwargs)

    return SafeFileStorage


def new_generation(index_dir: Path, base: Path | None) -> tuple[Path, Any]:
    """A new unfinished generation (a copy of ``base``, or empty) and its Whoosh index."""
    tmp = store.start_generation(index_dir, base)
    from .schema import make_schema

    storage = _safe_storage()(str(tmp))
    return tmp, storage.create_index(make_schema()) if base is None else storage.open_index()


def commit_with(writer: Any, segments: list[Any]) -> None:
    """Commit ``writer`` together with segments that worker processes wrote.

    What Whoosh's own multi-process writer does with ``multisegment=True``
    (whoosh3 3.54.0, pinned): the workers' segments join the table of
    contents as they are, next to whatever this writer merged or added.
    """
    try:
        final = writer._merge_segments(None, None, None)
        final += segments
        if writer._added:
            final.append(writer._finalize_segment())
        else:
            writer._close_segment()
        writer._commit_toc(final)
    except Exception:
        writer._cleanup_on_error()
        raise
    writer._finish()


def reason(exc: BaseException) -> str:
    """Why writing failed, in one line: the OS's words, or Whoosh's error and message."""
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return f"{type(exc).__name__}: {exc}"


def write_error(index_dir: Path, why: str | BaseException) -> IndexWriteError:
    """The error of a failed write (``why``: the reason, or the exception that says it)."""
    return IndexWriteError(
        f"cannot write the index at {display(index_dir)}: "
        f"{why if isinstance(why, str) else reason(why)}",
        hint="The previous index is unchanged."
        if _has_index(index_dir)
        else "No index was written.",
    )


def _has_index(index_dir: Path) -> bool:
    try:
        return store.current(index_dir) is not None
    except Exception:  # a symlink, permissions: what is true of most cases
        return True


# Worker processes: below this many notes to read, starting them costs more
# than it saves (each imports Whoosh and the Markdown parser: about 0.3 s).
PARALLEL_MIN = 200


MAX_WORKERS = 4


def worker_count(jobs: int | None, pending: int) -> int:
    if jobs is None:
        if pending < PARALLEL_MIN:
            return 1
        try:
            cpus = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            cpus = os.cpu_count() or 1
        jobs = min(cpus, MAX_WORKERS)
    return max(1, min(jobs, pending))


@dataclass(slots=True)
class Work:
    """What worker processes wrote into an unfinished generation."""

    tmp: Path
    ix: Any
    outcomes: list[Outcome]
    segments: list[Any]


def in_parallel(
    index_dir: Path,
    base: Path | None,
    notes_dir: Path,
    pending: list[tuple[NoteFile, NoteEntry | None]],
    max_bytes: int,
    note_set: NoteSet,
    workers: int,
    on_progress: ProgressSink | None,
) -> Work:
    """Read, parse and index ``pending`` in worker processes, one segment each.

    Each worker takes every n-th note, writes its sections into its own
    segment of a new generation (Whoosh segments are independent files), and
    sends back what it found about each note; the caller commits the
    segments together. Outcomes come back in ``pending`` order. If anything
    fails (a worker dies, Ctrl-C), the workers are stopped and the unfinished
    generation removed; the live index is never touched.
    """
    import multiprocessing
    from multiprocessing.connection import wait

    try:
        tmp, ix = new_generation(index_dir, base)
    except Exception as exc:  # the OS's, or Whoosh's own errors
        raise write_error(index_dir, exc) from exc
    # "spawn": a fresh interpreter per worker, safe whatever threads this
    # process runs (a progress bar, a watch); fork is not. One plain pipe per
    # worker, no Queue or Value: those hold POSIX semaphores, which a killed
    # parent leaves to multiprocessing's resource tracker, and its "leaked
    # semaphore objects" warning would reach the user's stderr.
    context = multiprocessing.get_context("spawn")
    pipes = [context.Pipe(duplex=False) for _ in range(workers)]
    procs = [
        context.Process(
            target=_worker,
            args=(k, str(tmp), str(notes_dir), pending[k::workers], max_bytes, note_set),
            kwargs={"results": Sender(pipes[k][1]), "parent": os.getpid()},
            daemon=True,
        )
        for k in range(workers)
    ]
    answers: dict[int, tuple[list[Outcome], Any]] = {}
    done = [0] * workers
    readers: dict[Any, int] = {pipes[k][0]: k for k in range(workers)}
    try:
        # Workers ignore Ctrl-C (one interrupted while it starts would print a
        # traceback; Ctrl-C is the parent's to handle: it stops them). An ignored
        # signal stays ignored in a child, and a blocked one stays pending, so a
        # Ctrl-C in between is delivered once they have started.
        with handling({"SIGINT": signal.SIG_IGN}, block=("SIGINT",)):
            for proc in procs:
                proc.start()
        for _, sending in pipes:
            sending.close()  # the workers hold theirs: EOF means a worker is gone
        while len(answers) < workers:
            if on_progress is not None:
                on_progress(sum(done), len(pending))
            ready: list[Any] = wait(list(readers), timeout=0.2)
            for conn in ready:
                k = readers[conn]
                try:
                    message: Any = conn.recv()
                except EOFError:
                    procs[k].join(5)
                    code = procs[k].exitcode  # killed (out of memory?) before it could say why
                    raise write_error(
                        index_dir, f"a worker process ended with exit code {code}"
                    ) from None
                if len(message) == 2:  # (k, notes done so far)
                    done[k] = message[1]
                    continue
                _, failure, outcomes, segment = message
                if failure:
                    raise write_error(index_dir, failure)
                answers[k] = (outcomes, segment)
                done[k] = len(outcomes)
                del readers[conn]
        for proc in procs:
            proc.join()
    except BaseException:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            with contextlib.suppress(AssertionError):  # never started
                proc.join()
        with contextlib.suppress(Exception):
            ix.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        for receiving, sending in pipes:
            receiving.close()
            sending.close()
    ordered: list[Outcome] = [None] * len(pending)  # type: ignore[list-item]
    for k, (outcomes, _) in answers.items():
        ordered[k::workers] = outcomes
    segments = [segment for _, segment in answers.values() if segment is not None]
    return Work(tmp=tmp, ix=ix, outcomes=ordered, segments=segments)


class Sender:
    """A worker's end of its pipe to the parent: ``put`` a message (picklable to a worker)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def put(self, message: tuple[Any, ...]) -> None:
        self.conn.send(message)


def _die_with(parent: int) -> None:
    """End this worker when its parent dies, even by SIGKILL (then nobody reads its
    results, and it would hold the caller's stdout and stderr open: ``| tee`` hangs).

    On Linux the kernel sends the signal (PR_SET_PDEATHSIG); elsewhere, and for
    a parent that died before this ran, the loop over notes checks the parent.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def _worker(
    k: int,
    tmp: str,
    root: str,
    share: list[tuple[NoteFile, NoteEntry | None]],
    max_bytes: int,
    note_set: NoteSet,
    *,
    results: Any,
    parent: int,
) -> None:
    """A worker process: read, parse and index ``share`` into a segment of its own.

    Puts (k, notes done) on ``results`` as it goes, then (k, failure,
    outcomes, segment): failure is "" when all went well, else the one-line
    reason (outcomes and segment None). Should the parent stop reading, it is
    dead, and so is this worker (see :func:`_die_with`): a send never blocks
    for ever.
    """
    _die_with(parent)
    try:
        from whoosh.writing import SegmentWriter

        ix = _safe_storage()(tmp).open_index()
        try:
            # No Whoosh lock: the parent holds the index lock, and each worker
            # writes only its own, randomly named segment files.
            writer = SegmentWriter(ix, _lk=False, limitmb=128, compound=False)
            outcomes = []
            for note_file, old in share:
                if os.getppid() != parent:  # the parent was killed: stop, write nothing
                    os._exit(1)
                outcome, note = examine(Path(root), note_file, old, max_bytes)
                if note is not None:
                    for doc in documents(note, note_set, note.aliases):
                        writer.add_document(**doc)
                outcomes.append(outcome)
                if len(outcomes) % 16 == 0:
                    results.put((k, len(outcomes)))
            segment = writer._finalize_segment() if writer._added else None
            if segment is None:
                writer._close_segment()
        finally:
            ix.close()
    except Exception as exc:
        results.put((k, reason(exc), None, None))
    else:
        results.put((k, "", outcomes, segment))
