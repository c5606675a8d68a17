"""`@frozen`: a frozen dataclass without the start-up cost of generating its methods.

`dataclasses.dataclass(frozen=True)` writes six methods for each class (`__init__`, `__repr__`,
`__eq__`, `__hash__`, `__setattr__`, `__delattr__`) as source text and compiles each one on Python
3.11: about 0.8 ms a class, 15 ms for the site file's classes alone, paid by every `totem` command and
every start before it does anything (issue 21, point 2). `@frozen` asks `dataclass` for its
bookkeeping only (the fields with their defaults and factories, `__match_args__`: no code is
generated) and gives the class methods written once, here, that read its list of fields:

- `__init__` takes the fields in order, positionally or by name, fills defaults and factories, and
  raises TypeError for a missing, unknown, repeated or extra argument (a call that gives every field
  in order is as fast as the generated one);
- `__eq__` compares the fields with `compare=True` of two objects of the same class (else
  NotImplemented), `__hash__` hashes those with `hash=True`, or `hash=None` and `compare=True`;
- `__repr__` shows the fields with `repr=True` (each of these three only when the class does not
  write its own, as dataclass does); assigning or deleting any attribute raises
  `FrozenInstanceError`, as on a frozen dataclass.

So `dataclasses.fields`, `replace`, `asdict` and `is_dataclass`, pickling and copying work unchanged.
Not supported (no class here uses them): `__post_init__`, `InitVar`, `order=True`, inheriting from
or by another dataclass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, Field, FrozenInstanceError, dataclass, fields
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T", bound=type)


@dataclass_transform(frozen_default=True, field_specifiers=(Field,))
def frozen(cls: T) -> T:
    """Make `cls` a frozen dataclass (see the module's docstring)."""
    own = dict(cls.__dict__)
    if "__post_init__" in own or "__setattr__" in own or "__delattr__" in own:
        raise TypeError(f"@frozen {cls.__name__}: __post_init__, __setattr__ and __delattr__ are not supported")
    explicit_hash = "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own)
    doc = cls.__dict__.get("__doc__")
    cls.__doc__ = doc or cls.__name__  # dataclass would call inspect.signature to write one: it is unused
    cls = dataclass(init=False, repr=False, eq=False)(cls)
    every = fields(cls)
    positional = [f for f in every if f.init and not f.kw_only]
    defaulted = ""
    for f in positional:
        if f.default is not MISSING or f.default_factory is not MISSING:
            defaulted = f.name
        elif defaulted:
            raise TypeError(f"non-default argument {f.name!r} follows default argument {defaulted!r}")
    cls.__init__ = _init(cls.__name__, every)  # type: ignore[misc]
    if "__repr__" not in own:  # as dataclass: a method the class writes itself stays
        cls.__repr__ = _repr(tuple(f.name for f in every if f.repr))  # type: ignore[method-assign]
    if "__eq__" not in own:
        cls.__eq__ = _eq(_values(tuple(f.name for f in every if f.compare)))  # type: ignore[method-assign]
    if not explicit_hash:
        hashed = _values(tuple(f.name for f in every if (f.compare if f.hash is None else f.hash)))
        cls.__hash__ = lambda self: hash(hashed(self))  # type: ignore[method-assign]
    names = frozenset(f.name for f in every)
    cls.__setattr__ = _refuse(cls, names, "assign to")  # type: ignore[method-assign]
    cls.__delattr__ = _refuse(cls, names, "delete")  # type: ignore[method-assign]
    if not doc:
        cls.__doc__ = f"{cls.__name__}({', '.join(f.name for f in every)})"
    return cls


def _values(names: tuple[str, ...]) -> Callable[[object], tuple[Any, ...]]:
    if len(names) >= 2:
        return attrgetter(*names)  # type: ignore[return-value]
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()


def _init(name: str, every: tuple[Field[Any], ...]) -> Callable[..., None]:
    init = tuple(f for f in every if f.init)
    by_name = {f.name: f for f in init}
    order = tuple(f.name for f in init if not f.kw_only)
    filled = tuple(f for f in every if f.init or f.default is not MISSING or f.default_factory is not MISSING)
    simple = len(filled) == len(order)  # every field is a positional argument: a full call needs no lookups

    def construct(self: object, *args: Any, **kwargs: Any) -> None:
        if simple and not kwargs and len(args) == len(order):
            self.__dict__.update(zip(order, args, strict=True))
            return
        if len(args) > len(order):
            raise TypeError(f"{name}.__init__() takes {len(order) + 1} positional arguments but "
                            f"{len(args) + 1} were given")
        values = dict(zip(order, args, strict=False))
        for key, value in kwargs.items():
            if key not in by_name:
                raise TypeError(f"{name}.__init__() got an unexpected keyword argument {key!r}")
            if key in values:
                raise TypeError(f"{name}.__init__() got multiple values for argument {key!r}")
            values[key] = value
        for f in filled:
            if f.init and f.name in values:
                value = values[f.name]
            elif f.default is not MISSING:
                value = f.default
            elif f.default_factory is not MISSING:
                value = f.default_factory()
            else:
                raise TypeError(f"{name}.__init__() missing required argument: {f.name!r}")
            self.__dict__[f.name] = value

    construct.__name__ = construct.__qualname__ = "__init__"
    return construct


def _repr(names: tuple[str, ...]) -> Callable[[object], str]:
    def show(self: object) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
        return f"{self.__class__.__qualname__}({shown})"

    return show


def _eq(values: Callable[[object], tuple[Any, ...]]) -> Callable[[object, object], bool]:
    def equal(self: object, other: object) -> bool:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return equal


def _refuse(cls: type, names: frozenset[str], what: str) -> Callable[..., None]:
    def refuse(self: object, name: str, *value: object) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot {what} field {name!r}")
        (super(cls, self).__setattr__ if value else super(cls, self).__delattr__)(name, *value)

    return refuse
