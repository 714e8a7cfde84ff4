"""Whoosh modules that a query never uses, imported only if something does use them.

``whoosh.query.terms`` imports ``whoosh.lang.morph_en`` (English word
variations, for a ``Variations`` query) at import time: a table of several
hundred regular expressions, about a fifth of Whoosh's import time, on every
query. notesearch never builds that query. So a stand-in module takes its
place in ``sys.modules`` until then, and the first call of one of its
functions, or the first look-up of any other name in it, imports the real
module and uses it from then on. The same for the date helpers (no date
fields), Double Metaphone (no phonetic analysis), the Levenshtein automata
(only a fuzzy~ word needs them) and Whoosh's highlighter (only Whoosh's own
results make one).
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable

TYPE_CHECKING = False  # typing's, without importing typing (see notesearch.shortcut)
if TYPE_CHECKING:
    from typing import Any

# module -> the functions Whoosh imports from it by name (``from m import f``)
DEFERRED: dict[str, tuple[str, ...]] = {
    "whoosh.lang.morph_en": ("variations",),
    "whoosh.util.times": ("datetime_to_long", "long_to_datetime"),
    "whoosh.lang.dmetaphone": ("double_metaphone",),
    "whoosh.automata.lev": (),  # ``from whoosh.automata import lev``: the module itself
    # ``from whoosh import highlight`` (and with it ``html``): Whoosh's own results
    # make a Highlighter, but a query of plain words is scored from the postings.
    "whoosh.highlight": (),
}


class _StandIn(types.ModuleType):
    """A module not imported yet: its functions import it when first called, and so
    does the look-up of any other name."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # what the import system asks of any module
            raise AttributeError(name)
        return getattr(load(self.__name__), name)


def defer_unused_modules() -> None:
    """Put stand-ins for :data:`DEFERRED` in place (not for a module already imported)."""
    for name, functions in DEFERRED.items():
        if name in sys.modules:
            continue
        stand_in = _StandIn(name, f"{name}, imported on first use (notesearch.engine.deferred)")
        for function in functions:
            setattr(stand_in, function, _forward(name, function))
        sys.modules[name] = stand_in


def load(name: str) -> types.ModuleType:
    """The real module ``name``, imported now if only its stand-in was."""
    module = sys.modules.get(name)
    if module is None or isinstance(module, _StandIn):
        sys.modules.pop(name, None)
        module = importlib.import_module(name)
    return module


def _forward(module: str, function: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(load(module), function)(*args, **kwargs)

    call.__name__ = call.__qualname__ = function
    return call
