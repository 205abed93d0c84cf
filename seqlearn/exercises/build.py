"""Checking a function the learner wrote ("build-it" exercises) the way the package's own tests check ours.

`check_function(learner, reference, cases, mistakes)` runs both on fresh random inputs for every case (several
shapes, edge cases such as T = 1 or N = 1 among them), compares every output in float64 and, at the first
difference, says where it is (the case, which output, which index and by how much) and never what the right
values are. Before that, it tries the exercise's catalogue of typical mistakes: when the learner's output
equals what a known mistake computes, the hint names that mistake.

- a case is `Case(label, make)`: `make(rng)` returns the arguments of one call as a dict, in the order of the
  exercise's signature, drawn from `rng` (the functions are called positionally, so the learner may name the
  parameters as they like);
- a mistake is `Mistake(hint, function)`: `function` takes the same arguments as the learner's and computes
  what that mistake computes;
- outputs may be an array, a number, or a tuple, list or dict of those (compared entry by entry, by name).

Fresh inputs come from an unseeded generator on every call, so a function that returns a value hard-coded
from one call cannot pass. Whatever the learner's code raises is reported as a `WrongAnswer` naming the
exception, and the learner's inputs are copies: changing them in place cannot change the reference's.
"""

import copy
from typing import NamedTuple

import numpy as np

from seqlearn.exercises import WrongAnswer, require
from seqlearn.gradcheck import grad_check


class Case(NamedTuple):
    label: str  # shown to the learner, e.g. "T=1, N=3, D=2, H=4, tanh"
    make: object  # rng -> dict of keyword arguments


class Mistake(NamedTuple):
    hint: str  # names the mistake and says how to put it right, without giving the answer
    function: object  # computes what that mistake computes, from the same arguments


def call(function, kwargs, what="your function"):
    """Call the learner's code on copies of the inputs, in the signature's order (the learner may name the
    parameters as they like); any exception becomes a WrongAnswer that names it."""
    return call_on(function, copy.deepcopy(kwargs), what)


