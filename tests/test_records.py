"""Records (notesearch.records) behave as the frozen, slotted dataclasses they replace."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import subprocess
import sys
from typing import Any

import pytest

from notesearch import records
from notesearch.models import Diagnostic, IndexStats, Link, Section
from notesearch.records import FrozenRecordError, field, record


@record
class Point:
    """A point."""

    x: int
    y: int = 0
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total(self) -> int:
        return self.x + self.y


@record(frozen=False)
class Tally:
    count: int = 0
    seen: list[str] = field(default_factory=list)


@dataclasses.dataclass(frozen=True, slots=True)
class DataPoint:
    """The same point, as a dataclass."""

    x: int
    y: int = 0
    tags: tuple[str, ...] = dataclasses.field(default_factory=tuple)

    @property
    def total(self) -> int:
        return self.x + self.y


def _both(make: Any) -> tuple[Any, Any]:
    return make(Point), make(DataPoint)


@pytest.mark.parametrize(
    "case",
    [
        lambda cls: cls(1),
        lambda cls: cls(1, 2),
        lambda cls: cls(x=1, y=2),
        lambda cls: cls(1, tags=("a",)),
        lambda cls: cls(3, 4, ("b", "c")),
    ],
    ids=["default", "positional", "by name", "one by name", "all"],
)
def test_a_record_holds_what_a_dataclass_holds(case: Any) -> None:
    mine, theirs = _both(case)
    assert (mine.x, mine.y, mine.tags, mine.total) == (
        theirs.x,
        theirs.y,
        theirs.tags,
        theirs.total,
    )
    assert repr(mine) == repr(theirs).replace("DataPoint", "Point")
    assert records.asdict(mine) == dataclasses.asdict(theirs)
    assert records.names(mine) == tuple(f.name for f in dataclasses.fields(theirs))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Point(), "missing the argument 'x'"),
        (lambda: Point(1, 2, (), 4), "takes 3 arguments but 4 were given"),
        (lambda: Point(1, z=2), "unexpected argument 'z'"),
        (lambda: Point(1, x=2), "unexpected argument 'x'"),
    ],
    ids=["missing", "too many", "unknown name", "twice"],
)
def test_wrong_arguments_are_a_type_error(make: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        make()


def test_equality_and_hash_are_by_value_and_class() -> None:
    assert Point(1, 2) == Point(1, 2) and hash(Point(1, 2)) == hash(Point(1, 2))
    assert Point(1, 2) != Point(2, 1)
    assert Point(1, 2) != DataPoint(1, 2)  # another class, same fields
    assert Point(1, 2) != (1, 2, ())
    assert len({Point(1), Point(1), Point(2)}) == 2


@pytest.mark.parametrize(
    "change",
    [
        lambda p: setattr(p, "x", 5),
        lambda p: setattr(p, "other", 5),
        lambda p: delattr(p, "x"),
    ],
    ids=["set a field", "set another name", "delete a field"],
)
def test_a_frozen_record_cannot_change(change: Any) -> None:
    point = Point(1, 2)
    with pytest.raises(FrozenRecordError):
        change(point)
    assert isinstance(FrozenRecordError(), AttributeError)
    assert point == Point(1, 2)


def test_a_mutable_record_changes_has_fresh_defaults_and_no_hash() -> None:
    one, two = Tally(), Tally()
    one.count += 1
    one.seen.append("a")
    assert (one.count, one.seen, two.seen) == (1, ["a"], [])
    assert one == Tally(1, ["a"])
    with pytest.raises(TypeError):
        hash(one)
    with pytest.raises(AttributeError):
        one.other = 1  # type: ignore[attr-defined]  # slots: no other attribute


@pytest.mark.parametrize(
    "value",
    [
        Point(1, 2, ("a",)),
        Tally(3, ["x"]),
        Link("markdown", "[a](b.md)", 3, path="b.md"),
        Diagnostic("bad", "a.md", 2),
        IndexStats(notes=2, warnings=[Diagnostic("w")]),
    ],
    ids=["frozen", "mutable", "link", "diagnostic", "stats"],
)
def test_records_pickle_and_copy_by_value(value: Any) -> None:
    for again in (
        pickle.loads(pickle.dumps(value)),
        copy.copy(value),
        copy.deepcopy(value),
    ):
        assert again == value and type(again) is type(value)


def test_replace_makes_a_changed_copy_and_refuses_unknown_fields() -> None:
    point = Point(1, 2)
    assert records.replace(point, y=5) == Point(1, 5) and point == Point(1, 2)
    with pytest.raises(TypeError, match="no field 'z'"):
        records.replace(point, z=1)


def test_asdict_turns_nested_records_into_dicts() -> None:
    link = Link("wiki", "[[b]]", 4, path="b.md")
    section = Section("a.md", "A", "H", 1, (), "h", 1, 2, ("t",), (link,), "text")
    data = records.asdict(section)
    assert data["links"] == ({**records.asdict(link)},)
    assert data["links"][0]["path"] == "b.md" and data["tags"] == ("t",)


def test_match_args_follow_the_fields() -> None:
    match Point(1, 2):
        case Point(x, y):
            assert (x, y) == (1, 2)
        case _:  # pragma: no cover
            pytest.fail("no match")


def test_a_record_cannot_subclass() -> None:
    class Base:
        pass

    with pytest.raises(TypeError, match="cannot subclass"):

        @record
        class Child(Base):
            x: int


def test_making_the_records_compiles_no_code() -> None:
    """The point of records: importing the models runs no source text through exec
    and imports no dataclasses (each compiled method cost a cold query about 0.15 ms)."""
    code = (
        "import builtins, sys\n"
        "calls = []\n"
        "real = builtins.exec\n"
        "builtins.exec = lambda *a, **k: (calls.append(type(a[0])), real(*a, **k))[1]\n"
        "import notesearch.models, notesearch.settings, notesearch.engine.tables\n"
        "print(calls.count(str), 'dataclasses' in sys.modules)\n"  # source text compiled
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.split() == ["0", "False"]
