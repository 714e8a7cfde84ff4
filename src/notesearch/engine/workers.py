"""Worker processes: each reads, parses and indexes a share of the notes into segments
of its own (written by :class:`~.segments.SegmentBuilder`)."""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import IndexWriteError
from ..notes.discover import NoteFile
from ..notes.links import NoteSet
from ..paths import display
from ..records import record
from ..signals import handling
from . import seal, segments, store
from .documents import Outcome, documents, examine
from .tables import NoteEntry

ProgressSink = Callable[[int, int], None]


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


# Postings held in memory by all processes together, before each finishes a
# segment and starts the next: at most this, or an eighth of the memory.
POOL_BUDGET = 320 * 1024 * 1024


# Allocations between two young garbage collections in a worker (Python's default: 700).
_YOUNG_COLLECTION = 20_000


def worker_count(jobs: int | None, pending: int) -> int:
    """How many processes index ``pending`` notes: ``jobs``, or one per usable CPU."""
    if jobs is None:
        if pending < PARALLEL_MIN:
            return 1
        jobs = _cpus()
    return max(1, min(jobs, pending))


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def pool_limit(workers: int) -> int:
    """The postings each of ``workers`` processes may hold before finishing a segment."""
    budget = POOL_BUDGET
    with contextlib.suppress(AttributeError, ValueError, OSError):  # no sysconf here
        budget = min(budget, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 8)
    return max(budget // workers, 8 * 1024 * 1024)


@record(frozen=False)
class Work:
    """What worker processes wrote into an unfinished generation."""

    tmp: Path
    ix: Any
    outcomes: list[Outcome]
    segments: list[Any]
    sealed: dict[str, seal.Entry]  # the seal entries of the segments' files, hashed


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
    """Read, parse and index ``pending`` in worker processes, into segments of their own.

    Each worker takes every n-th note, writes its sections into segments of
    its own in a new generation (Whoosh segments are independent files), and
    sends back what it found about each note; the caller commits the
    segments together. Outcomes come back in ``pending`` order. If anything
    fails (a worker dies, Ctrl-C), the workers are stopped and the unfinished
    generation removed; the live index is never touched.
    """
    import multiprocessing
    from multiprocessing import resource_tracker
    from multiprocessing.connection import wait

    try:
        tmp, ix = segments.new_generation(index_dir, base)
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
            kwargs={
                "results": Sender(pipes[k][1]),
                "parent": os.getpid(),
                "limit": pool_limit(workers),
            },
            daemon=True,
        )
        for k in range(workers)
    ]
    answers: dict[int, tuple[list[Outcome], list[Any], dict[str, seal.Entry]]] = {}
    done = [0] * workers
    readers: dict[Any, int] = {pipes[k][0]: k for k in range(workers)}
    try:
        # Workers ignore Ctrl-C (one interrupted while it starts would print a
        # traceback; Ctrl-C is the parent's to handle: it stops them). An ignored
        # signal stays ignored in a child, and a blocked one stays pending, so a
        # Ctrl-C in between is delivered once they have started. The first spawn
        # starts multiprocessing's resource tracker, which unblocks SIGINT on its
        # way (resource_tracker.ensure_running): a Ctrl-C then met SIG_IGN and was
        # lost, and the run went on. Started before, the tracker is left alone.
        resource_tracker.ensure_running()
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
                _, failure, outcomes, written, sealed = message
                if failure:
                    raise write_error(index_dir, failure)
                answers[k] = (outcomes, written, sealed)
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
    for k, (outcomes, _, _) in answers.items():
        ordered[k::workers] = outcomes
    written = [segment for _, each, _ in answers.values() for segment in each]
    sealed = {name: entry for _, _, each in answers.values() for name, entry in each.items()}
    return Work(tmp=tmp, ix=ix, outcomes=ordered, segments=written, sealed=sealed)


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
    limit: int,
) -> None:
    """A worker process: read, parse and index ``share`` into segments of its own.

    Puts (k, notes done) on ``results`` as it goes, then (k, failure,
    outcomes, segments, seal entries of their files): failure is "" when all
    went well, else the one-line reason (the rest None). ``limit`` bounds the postings it
    holds in memory (see :func:`pool_limit`). Should the parent stop reading, it is
    dead, and so is this worker (see :func:`_die_with`): a send never blocks
    for ever.
    """
    _die_with(parent)
    # What a worker allocates lives until its segment is written (postings,
    # terms) or is dropped with its note, never in cycles worth chasing: a
    # young collection every 700 allocations over a growing heap cost about
    # 5 % of a worker's time, one every 20,000 a fifth of that.
    gc.set_threshold(_YOUNG_COLLECTION, *gc.get_threshold()[1:])
    try:
        ix = segments.open_generation(tmp)
        try:
            builder = segments.SegmentBuilder(ix, limit)
            outcomes = []
            for note_file, old in share:
                if os.getppid() != parent:  # the parent was killed: stop, write nothing
                    os._exit(1)
                outcome, note = examine(Path(root), note_file, old, max_bytes)
                if note is not None:
                    for doc in documents(note, note_set, note.aliases):
                        builder.add(doc)
                outcomes.append(outcome)
                if len(outcomes) % 16 == 0:
                    results.put((k, len(outcomes)))
            written = builder.finish()
        finally:
            ix.close()
        # Written to disk and hashed here, in parallel with the other workers,
        # not by the parent once they all have finished.
        names = segments.segment_files(tmp, written)
        store.sync(Path(tmp), names)
        sealed = seal.hashed(Path(tmp), names)
    except Exception as exc:
        results.put((k, reason(exc), None, None, None))
    else:
        results.put((k, "", outcomes, written, sealed))
        # All is sent: what is left is freeing what the worker holds (its
        # analyzer's caches, Whoosh's objects), which the kernel does at once
        # and the interpreter's teardown in about 0.2 s that the parent waits.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
