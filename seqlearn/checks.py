"""Input checks shared by every public function: fail early, and say what was expected and what arrived.

Each check returns its (possibly converted) input: `x = check_float_array("x", x, ndim=3)`. A wrong type is a
TypeError, a wrong shape or value a ValueError, naming the argument, what was expected and what arrived; nothing
is silently broadcast, truncated or cast. A function checks all its arguments before it changes anything.

The causes these checks rule out: a comparison before a type check ('>' between 'str' and 'int'); a bool taken
as a number (True is an int in Python); NaN or inf where a value must be finite (NaN fails every comparison,
so `not value > 0` is the safe way round); integer ids that wrap when cast (uint64 above int64's range).

**NaN policy.** Forward passes propagate NaN and inf, as NumPy and PyTorch do: a layer does not scan its
input. Everything that turns numbers into a verdict refuses them, naming where: losses, perplexities, samplers,
gradient checks, clipping and the training loops.
"""

import math
import numbers
import os

import numpy as np


def _type_error(name, expected, value):
    return TypeError(f"{name} must be {expected}, got {type(value).__name__} {value!r}")


def check_positive_int(name, value, minimum=1, maximum=None):
    """`value` must be an int (not a bool, not a float) in [minimum, maximum]; returns it as an int."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise _type_error(name, "an int", value)
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value}")
    return int(value)


def check_count(name, value):
    """A non-negative int (0 allowed), e.g. a seed or a number of warm-up steps."""
    return check_positive_int(name, value, minimum=0)


def check_number(name, value, expected, ok, allow_none=False):
    """A real number (not a bool), or None where allowed, for which ok(value) holds; `expected` says what,
    e.g. check_number("lr", lr, "a positive finite number", lambda v: 0 < v < math.inf)."""
    if check_flag("allow_none", allow_none) and value is None:
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _type_error(name, expected, value)
    # NaN fails every comparison, so an `ok` written as "inside the range" refuses it.
    if not check_callable("ok", ok)(value):
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return value


def check_positive(name, value, allow_none=False):
    """A finite real number greater than 0 (a learning rate, a temperature, a max norm)."""
    return check_number(name, value, "positive (a finite number > 0)", lambda v: 0 < v < math.inf, allow_none)


def check_nonnegative(name, value, allow_none=False):
    """A finite real number of at least 0 (a weight decay, a smoothing constant that may be 0)."""
    return check_number(name, value, "a finite number >= 0", lambda v: 0 <= v < math.inf, allow_none)


def check_probability(name, value, allow_none=False):
    """A real number in [0, 1]."""
    return check_number(name, value, "a probability in [0, 1]", lambda v: 0 <= v <= 1, allow_none)


def check_flag(name, value):
    """A bool (or NumPy's bool): "no", 0 or None are not read as a yes or a no."""
    if not isinstance(value, bool | np.bool_):
        raise _type_error(name, "True or False", value)
    return bool(value)


def check_text(name, value):
    """A str (not bytes, not a list of tokens)."""
    if not isinstance(value, str):
        raise _type_error(name, "a str", value)
    return value


def check_callable(name, value):
    """A function (or anything callable)."""
    if not callable(value):
        raise _type_error(name, "callable (a function)", value)
    return value


def check_path(name, value, must_exist=None):
    """A str or os.PathLike; with must_exist="file" or "dir", it must be one. Returns it as given."""
    if not isinstance(value, str | os.PathLike):
        raise _type_error(name, "a path (str or pathlib.Path)", value)
    if must_exist == "file" and not os.path.isfile(value):
        what = "a directory" if os.path.isdir(value) else "missing"
        raise FileNotFoundError(f"{name} must be an existing file; {os.fspath(value)!r} is {what}")
    if must_exist == "dir" and not os.path.isdir(value):
        raise FileNotFoundError(f"{name} must be an existing directory; {os.fspath(value)!r} is not one")
    return value


def check_rng(rng, allow_none=False):
    """Randomness is always passed in explicitly, as a np.random.Generator (or None where that means "none")."""
    if check_flag("allow_none", allow_none) and rng is None:
        return rng
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a np.random.Generator{' or None' if allow_none else ''} "
                        f"(np.random.default_rng(seed)), got {type(rng).__name__}")
    return rng


def check_int_array(name, values, ndim=None, vocab_size=None):
    """Integer ids as an int64 array, from a list or an array of any integer dtype. Floats, bools and strings
    are refused, and so are values that do not fit int64 (a uint64 id of 2**63 would wrap to a negative one).
    With `vocab_size`, every id must lie in [0, vocab_size)."""
    if vocab_size is not None:
        check_positive_int("vocab_size", vocab_size)
    if ndim is not None:
        check_count("ndim", ndim)
    arr = np.asarray(values)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        if arr.size == 0 and arr.dtype == np.float64:  # np.asarray([]) is float64: an empty list is fine
            arr = arr.astype(np.int64)
        else:
            raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if arr.dtype == np.uint64 and arr.size and arr.max() > np.iinfo(np.int64).max:  # before a cast would wrap
        raise ValueError(f"{name} must be ids below 2**63, got {int(arr.max())}")
    arr = arr.astype(np.int64, copy=False)
    if vocab_size is not None:
        bad = (arr < 0) | (arr >= vocab_size)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"{name} must be ids in [0, {vocab_size - 1}] (vocab_size={vocab_size}); "
                             f"got {int(arr[where])} at position {where}")
    return arr


