"""Records: slotted classes of named fields, as ``dataclasses`` makes them, without compiling.

``@dataclass`` writes each class's ``__init__``, ``__eq__``, ``__hash__``,
``__repr__`` (and for a frozen class ``__setattr__`` and ``__delattr__``) as
source text and compiles it when the module is imported: 0.5-1 ms a class.
A cold ``notesearch query`` creates 27 such classes, and that was 22-28 ms of
its 200-260 ms (10,000 notes), paid again by every process; ``notesearch
index`` with nothing to do paid 23 ms of its 100. :func:`record` makes the
same kind of class from shared methods that are compiled once, with the
module's bytecode: about 0.1 ms a class.

What a record is, as for ``@dataclass(frozen=True, slots=True)``:

- its fields are the class's annotations, in order, each with the class
  attribute of its name as its default, or :func:`field` for a default made
  anew for each record (``field(default_factory=list)``);
- ``__init__`` takes them by position or by name; ``__eq__`` compares two
  records of the same class field by field, ``__hash__`` hashes them (frozen
  records only; a mutable one is unhashable), ``__repr__`` shows them;
- a frozen record refuses ``obj.name = value`` (:class:`FrozenRecordError`,
  an ``AttributeError``); it pickles and copies by its fields;
- :func:`replace`, :func:`names` and :func:`asdict` stand in for
  ``dataclasses.replace``, ``fields`` and ``asdict``.

To type checkers a record is a dataclass (:pep:`681`'s ``dataclass_transform``).
"""

from __future__ import annotations

from operator import attrgetter

TYPE_CHECKING = False  # typing's, without importing typing (see notesearch.shortcut)

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar, overload

    from typing_extensions import dataclass_transform

    T = TypeVar("T")
    R = TypeVar("R")

_MISSING: Any = object()


class FrozenRecordError(AttributeError):
    """An assignment to a field of a frozen record (``dataclasses.FrozenInstanceError``)."""


class _Factory:
    """A default made anew for each record: ``field(default_factory=list)``."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], T]) -> T:
    """A field whose default is ``default_factory()``, called for each record."""
    # Typed as the value it stands for, as dataclasses.field is.
    return _Factory(default_factory)  # type: ignore[return-value]


def names(cls_or_record: Any) -> tuple[str, ...]:
    """The field names of a record class (or of a record), in order."""
    found: tuple[str, ...] = cls_or_record.__record_fields__
    return found


def replace(obj: R, /, **changes: Any) -> R:
    """A copy of the record ``obj`` with some fields changed (``dataclasses.replace``)."""
    kwargs = {name: getattr(obj, name) for name in names(obj)}
    for name in changes:
        if name not in kwargs:
            raise TypeError(f"{type(obj).__qualname__} has no field {name!r}")
    kwargs.update(changes)
    made: R = type(obj)(**kwargs)
    return made


def asdict(obj: Any) -> Any:
    """A record as a dict, records inside it too (``dataclasses.asdict``)."""
    if hasattr(type(obj), "__record_fields__"):
        return {name: asdict(getattr(obj, name)) for name in names(obj)}
    if isinstance(obj, (list, tuple)):
        return type(obj)(asdict(v) for v in obj)
    if isinstance(obj, dict):
        return {asdict(k): asdict(v) for k, v in obj.items()}
    return obj


def _init(fields: tuple[str, ...], defaults: dict[str, Any], label: str) -> Callable[..., None]:
    count = len(fields)
    set_field = object.__setattr__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        given = len(args)
        if given > count:
            raise TypeError(f"{label}() takes {count} arguments but {given} were given")
        for name, value in zip(fields, args, strict=False):
            set_field(self, name, value)
        for name in fields[given:]:
            value = kwargs.pop(name, _MISSING)
            if value is _MISSING:
                value = defaults.get(name, _MISSING)
                if value is _MISSING:
                    raise TypeError(f"{label}() missing the argument {name!r}")
                if type(value) is _Factory:
                    value = value.make()
            set_field(self, name, value)
        if kwargs:
            raise TypeError(f"{label}() got an unexpected argument {next(iter(kwargs))!r}")

    return __init__


def _values(fields: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    if len(fields) == 1:
        one = attrgetter(fields[0])
        return lambda obj: (one(obj),)
    if not fields:
        return lambda obj: ()
    values: Callable[[Any], tuple[Any, ...]] = attrgetter(*fields)
    return values


class _Record:
    """The methods every record shares (see the module docstring)."""

    __slots__ = ()
    __record_fields__: tuple[str, ...] = ()
    _record_values: Callable[[Any], tuple[Any, ...]]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        values = self._record_values
        return values(self) == values(other)

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__record_fields__)
        return f"{type(self).__qualname__}({shown})"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (type(self), self._record_values(self))


class _FrozenRecord(_Record):
    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self._record_values(self))

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenRecordError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenRecordError(f"cannot delete field {name!r}")


def _make(cls: type, frozen: bool) -> type:
    body = dict(cls.__dict__)
    fields = tuple(body.get("__annotations__", {}))
    defaults = {name: body.pop(name) for name in fields if name in body}
    for name in ("__dict__", "__weakref__"):
        body.pop(name, None)
    body["__slots__"] = fields
    body["__record_fields__"] = fields
    body["__match_args__"] = fields
    body["_record_values"] = staticmethod(_values(fields))
    body["__init__"] = _init(fields, defaults, cls.__qualname__)
    if not frozen:
        body["__hash__"] = None  # mutable and compared by value, as a dataclass
    if cls.__bases__ != (object,):
        raise TypeError(f"a record cannot subclass: {cls.__qualname__}")
    made = type(cls.__name__, (_FrozenRecord if frozen else _Record,), body)
    made.__qualname__ = cls.__qualname__
    return made


if TYPE_CHECKING:

    @overload
    def record(cls: type[T], /) -> type[T]: ...

    @overload
    def record(*, frozen: bool = True) -> Callable[[type[T]], type[T]]: ...

    @dataclass_transform(frozen_default=True, field_specifiers=(field,))
    def record(cls: type[T] | None = None, /, *, frozen: bool = True) -> Any: ...

else:

    def record(cls=None, /, *, frozen=True):
        """Make ``cls`` a record (frozen unless ``frozen=False``); see the module docstring."""
        if cls is None:
            return lambda c: _make(c, frozen)
        return _make(cls, frozen)
