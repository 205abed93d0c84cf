"""The catalogue of bad values, by the role an argument plays, and the table's entry type.

A role names what an argument must be ("size": an int >= 1; "array": a float NumPy array of the right shape and
dtype; ...). Each role lists the mistakes a new user makes with such an argument. A bad value is either a
constant or made from the valid value (`make(valid)`), so one catalogue serves every shape: an int copy of
the valid array, the valid array with an extra axis, its ids with one out of range.

A role written with a trailing "?" ("size?") also accepts None, so None is not a bad value there.
"""

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

NAN, INF = math.nan, math.inf


@dataclass(frozen=True)
class Bad:
    """One bad value: `label` names it in test ids; `make(valid)` builds it from the valid value.

    `mismatch`: the value only disagrees with another argument (a shape, a dtype), so the error may name
    either side of the disagreement. `names`: other words the message may name instead of the argument (for a
    dict of parameters, the key that is wrong)."""

    label: str
    make: Callable[[Any], Any]
    mismatch: bool = False
    names: tuple = ()
    names_from: Callable[[Any], tuple] | None = None

    def accepted_names(self, valid):
        return self.names + (self.names_from(valid) if self.names_from else ())


def const(label, value):
    return Bad(label, lambda valid: value)


def _other_float(v):
    return v.astype(np.float32 if v.dtype == np.float64 else np.float64)


def _wider(v):
    """One more entry on the last axis: a shape that disagrees with another argument."""
    return np.concatenate([v, v[..., :1]], axis=-1)


def _with_first(v, value, dtype=None):
    out = np.array(v, dtype=dtype or np.asarray(v).dtype)
    out.flat[0] = value
    return out


def _keyed(label, change, mismatch=False):
    """A bad value for a dict of arrays: `change(d)` returns (new dict, the key the message should name)."""
    return Bad(label, lambda valid: change(dict(valid))[0], mismatch,
               names_from=lambda valid: (change(dict(valid))[1],))


def _drop_first(d):
    key = next(iter(d))
    del d[key]
    return d, key


def _typo_last(d):
    key = list(d)[-1]
    d[key + "x"] = d.pop(key)
    return d, key + "x"


def _retype_first(cast):
    def change(d):
        key = next(iter(d))
        d[key] = cast(d[key])
        return d, key
    return change


SIZE = [const("bool", True), const("float", 2.5), const("str", "3"), const("None", None), const("negative", -1),
        const("zero", 0), const("nan", NAN), const("inf", INF), const("list", [])]
COUNT = [b for b in SIZE if b.label != "zero"]
NUMBER = [const("bool", True), const("str", "3"), const("None", None), const("nan", NAN), const("list", [1.0]),
          const("complex", 1j)]
RATE = NUMBER + [const("negative", -1.0), const("zero", 0.0), const("inf", INF)]
NONNEGATIVE = NUMBER + [const("negative", -1.0), const("inf", INF)]
PROBABILITY = NUMBER + [const("negative", -0.5), const("above-1", 1.5), const("inf", INF)]
FRACTION = PROBABILITY + [const("zero", 0.0), const("one", 1.0)]
FLAG = [const("str", "no"), const("None", None), const("int-1", 1), const("int-0", 0), const("float", 0.0)]
RNG = [const("None", None), const("int-seed", 0), const("str", "rng"),
       Bad("RandomState", lambda v: np.random.RandomState(0)), Bad("random.Random", lambda v: random.Random(0))]
CHOICE = [const("None", None), const("empty-str", ""), const("int", 3), const("unknown", "no-such-choice"),
          const("bool", True), Bad("upper-case", lambda v: v.upper() + "_")]
TEXT = [const("None", None), const("int", 3), const("bytes", b"abc"), const("list", ["a", "b"])]
TOKENS = [const("str", "abc"), const("None", None), const("int", 3), const("ints", [1, 2]),
          const("None-inside", ["a", None])]