def check_float_array(name, x, ndim=None, dims=None, dtype=None, allow_empty=True):
    """A floating-point NumPy array, optionally of a given rank and dtype; returns it unchanged. `dims` names the
    axes for messages, e.g. "(T, N, D)". Integer, bool and complex arrays are refused rather than cast, because
    integer arithmetic in a forward pass silently truncates."""
    check_flag("allow_empty", allow_empty)
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array, got {type(x).__name__}")
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"{name} must have a floating dtype (float32 or float64), got {x.dtype}")
    if dtype is not None and x.dtype != np.dtype(dtype):
        raise TypeError(f"{name} must have dtype {np.dtype(dtype)}, got {x.dtype}")
    if ndim is not None and x.ndim != ndim:
        what = f" {dims}" if dims else ""
        raise ValueError(f"{name} must have {ndim} dimensions{what}, got shape {x.shape}")
    if not allow_empty and x.size == 0:
        what = f" {dims}" if dims else ""
        raise ValueError(f"{name} must not be empty: each axis{what} needs a length of at least 1, got {x.shape}")
    return x


def check_float_dtype(dtype, name="dtype"):
    """A floating NumPy dtype (np.float64, "float32", ...) as a np.dtype: an int dtype would round weights to 0."""
    try:
        found = None if dtype is None else np.dtype(dtype)
    except (TypeError, ValueError):
        found = None
    if found is None or not np.issubdtype(found, np.floating):
        got = f"the type {dtype.__name__}" if isinstance(dtype, type) else repr(dtype)
        raise TypeError(f"{name} must be a floating NumPy dtype such as np.float64 or np.float32, got {got}")
    return found


def check_finite(name, x):
    """Every entry finite: a loss, a gradient check or a sampler must not turn NaN or inf into a verdict."""
    arr = np.asarray(x)
    if not np.isfinite(arr).all():
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0]) if arr.ndim else ()
        raise ValueError(f"{name} must be finite, got {arr[where].item()!r} at position {where}")
    return x


def check_shape(name, x, expected, dims=None):
    """`x.shape` must equal `expected`; `dims` spells the symbolic shape, e.g. "(H, D)"."""
    expected = tuple(int(s) for s in expected)
    if tuple(x.shape) != expected:
        what = f"{dims} = " if dims else ""
        raise ValueError(f"{name} must have shape {what}{expected}, got {tuple(x.shape)}")
    return x


def check_keys(name, params, required, optional=(), takes=None):
    """A dict with every `required` key, any of `optional` and no other. Unknown keys are refused FIRST: a typo
    such as 'b_hx' must never silently mean "no bias". `takes` says what the dict takes (default: both lists)."""
    if not isinstance(params, dict):
        raise TypeError(f"{name} must be a dict of arrays, got {type(params).__name__}")
    takes = takes or f"it takes {list(required)}" + (f" and optionally {list(optional)}" if optional else "")
    unknown = sorted(set(params) - set(required) - set(optional))
    if unknown:
        raise ValueError(f"{name} has unknown keys {unknown}; {takes}")
    missing = [key for key in required if key not in params]
    if missing:
        raise ValueError(f"{name} is missing {', '.join(map(repr, missing))}; it has {sorted(params)}")
    return params


def check_mask(name, mask, shape, dims, per_example=False):
    """A bool NumPy array of `shape` (spelt `dims`), True at the real positions: one True at least (a loss over
    no token has no meaning), and with per_example one in each example (each index of the last axis)."""
    check_flag("per_example", per_example)
    if not isinstance(mask, np.ndarray) or mask.dtype != bool:
        got = f"dtype {mask.dtype}" if isinstance(mask, np.ndarray) else type(mask).__name__
        raise TypeError(f"{name} must be a bool NumPy array {dims}, True at the real positions, got {got}")
    check_shape(name, mask, shape, dims)
    if not mask.any():
        raise ValueError(f"{name} must be True somewhere (a real position), got all False")
    if per_example and not mask.any(axis=0).all():
        raise ValueError(f"{name} must have at least one True in every example; example(s) "
                         f"{np.flatnonzero(~mask.any(axis=0)).tolist()} have none")
    return mask


def check_choice(name, value, choices):
    """`value` must be one of `choices`."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def check_same_dtype(name, array, dtype, source="x"):
    """Every array of one computation shares x's dtype: mixing float32 and float64 would silently upcast."""
    if array.dtype != dtype:
        raise TypeError(f"{name} has dtype {array.dtype} but {source} has {dtype}; use one dtype throughout")
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
