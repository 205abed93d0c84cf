"""Bad-input entries for `seqlearn.checks`: the checkers themselves, whose message names their `name`."""

import numpy as np

from bad_inputs.catalogue import Bad, Entry, const
from seqlearn import checks

N = {"value": "n", "values": "n", "x": "n", "array": "n", "grad": "n", "state": "n"}  # the checkers name `name`
GEN = np.random.default_rng(0)

ENTRIES = [
    Entry(checks.check_positive_int, lambda: {"name": "n", "value": 3}, {"value": "size"}, names=N),
    Entry(checks.check_count, lambda: {"name": "n", "value": 0}, {"value": "count"}, names=N),
    Entry(checks.check_number, lambda: {"name": "n", "value": 0.5, "expected": "in (0, 1)", "ok": lambda v: 0 < v < 1},
          {"value": "probability", "ok": "callable"}, names=N, skip={"value": ("zero",)}),
    Entry(checks.check_positive, lambda: {"name": "n", "value": 0.1}, {"value": "rate"}, names=N),
    Entry(checks.check_nonnegative, lambda: {"name": "n", "value": 0.0}, {"value": "nonnegative"}, names=N),
    Entry(checks.check_probability, lambda: {"name": "n", "value": 1.0}, {"value": "probability"}, names=N),
    Entry(checks.check_flag, lambda: {"name": "n", "value": False}, {"value": "flag"}, names=N),
    Entry(checks.check_text, lambda: {"name": "n", "value": "abc"}, {"value": "text"}, names=N),
    Entry(checks.check_callable, lambda: {"name": "n", "value": len}, {"value": "callable"}, names=N),
    Entry(checks.check_path, lambda: {"name": "n", "value": "."}, {"value": "path"}, names=N),
    Entry(checks.check_rng, lambda: {"rng": GEN}, {"rng": "rng"}),
    Entry(checks.check_int_array, lambda: {"name": "n", "values": np.array([[0, 1], [2, 0]]), "vocab_size": 3,
                                           "ndim": 2},
          {"values": "ids", "vocab_size": "size?", "ndim": "count?"}, names=N,
          skip={"values": ("empty",)}),  # an empty array of ids is a valid (empty) sequence
    Entry(checks.check_float_array, lambda: {"name": "n", "x": np.ones((2, 3)), "ndim": 2, "dtype": np.float64,
                                             "allow_empty": False},
          {"x": "array", "allow_empty": "flag"}, names=N, skip={"x": ("wider",)}),
    Entry(checks.check_float_dtype, lambda: {"dtype": np.float32},
          {"dtype": [Bad("int", lambda v: np.int64), Bad("bool", lambda v: bool), Bad("complex", lambda v: complex),
                     Bad("None", lambda v: None), Bad("str", lambda v: "int32"), Bad("nonsense", lambda v: "nope")]}),
    Entry(checks.check_finite, lambda: {"name": "n", "x": np.ones(3)},
          {"x": [Bad("nan", lambda v: np.array([1.0, np.nan])), Bad("inf", lambda v: np.array([-np.inf]))]}, names=N),
    Entry(checks.check_shape, lambda: {"name": "n", "x": np.ones((2, 3)), "expected": (2, 3)},
          {"x": [Bad("wider", lambda v: np.ones((2, 4))), Bad("extra-axis", lambda v: np.ones((1, 2, 3)))]}, names=N),
    Entry(checks.check_keys, lambda: {"name": "params", "params": {"W": np.ones(2), "b": np.ones(2)},
                                      "required": ("W",), "optional": ("b",)},
          {"params": "params"},  # the keys only: what the arrays hold is each layer's own check
          skip={"params": ("int-entry", "other-float-entry", "wrong-shape-entry")}),
    Entry(checks.check_mask, lambda: {"name": "n", "mask": np.array([[True, False], [True, True]]), "shape": (2, 2),
                                      "dims": "(T, N)", "per_example": True},
          {"mask": [Bad("list", lambda v: v.tolist()), Bad("int", lambda v: v.astype(int)), const("None", None),
                    Bad("all-false", lambda v: np.zeros_like(v)), Bad("empty-example", lambda v: v & [True, False]),
                    Bad("wider", lambda v: np.ones((2, 3), bool))],
           "per_example": "flag"}, names={**N, "mask": "n"}),
    Entry(checks.check_choice, lambda: {"name": "n", "value": "tanh", "choices": ("tanh", "relu")},
          {"value": "choice"}, names=N),
    Entry(checks.check_same_dtype, lambda: {"name": "n", "array": np.ones(2), "dtype": np.dtype(np.float64)},
          {"array": [Bad("float32", lambda v: v.astype(np.float32))]}, names=N),
    Entry(checks.check_upstream, lambda: {"name": "n", "grad": np.ones((2, 3)), "shape": (2, 3), "dims": "(N, H)",
                                          "dtype": np.dtype(np.float64)},
          {"grad": "array"}, names=N, skip={"grad": ("None",)}),  # None means "no gradient here": zeros
    Entry(checks.check_state, lambda: {"name": "n", "state": np.ones((2, 3)), "N": 2, "H": 3,
                                       "dtype": np.dtype(np.float64)},
          {"state": "array"}, names=N, skip={"state": ("None",)}),  # None means the zero state
]