CALLABLE = [const("None", None), const("int", 3), const("str", "f")]
PATH_TYPES = [const("None", None), const("int", 3), const("list", ["a"])]
ARRAY = [
    Bad("int", lambda v: v.astype(np.int64)), Bad("bool", lambda v: v > 0), Bad("complex", lambda v: v.astype(complex)),
    Bad("list", lambda v: v.tolist()), const("None", None), const("str", "x"),
    Bad("other-float", _other_float, mismatch=True), Bad("extra-axis", lambda v: v[None], mismatch=True),
    Bad("one-axis-less", lambda v: v[0], mismatch=True), Bad("empty", lambda v: v[:0], mismatch=True),
    Bad("wider", _wider, mismatch=True),
]
FINITE_ARRAY = ARRAY + [Bad("nan", lambda v: _with_first(v, NAN)), Bad("inf", lambda v: _with_first(v, INF))]
IDS = [
    Bad("float", lambda v: np.asarray(v).astype(np.float64)), Bad("bool", lambda v: np.asarray(v).astype(bool)),
    Bad("negative", lambda v: _with_first(v, -1)), Bad("too-large", lambda v: _with_first(v, 10**9)),
    Bad("uint64-wrap", lambda v: _with_first(v, 2**63 + 5, np.uint64)), const("None", None),
    const("str", "abc"), const("strings", ["a", "b"]), Bad("extra-axis", lambda v: np.asarray(v)[None], True),
    Bad("empty", lambda v: np.asarray(v)[:0], mismatch=True),
]
PARAMS = [
    _keyed("missing-key", _drop_first), _keyed("typo-key", _typo_last),
    _keyed("int-entry", _retype_first(lambda a: a.astype(np.int64))),
    _keyed("other-float-entry", _retype_first(_other_float), mismatch=True),
    _keyed("wrong-shape-entry", _retype_first(lambda a: a[None]), mismatch=True),
]
PARAMS_PLAIN = [const("None", None), Bad("list", lambda v: list(v.values())), Bad("empty", lambda v: {})]


def _tensor_bads():
    import torch

    def to_float(v):
        return v.to(torch.float64 if v.dtype == torch.float32 else torch.float32)
    tensor = [Bad("numpy", lambda v: v.numpy()), Bad("list", lambda v: v.tolist()), const("None", None),
              Bad("int", lambda v: v.long()), Bad("extra-axis", lambda v: v[None], True),
              Bad("empty", lambda v: v[:0], True), Bad("other-float", to_float, True)]
    tensor_ids = [Bad("numpy", lambda v: v.numpy()), const("None", None), Bad("float", lambda v: v.double()),
                  Bad("negative", lambda v: _tensor_with_first(v, -1)),
                  Bad("too-large", lambda v: _tensor_with_first(v, 10**9)),
                  Bad("extra-axis", lambda v: v[None], True), Bad("empty", lambda v: v[:0], True)]
    module = [const("None", None), const("str", "model"), Bad("numpy", lambda v: np.zeros(3)),
              Bad("wrong-module", lambda v: torch.nn.Linear(2, 2), True)]
    return tensor, tensor_ids, module


def _tensor_with_first(v, value):
    out = v.clone()
    out.view(-1)[0] = value
    return out


def role_bads(role):
    """The bad values of a role, as a list of `Bad`."""
    optional = role.endswith("?")
    base = role.rstrip("?")
    if base in ("tensor", "tensor_ids", "module"):
        table = dict(zip(("tensor", "tensor_ids", "module"), _tensor_bads(), strict=True))
    else:
        table = {"size": SIZE, "count": COUNT, "number": NUMBER, "rate": RATE, "nonnegative": NONNEGATIVE,
                 "probability": PROBABILITY, "fraction": FRACTION, "flag": FLAG, "rng": RNG, "choice": CHOICE,
                 "text": TEXT, "tokens": TOKENS, "callable": CALLABLE, "path": PATH_TYPES, "array": ARRAY,
                 "finite_array": FINITE_ARRAY, "ids": IDS, "params": PARAMS + PARAMS_PLAIN}
    if base not in table:
        raise KeyError(f"unknown role {role!r}")
    bads = table[base]
    return [b for b in bads if not (optional and b.label == "None")]


ROLES = ("size", "count", "number", "rate", "nonnegative", "probability", "fraction", "flag", "rng", "choice",
         "text", "tokens", "callable", "path", "array", "finite_array", "ids", "params", "tensor", "tensor_ids",
         "module")


@dataclass
class Entry:
    """One public callable of the table.

    target: the function, class or method (`Vocab.encode`); its key is module + qualified name.
    valid: () -> dict of keyword arguments that work; a method's dict holds the object as "self".
    roles: argument -> role (see ROLES), or -> a list of `Bad` for an argument no role describes.
    skip: argument -> labels of the role that are valid here (say why in a comment beside it).
    extra: argument -> more `Bad` values, added to the role's.
    errors: the module's own error types, accepted beside ValueError and TypeError.
    unchanged: (args) -> what a refused call must leave untouched (compared before and after).
    names: argument -> the word its message uses instead (a checker's `name` argument, a dict key).
    partners: argument -> the other arguments whose name a "mismatch" value's message may use instead (a shape
    that disagrees with theirs may be reported on their side).
    """

    target: Any
    valid: Callable[[], dict]
    roles: dict
    skip: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    errors: tuple = ()
    unchanged: Callable[[dict], Any] | None = None
    names: dict = field(default_factory=dict)
    partners: dict = field(default_factory=dict)

    @property
    def key(self):
        return f"{self.target.__module__}.{self.target.__qualname__}"

    def bads(self, arg):
        role = self.roles[arg]
        bads = list(role) if isinstance(role, list) else role_bads(role)
        bads = [b for b in bads if b.label not in self.skip.get(arg, ())]
        return bads + list(self.extra.get(arg, ()))
