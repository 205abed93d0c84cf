"""Gradient checking: compare analytic gradients with central finite differences.

    df/dx_i ≈ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)          error O(eps^2)

`grad_check(f, arrays, analytic)` perturbs every entry of every named array (in place, then restores it),
compares with the analytic gradients, and reports the relative error per name and the worst entry:

    relative error = |a - n| / max(|a| + |n|, tiny)

In float64 a correct gradient gives about 1e-8 or less; a bug gives 1e-2 or more.
"""

from dataclasses import dataclass

import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of the scalar function f() with respect to the array x.

    x is changed in place, one entry at a time, and each entry is restored even if f raises. Indexing x
    itself (not a flattened copy) makes this work for views and non-contiguous arrays too.
    """
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
        if np.ndim(plus) != 0:
            raise ValueError(f"f must return a scalar, got an array of shape {np.shape(plus)}")
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def relative_error(analytic, numeric):
    """Entry-wise |a - n| / max(|a| + |n|, 1e-12); both zero counts as no error."""
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

    @property
    def max_error(self):
        return max(self.errors.values(), default=0.0)

    def passed(self, tol=1e-6):
        return self.max_error < tol

    def __str__(self):
        lines = [f"{'array':<8} {'max relative error':>18}"]
        lines += [f"{name:<8} {err:>18.1e}" for name, err in self.errors.items()]
        if self.worst_name is not None:
            lines.append(f"worst: {self.worst_name}{list(self.worst_index)} at {self.max_error:.1e}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle):  # how a notebook shows it
        printer.text(str(self))


def grad_check(f, arrays, analytic, eps=1e-6):
    """Check `analytic[name]` against finite differences of f() for every `arrays[name]`.

    A NaN on either side counts as an infinite error: a check must never pass a gradient it could not compare.
    """
    if not isinstance(arrays, dict) or not isinstance(analytic, dict):
        raise TypeError(f"arrays and analytic must be dicts of name -> array, got {type(arrays).__name__} and "
                        f"{type(analytic).__name__}")
    if not arrays:
        raise ValueError("grad_check needs at least one array to check, got none")
    if set(arrays) != set(analytic):
        raise ValueError(f"arrays and analytic must name the same arrays: {sorted(arrays)} vs "
                         f"{sorted(analytic)}")
    errors, worst = {}, (-1.0, None, None)
    for name, x in arrays.items():
        if not isinstance(x, np.ndarray) or x.dtype != np.float64:
            raise TypeError(f"{name}: gradient checks need float64 arrays (float32 rounding swamps eps), "
                            f"got {getattr(x, 'dtype', type(x).__name__)}")
        if analytic[name].shape != x.shape:
            raise ValueError(f"{name}: analytic gradient has shape {analytic[name].shape}, "
                             f"the array {x.shape}")
        err = relative_error(analytic[name], numerical_gradient(f, x, eps))
        err = np.where(np.isnan(err), np.inf, err)  # NaN compares False with everything: make it the worst
        errors[name] = float(err.max()) if err.size else 0.0
        if err.size and errors[name] > worst[0]:
            worst = (errors[name], name, tuple(int(i) for i in np.unravel_index(err.argmax(), err.shape)))
    return GradCheckReport(errors, worst[1], worst[2])
