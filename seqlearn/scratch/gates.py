"""What the LSTM and the GRU share: the sigmoid, and the checks of a gated cell's parameters.

A gate is a vector of numbers in (0, 1), σ(W_x x + W_h h + b), multiplied element by element (⊙) into
another vector: 0 blocks, 1 lets through. Each gate has its own W_x (H, D), W_h (H, H) and b (H,).
"""

import numpy as np

from seqlearn.checks import check_float_array, check_same_dtype, check_shape


def sigmoid(a, out=None):
    """σ(a) = 1 / (1 + exp(-a)), written as (1 + tanh(a/2)) / 2: the same value, and no overflow in exp.

    With `out` (which may be `a` itself) the result is written there and no new array is made. Without it,
    a new array in a's float dtype is returned, or a NumPy scalar for a scalar `a`.
    """
    if out is None:
        out = np.array(a, dtype=np.result_type(a, 0.5))  # a copy to work in; 0-d for a scalar
        out *= 0.5
    else:
        np.multiply(a, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out[()] if out.ndim == 0 else out  # a scalar in, a scalar out


def check_gate_params(params, cell, weights, biases, D, dtype):
    """Validate a gated cell's params against the input width D and x's dtype; return H.

    `cell` names the cell in messages ("an LSTM"); `weights` names the matrices, W_x* (H, D) and
    W_h* (H, H); `biases` the (H,) vectors, which come all together or not at all (torch's bias=False).
    """
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    unknown = sorted(set(params) - set(weights) - set(biases))
    if unknown:  # a typo such as 'b_ii' must not silently mean "no bias"
        raise ValueError(f"params has unknown keys {unknown}; {cell} takes {', '.join(map(repr, weights))} "
                         f"and optionally all of {', '.join(map(repr, biases))}")
    missing = [name for name in weights if name not in params]
    if missing:
        raise ValueError(f"params is missing {', '.join(map(repr, missing))}; it has {sorted(params)}")
    given = [name for name in biases if name in params]
    if given and len(given) < len(biases):
        raise ValueError(f"params has the biases {given} but not {[b for b in biases if b not in params]}; "
                         f"{cell} takes all of its biases or none")
    H = check_float_array(weights[0], params[weights[0]], ndim=2, dims="(H, D)").shape[0]
    shapes = {"W_x": ((H, D), "(H, D)"), "W_h": ((H, H), "(H, H)")}
    for name, p in params.items():
        shape, dims = shapes.get(name[:3], ((H,), "(H,)"))  # W_x*, W_h*, or a bias
        check_shape(name, check_float_array(name, p), shape, dims)
        check_same_dtype(name, p, dtype)
    return H
