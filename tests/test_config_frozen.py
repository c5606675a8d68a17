"""`config.frozen.frozen`: a frozen dataclass without generated code behaves as `dataclass(frozen=True)`.

Each check builds the same class twice, once with `@frozen` and once with `@dataclass(frozen=True)`,
and asks both the same questions: construction (positional, keyword, defaults, factories, the
errors of a wrong call), equality, hashing (a `hash=False` field left out), repr, assignment refused,
and the `dataclasses` functions (fields, replace, asdict, is_dataclass), pickling and copying.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import FrozenInstanceError, dataclass, field
from pathlib import Path

import pytest

from config.frozen import frozen


def make(decorate):  # type: ignore[no-untyped-def]
    @decorate
    class Sample:
        """A sample record."""

        name: str
        count: int
        labels: dict[str, str] = field(hash=False)
        path: Path | None = None
        size: tuple[int, int] = (1, 2)
        tags: list[str] = field(default_factory=list, hash=False)
        secret: str = field(default="", repr=False)

        def describe(self) -> str:
            return f"{self.name}:{self.count}"

    return Sample


NEW, OLD = make(frozen), make(dataclass(frozen=True))


def both(*args, **kwargs):  # type: ignore[no-untyped-def]
    return NEW(*args, **kwargs), OLD(*args, **kwargs)


def test_construction_and_defaults_as_a_dataclass() -> None:
    new, old = both("a", 1, {"it": "uno"}, size=(3, 4))
    assert [getattr(new, f.name) for f in dataclasses.fields(NEW)] == \
        [getattr(old, f.name) for f in dataclasses.fields(OLD)] == ["a", 1, {"it": "uno"}, None, (3, 4), [], ""]
    assert new.describe() == "a:1"
    assert NEW("b", 2, {}).tags is not NEW("b", 2, {}).tags  # a fresh list each time, as default_factory says
    assert NEW.__match_args__ == OLD.__match_args__
    assert NEW.__doc__ == "A sample record."


@pytest.mark.parametrize(("args", "kwargs"), [(("a",), {}), (("a", 1, {}, None, (1, 2), [], "", "extra"), {}),
                                              (("a", 1, {}), {"colour": "red"}), (("a", 1, {}), {"count": 2})])
def test_a_wrong_call_is_a_type_error_as_for_a_dataclass(args: tuple, kwargs: dict) -> None:
    with pytest.raises(TypeError):
        OLD(*args, **kwargs)
    with pytest.raises(TypeError) as wrong:
        NEW(*args, **kwargs)
    assert "Sample" in str(wrong.value)


def test_equality_hash_and_repr_as_a_dataclass() -> None:
    (a_new, a_old), (b_new, b_old) = both("a", 1, {"it": "uno"}), both("a", 1, {"it": "uno"}, tags=["x"])
    assert (a_new == NEW("a", 1, {"it": "uno"})) and (a_old == OLD("a", 1, {"it": "uno"}))
    assert (a_new != b_new) and (a_old != b_old)  # tags differ: compared, though not hashed
    assert hash(a_new) == hash(b_new) == hash(a_old) == hash(b_old)  # labels and tags are left out of the hash
    assert a_new != a_old and a_new != ("a", 1)  # another class is never equal
    assert {a_new: 1}[NEW("a", 1, {"it": "uno"})] == 1
    assert repr(a_new) == repr(a_old) == "make.<locals>.Sample(name='a', count=1, labels={'it': 'uno'}, path=None, " \
        "size=(1, 2), tags=[])"


def test_assignment_is_refused_as_for_a_frozen_dataclass() -> None:
    new, old = both("a", 1, {})
    for record in (new, old):
        with pytest.raises(FrozenInstanceError, match="cannot assign to field 'count'"):
            record.count = 2  # type: ignore[misc]
        with pytest.raises(FrozenInstanceError):
            del record.name  # type: ignore[misc]
        with pytest.raises(FrozenInstanceError):
            record.other = 3  # type: ignore[attr-defined]
    assert new.count == 1


def test_dataclasses_functions_pickle_and_copy_work() -> None:
    new, old = both("a", 1, {"it": "uno"}, Path("/x"))
    assert dataclasses.is_dataclass(new)
    assert dataclasses.asdict(new) == dataclasses.asdict(old)
    changed = dataclasses.replace(new, count=5)
    assert type(changed) is NEW and changed.count == 5 and changed.labels == {"it": "uno"} and new.count == 1
    for twin in (copy.copy(new), copy.deepcopy(new)):
        assert twin == new


def test_a_field_without_default_after_one_with_is_refused_at_the_class() -> None:
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        @frozen
        class Bad:
            a: int = 0
            b: int


def test_the_site_file_objects_are_frozen_records(config) -> None:  # type: ignore[no-untyped-def]
    from config import load_config

    again = load_config(config.source)
    assert again.services == config.services and again.hours == config.hours and again.printer == config.printer
    assert hash(again.services[0]) == hash(config.services[0])
    assert pickle.loads(pickle.dumps(config)) == config
    assert dataclasses.replace(config, desks=()).desks == () and config.desks
    with pytest.raises(FrozenInstanceError):
        config.site.name = "x"  # type: ignore[misc]


def test_methods_the_class_writes_itself_stay_as_with_dataclass() -> None:
    for decorate in (frozen, dataclass(frozen=True)):
        @decorate
        class Own:
            a: int

            def __repr__(self) -> str:
                return "own"

            def __eq__(self, other: object) -> bool:
                return True

            def __hash__(self) -> int:
                return 7

        assert (repr(Own(1)), Own(1) == Own(2), hash(Own(1))) == ("own", True, 7)
