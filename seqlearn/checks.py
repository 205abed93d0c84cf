"""Input checks shared by every public function: fail early, and say what was expected and what arrived.

Each check returns its (possibly converted) input, so a caller writes `x = check_array("x", x, ndim=3)`.
Nothing is silently broadcast, truncated or cast: a wrong dtype is a TypeError, a wrong shape or value
a ValueError, and the message names the argument, the expectation and what was received.
"""

import numbers

import numpy as np


def check_positive_int(name, value, minimum=1):
    """`value` must be an int (not a bool) and at least `minimum`; returns it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def check_positive(name, value):
    """`value` must be a number greater than 0; returns it."""
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return value


def check_number(name, value, expected, ok, allow_none=False):
    """A real number (not a bool), or None where allowed, for which ok(value) holds; `expected` says what,
    e.g. check_number("lr", lr, "a positive finite number", lambda v: 0 < v < math.inf)."""
    if value is None and allow_none:
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__} {value!r}")
    if not ok(value):
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return value


def check_rng(rng, allow_none=False):
    """Randomness is always passed in explicitly, as a np.random.Generator (or None where that means "none")."""
    if rng is None and allow_none:
        return rng
    if not isinstance(rng, np.random.Generator):
        either = " or None" if allow_none else ""
        raise TypeError(f"rng must be a np.random.Generator{either} (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    return rng


def check_int_array(name, values, ndim=None):
    """Integer ids as an int64 array. Lists are converted; floats, bools and strings are refused."""
    arr = np.asarray(values)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        if arr.size == 0 and arr.dtype == np.float64:  # np.asarray([]) is float64: an empty list is fine
            arr = arr.astype(np.int64)
        else:
            raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    return arr.astype(np.int64, copy=False)


def check_float_array(name, x, ndim=None, dims=None):
    """A floating-point NumPy array, optionally of a given rank; returns it unchanged.

    `dims` names the axes for the message, e.g. dims="(T, N, D)". Integer arrays are refused rather than
    cast, because integer arithmetic in a forward pass silently truncates.
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array, got {type(x).__name__}")
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"{name} must have a floating dtype (float32 or float64), got {x.dtype}")
    if ndim is not None and x.ndim != ndim:
        what = f" {dims}" if dims else ""
        raise ValueError(f"{name} must have {ndim} dimensions{what}, got shape {x.shape}")
    return x


def check_shape(name, x, expected, dims=None):
    """`x.shape` must equal `expected`; `dims` spells the symbolic shape, e.g. "(H, D)"."""
    expected = tuple(int(s) for s in expected)
    if tuple(x.shape) != expected:
        what = f"{dims} = " if dims else ""
        raise ValueError(f"{name} must have shape {what}{expected}, got {tuple(x.shape)}")
    return x


def check_choice(name, value, choices):
    """`value` must be one of `choices`."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def check_same_dtype(name, array, dtype):
    """Every array of one computation shares x's dtype: mixing float32 and float64 would silently upcast."""
    if array.dtype != dtype:
        raise TypeError(f"{name} has dtype {array.dtype} but x has {dtype}; use one dtype throughout")
    return array


def check_upstream(name, grad, shape, dims, dtype):
    """An upstream gradient of the given shape in the forward's dtype, or zeros for None (no loss there)."""
    if grad is None:
        return np.zeros(shape, dtype)
    check_shape(name, check_float_array(name, grad, ndim=len(shape), dims=dims), shape, dims)
    return check_same_dtype(name, grad, dtype)


def check_state(name, state, N, H, dtype):
    """A recurrent state (N, H) in x's dtype, or zeros for None (the usual initial state)."""
    if state is None:
        return np.zeros((N, H), dtype)
    check_shape(name, check_float_array(name, state, ndim=2, dims="(N, H)"), (N, H), "(N, H)")
    return check_same_dtype(name, state, dtype)
