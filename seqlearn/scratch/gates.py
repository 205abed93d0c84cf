"""What the layers share: the sigmoid, the checks of a gated cell's parameters, and those of an init's arguments.

A gate is a vector of numbers in (0, 1), σ(W_x x + W_h h + b), multiplied element by element (⊙) into
another vector: 0 blocks, 1 lets through. Each gate has its own W_x (H, D), W_h (H, H) and b (H,).
"""

import numbers

import numpy as np

from seqlearn.checks import (
    check_flag,
    check_float_array,
    check_float_dtype,
    check_keys,
    check_positive_int,
    check_rng,
    check_same_dtype,
    check_shape,
)


def _check_sigmoid_args(a, out):
    """a: a real number, or a NumPy array of reals (an integer one gives float64, as np.tanh does); out: None, or
    a float array of a's shape and result dtype. A list is refused, as everywhere in the package: np.array it."""
    if isinstance(a, np.ndarray):
        if a.dtype == bool or not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)):
            raise TypeError(f"a must hold real numbers (a float or integer dtype), got dtype {a.dtype}")
    elif isinstance(a, bool | np.bool_) or not isinstance(a, numbers.Real):
        raise TypeError(f"a must be a NumPy array or a real number, got {type(a).__name__} {a!r}"
                        + ("; use np.array(a)" if isinstance(a, list | tuple) else ""))
    if out is not None:
        check_shape("out", check_float_array("out", out), np.shape(a), "a.shape")
        check_same_dtype("out", out, np.result_type(a, 0.5), "σ(a)")


def sigmoid(a, out=None):
    """σ(a) = 1 / (1 + exp(-a)), written as (1 + tanh(a/2)) / 2: the same value, and no overflow in exp.

    With `out` (which may be `a` itself) the result is written there and no new array is made. Without it,
    a new array in a's float dtype is returned, or a NumPy scalar for a scalar `a`.
    """
    _check_sigmoid_args(a, out)
    if out is None:
        out = np.array(a, dtype=np.result_type(a, 0.5))  # a copy to work in; 0-d for a scalar
        out *= 0.5
    else:
        np.multiply(a, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out[()] if out.ndim == 0 else out  # a scalar in, a scalar out


def check_init(D, H, rng, bias=True, dtype=np.float64):
    """The arguments every init_*_params shares, all checked before the first draw from rng; returns the dtype."""
    check_positive_int("D", D)
    check_positive_int("H", H)
    check_rng(rng)
    check_flag("bias", bias)
    return check_float_dtype(dtype)


def check_input_weight(name, W, H, D, source="x"):
    """An input weight W_x* (H, D), a float array. Where its D is not the input's width, either one may be
    wrong, so the message names the input (`source`) too."""
    if W.ndim == 2 and W.shape[0] == H and W.shape[1] != D:
        raise ValueError(f"{name} must have shape (H, D) = ({H}, {D}), got {W.shape}: {source} has D = {D} "
                         "features")
    return check_shape(name, W, (H, D), "(H, D)")


def check_gate_params(params, cell, weights, biases, D, dtype, source="x"):
    """Validate a gated cell's params against the input width D and dtype of `source` (x); return H.

    `cell` names the cell in messages ("an LSTM"); `weights` names the matrices, W_x* (H, D) and
    W_h* (H, H); `biases` the (H,) vectors, which come all together or not at all (torch's bias=False).
    """
    check_keys("params", params, weights, biases, f"{cell} takes {', '.join(map(repr, weights))} and optionally "
               f"all of {', '.join(map(repr, biases))}")
    given = [name for name in biases if name in params]
    if given and len(given) < len(biases):
        raise ValueError(f"params has the biases {given} but not {[b for b in biases if b not in params]}; "
                         f"{cell} takes all of its biases or none")
    H = check_float_array(weights[0], params[weights[0]], ndim=2, dims="(H, D)").shape[0]
    shapes = {"W_h": ((H, H), "(H, H)")}
    for name, p in params.items():
        check_float_array(name, p)
        if name.startswith("W_x"):
            check_input_weight(name, p, H, D, source)
        else:
            check_shape(name, p, *shapes.get(name[:3], ((H,), "(H,)")))  # a W_h* or a bias
        check_same_dtype(name, p, dtype, source)
    return H
