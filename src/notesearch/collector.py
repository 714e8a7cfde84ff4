"""The cyclic garbage collector paused while a command starts (issue 18).

A command's start allocates tens of thousands of objects that live as long
as the process (modules, classes, functions, Whoosh's readers), and the
collector walks them again and again as they pile up: about 5 % of a cold
query's instructions, for nothing to free. So the entry point pauses it
before the first heavy import (:func:`pause`). A query's process ends soon
after: it stays paused. An index run resumes it once there is real work to
do (notes to read and write), and every other command once it is chosen,
with what is alive by then frozen (``gc.freeze``: never walked again).

Only a pause made here is resumed: a program that calls the library with
the collector off keeps it off.
"""

from __future__ import annotations

import gc

_paused = [False]  # pause() turned the collector off and resume() has not turned it on


def pause() -> None:
    """Turn the collector off for the start of a command (when it is on)."""
    if gc.isenabled():
        gc.disable()
        _paused[0] = True


def paused() -> bool:
    """Whether :func:`pause` turned the collector off and it is still off."""
    return _paused[0]


def resume() -> None:
    """Turn the collector back on after :func:`pause`, what is alive now frozen out of its
    walks; nothing when :func:`pause` did not turn it off."""
    if _paused[0]:
        _paused[0] = False
        gc.freeze()
        gc.enable()
