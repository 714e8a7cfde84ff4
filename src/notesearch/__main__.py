"""``python -m notesearch`` and the ``notesearch`` console script (:func:`run`)."""

from __future__ import annotations

from .collector import pause


def run() -> None:
    """The process's entry point: the garbage collector paused (:mod:`.collector`), then
    the command line (imported only now, so its imports run paused too)."""
    pause()
    from .cli import run as run_cli

    run_cli()


if __name__ == "__main__":
    run()