def _same(a, b):
    """Whether an input is unchanged: arrays equal (nan where nan), dicts and sequences entry by entry."""
    if isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and a.shape == b.shape and np.array_equal(a, b, equal_nan=b.dtype.kind == "f")
    if isinstance(b, dict):
        return isinstance(a, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in b)
    if isinstance(b, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a is b or a == b


def call_on(function, kwargs, what="your function"):
    """Call the learner's code on these very inputs (no copy), positionally; exceptions become WrongAnswer."""
    try:
        return function(*kwargs.values())
    except NotImplementedError:
        raise WrongAnswer(f"{what} is not written yet: it raised NotImplementedError") from None
    except WrongAnswer:
        raise
    except Exception as error:  # a learner's bug: say what it was and where, as a test failure would
        raise WrongAnswer(f"{what} raised {type(error).__name__}: {error}") from None


def _flatten(out, name="output", like=None):
    """{path: value} for an output that may nest tuples, lists and dicts of arrays and numbers. With `like` (the
    expected output), a list or tuple where `like` has an array is read as that array."""
    if isinstance(like, np.ndarray) and isinstance(out, list | tuple):
        return {name: out}
    if isinstance(out, dict):
        sub = like if isinstance(like, dict) else {}
        return {k: v for key in out for k, v in _flatten(out[key], f"{name}[{key!r}]", sub.get(key)).items()}
    if isinstance(out, tuple | list):
        sub = like if isinstance(like, tuple | list) and len(like) == len(out) else [None] * len(out)
        return {k: v for i, item in enumerate(out) for k, v in _flatten(item, f"{name}[{i}]", sub[i]).items()}
    return {name: out}


def difference(got, want, atol=1e-8, rtol=1e-6):
    """None when `got` matches `want` (same structure, shapes and values to the tolerances), else a short
    description of the first difference that names where it is but not the values it should hold."""
    if got is None and want is not None:
        return "the function returned None: is a `return` missing?"
    got_parts, want_parts = _flatten(got, like=want), _flatten(want)
    if set(got_parts) != set(want_parts):
        return (f"the result has the parts {sorted(got_parts)}, expected {sorted(want_parts)} (check what the "
                "function returns: a tuple, a dict with which names?)")
    for path, w in want_parts.items():
        g, w = got_parts[path], np.asarray(w)
        try:
            kind = np.asarray(g).dtype
        except (TypeError, ValueError):  # a ragged list, say: not an array at all
            return f"{path} is a {type(g).__name__} that does not form an array, expected an array of shape {w.shape}"
        if w.dtype.kind in "iu" and kind.kind not in "iu":
            return f"{path} has dtype {kind}, expected integers"
        if w.dtype.kind == "f" and kind.kind == "f" and kind.itemsize < w.dtype.itemsize:
            return f"{path} has dtype {kind}, expected {w.dtype}: a smaller float loses digits"
        try:
            g = np.asarray(g, dtype=np.float64 if w.dtype.kind == "f" else None)
        except (TypeError, ValueError):
            return f"{path} is a {type(got_parts[path]).__name__}, expected an array of shape {w.shape}"
        if g.shape != w.shape:
            return f"{path} has shape {g.shape}, expected {w.shape}"
        if w.dtype.kind in "iub":
            if not np.array_equal(g, w):
                return f"{path} differs at {len(np.argwhere(g != w))} of {w.size} entries"
            continue
        bad = ~np.isfinite(g) & np.isfinite(w)  # nan or inf where a number belongs (a mistake may hold nan too)
        if np.any(bad) or np.any(np.isfinite(g) != np.isfinite(w)):
            where = tuple(int(i) for i in np.argwhere(bad | (np.isfinite(g) != np.isfinite(w)))[0])
            return f"{path} holds nan or inf (first at index {where}): an overflow, or 0/0?"
        if not np.array_equal(np.isnan(g), np.isnan(w)) or not np.array_equal(g[np.isinf(g)], w[np.isinf(w)]):
            return f"{path} holds nan or inf in other places than expected"
        g, w = np.where(np.isfinite(w), g, 0.0), np.where(np.isfinite(w), w, 0.0)  # compare the numbers
        gap = np.abs(g - w) - rtol * np.abs(w)
        if np.any(gap > atol):
            where = tuple(int(i) for i in np.unravel_index(np.argmax(gap), w.shape)) if w.ndim else ()
            return f"{path} is off by up to {np.max(np.abs(g - w)):.1e}, the most at index {where}"
    return None


def check_function(learner, reference, cases, mistakes=(), what="your function", rng=None):
    """Compare `learner` with `reference` on every case; raise `WrongAnswer` at the first difference.

    The hint is a catalogued mistake's when the learner's output equals what that mistake computes on the
    same inputs, else the case and the first differing output. `rng` is for tests only: by default every call
    draws fresh inputs.
    """
    require(callable(learner), f"expected a function, got {type(learner).__name__}")
    rng = np.random.default_rng() if rng is None else rng
    for case in cases:
        kwargs = case.make(rng)
        want = reference(*copy.deepcopy(list(kwargs.values())))
        given = copy.deepcopy(kwargs)
        got = call_on(learner, given, what)
        changed = [name for name in kwargs if not _same(given[name], kwargs[name])]
        if changed:
            raise WrongAnswer(f"on {case.label}: {what} changes its argument {changed[0]!r} in place; work on a "
                              "copy (the caller still needs it)")
        problem = difference(got, want)
        if problem is None:
            continue
        for mistake in mistakes:
            try:
                if difference(got, mistake.function(*copy.deepcopy(list(kwargs.values())))) is None:
                    raise WrongAnswer(f"on {case.label}: {mistake.hint}")
            except (ArithmeticError, ValueError, IndexError, TypeError, FloatingPointError):
                continue  # this mistake cannot even run on these inputs: it is not the one
        raise WrongAnswer(f"on {case.label}: {problem}")


def check_gradients(loss, arrays, analytic, what="your backward pass"):
    """Finite differences through `seqlearn.gradcheck`: the learner's gradients `analytic` of the scalar
    `loss()` with respect to each named array. Raises WrongAnswer naming the worst array and its error."""
    report = grad_check(loss, arrays, analytic)
    if not report.passed(1e-6):
        raise WrongAnswer(f"{what} fails the finite-difference check: the gradient of {report.worst_name} is off, "
                          f"relative error {report.max_error:.1e} (a correct one is below 1e-6)")
