"""Gradient checking: compare analytic gradients with central finite differences.

    df/dx_i ≈ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)          error O(eps^2)

`grad_check(f, arrays, analytic)` perturbs every entry of every named array (in place, then restores it),
compares with the analytic gradients, and reports the relative error per name and the worst entry:

    relative error = |a - n| / max(|a| + |n|, tiny)

In float64 a correct gradient gives about 1e-8 or less; a bug gives 1e-2 or more.
"""

from dataclasses import dataclass

import numpy as np

from seqlearn.checks import (
    check_callable,
    check_float_array,
    check_number,
    check_positive,
    check_same_dtype,
    check_shape,
)


def _check_float64(name, x):
    """Finite differences need float64: float32's rounding (about 1e-7) swamps a step of 1e-6, so the result is
    off by ~10%, and an integer array cannot hold x + eps at all."""
    if isinstance(x, np.ndarray) and x.dtype != np.float64:
        raise TypeError(f"{name} must be a float64 array (finite differences need float64: float32 rounding swamps "
                        f"eps), got {x.dtype}")
    return check_float_array(name, x)


def _check_arguments(f, x, eps):
    """numerical_gradient's arguments: f callable, x a writeable float64 array (it is perturbed in place), eps > 0."""
    check_callable("f", f)
    check_positive("eps", eps)
    if not _check_float64("x", x).flags.writeable:
        raise ValueError("x must be writeable: it is perturbed in place (pass a copy that f reads)")


def _scalar(value):
    """f's result must be one real number: a float, an int or a 0-d array of them (not an array, str or bool)."""
    arr = np.asarray(value)
    if arr.ndim != 0:
        raise ValueError(f"f must return a scalar, got an array of shape {arr.shape}")
    if arr.dtype.kind not in "fiu":
        raise TypeError(f"f must return a real number, got {type(value).__name__} {value!r}")
    return value


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of the scalar function f() with respect to the array x.

    x must be a float64 array (float32's rounding swamps a difference over eps = 1e-6). A NaN from f gives a
    NaN entry, which `grad_check` reports as a failure, naming the array. x is changed in place, one entry at a
    time, and each entry is restored even if f raises. Indexing x itself (not a flattened copy) makes this work
    for views and non-contiguous arrays too.
    """
    _check_arguments(f, x, eps)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        try:
            x[i] = old + eps
            plus = f()
            x[i] = old - eps
            minus = f()
        finally:
            x[i] = old
        grad[i] = (_scalar(plus) - _scalar(minus)) / (2 * eps)  # each must be one number
    return grad


def relative_error(analytic, numeric):
    """Entry-wise |a - n| / max(|a| + |n|, 1e-12); both zero counts as no error. Same shape and dtype, no
    broadcasting: a gradient of the wrong shape must not be compared entry by entry with a stretched copy.
    A NaN or inf entry gives NaN there (an array of errors, not a verdict: `grad_check` fails on it)."""
    check_float_array("analytic", analytic)
    check_shape("numeric", check_float_array("numeric", numeric), analytic.shape)
    check_same_dtype("numeric", numeric, analytic.dtype, source="analytic")
    return np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-12)


@dataclass
class GradCheckReport:
    """What `grad_check` found: the max relative error per array, and where the worst entry is.

    `print(report)`, or a notebook cell ending in `report`, shows a table rounded to two significant
    figures (e.g. 1.2e-09), so the printed text is the same from run to run.
    """

    errors: dict  # name -> max relative error over that array's entries
    worst_name: str  # the array holding the worst entry
    worst_index: tuple  # and that entry's index in it

    def __post_init__(self):  # a report is only as good as what it holds: errors >= 0 (inf for a NaN), a real worst
        if not isinstance(self.errors, dict) or not self.errors:
            raise TypeError(f"errors must be a non-empty dict of name -> error, got {self.errors!r}")
        for name, err in self.errors.items():
            check_number(f"errors[{name!r}]", err, "a number >= 0 (inf allowed)", lambda v: v >= 0)
        if not isinstance(self.worst_name, str) or self.worst_name not in self.errors:
            raise ValueError(f"worst_name must be a key of errors {sorted(self.errors)}, got {self.worst_name!r}")
        if not isinstance(self.worst_index, tuple) or not all(isinstance(i, int) for i in self.worst_index):
            raise TypeError(f"worst_index must be a tuple of ints, got {self.worst_index!r}")

    @property
    def max_error(self):
        return max(self.errors.values(), default=0.0)

    def passed(self, tol=1e-6):
        return self.max_error < check_positive("tol", tol)

    def __str__(self):
        lines = [f"{'array':<8} {'max relative error':>18}"]
        lines += [f"{name:<8} {err:>18.1e}" for name, err in self.errors.items()]
        lines.append(f"worst: {self.worst_name}{list(self.worst_index)} at {self.max_error:.1e}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle):  # how a notebook shows it
        printer.text(str(self))


def grad_check(f, arrays, analytic, eps=1e-6):
    """Check `analytic[name]` against finite differences of f() for every `arrays[name]`.

    A NaN on either side counts as an infinite error: a check must never pass a gradient it could not compare.
    Every array is checked before f is first called; an empty dict, or an empty array, is nothing to check.
    """
    check_callable("f", f)
    check_positive("eps", eps)
    for name, d in (("arrays", arrays), ("analytic", analytic)):
        if not isinstance(d, dict):
            raise TypeError(f"{name} must be a dict of name -> array, got {type(d).__name__}")
    if not arrays:
        raise ValueError("arrays must hold at least one array to check, got none")
    if set(arrays) != set(analytic):
        raise ValueError(f"arrays and analytic must name the same arrays: {sorted(arrays)} vs "
                         f"{sorted(analytic)}")
    for name, x in arrays.items():
        if _check_float64(name, x).size == 0:
            raise ValueError(f"{name} is empty: there is nothing to check")
        a = check_float_array(f"analytic[{name!r}]", analytic[name])
        check_same_dtype(f"analytic[{name!r}]", check_shape(f"analytic[{name!r}]", a, x.shape), x.dtype, name)
    errors, worst = {}, (-1.0, None, None)
    for name, x in arrays.items():
        err = relative_error(analytic[name], numerical_gradient(f, x, eps))
        err = np.where(np.isnan(err), np.inf, err)  # NaN compares False with everything: make it the worst
        errors[name] = float(err.max())
        if errors[name] > worst[0]:
            worst = (errors[name], name, tuple(int(i) for i in np.unravel_index(err.argmax(), err.shape)))
    return GradCheckReport(errors, worst[1], worst[2])
