"""The Jordan network: the output, not the hidden state, is fed back.

    h_t = tanh(x_t @ W_xh.T + y_{t-1} @ W_yh.T + b_h)
    y_t = h_t @ W_hy.T + b_y

Shapes: x (T, N, D), y0 (N, O), W_xh (H, D), W_yh (H, O), b_h (H,), W_hy (O, H), b_y (O,);
h (T, N, H), y (T, N, O). Its memory is the O numbers of y, where the Elman network's is the H numbers of h.
"""

from typing import NamedTuple

import numpy as np

from seqlearn.checks import check_float_array, check_keys, check_positive_int, check_same_dtype, check_shape
from seqlearn.scratch.gates import check_init, check_input_weight
from seqlearn.scratch.steps import check_cache, check_sequence


class JordanCache(NamedTuple):
    x: np.ndarray  # (T, N, D)
    y0: np.ndarray  # (N, O)
    h: np.ndarray  # (T, N, H)
    y: np.ndarray  # (T, N, O)
    params: dict


SHAPES = {"W_xh": "(H, D)", "W_yh": "(H, O)", "b_h": "(H,)", "W_hy": "(O, H)", "b_y": "(O,)"}


def init_jordan_params(D, H, O, rng, dtype=np.float64):
    """Uniform in [-1/sqrt(H), 1/sqrt(H)], like the Elman RNN's."""
    dtype = check_init(D, H, rng, dtype=dtype)  # all checked before the first draw
    check_positive_int("O", O)
    k = 1 / np.sqrt(H)
    shapes = {"W_xh": (H, D), "W_yh": (H, O), "b_h": (H,), "W_hy": (O, H), "b_y": (O,)}
    return {name: rng.uniform(-k, k, shape).astype(dtype) for name, shape in shapes.items()}


def _check(x, y0, params):
    check_sequence("x", x)
    check_keys("params", params, tuple(SHAPES), takes=f"a Jordan network takes exactly {sorted(SHAPES)}")
    H = check_float_array("W_xh", params["W_xh"], ndim=2, dims="(H, D)").shape[0]
    O = check_float_array("W_hy", params["W_hy"], ndim=2, dims="(O, H)").shape[0]
    check_input_weight("W_xh", params["W_xh"], H, x.shape[2])  # names x too: either one may be wrong
    want = {"W_xh": (H, x.shape[2]), "W_yh": (H, O), "b_h": (H,), "W_hy": (O, H), "b_y": (O,)}
    for name, shape in want.items():
        check_shape(name, check_float_array(name, params[name]), shape, SHAPES[name])
        check_same_dtype(name, params[name], x.dtype)
    if y0 is None:
        return np.zeros((x.shape[1], O), x.dtype)
    check_shape("y0", check_float_array("y0", y0, ndim=2, dims="(N, O)"), (x.shape[1], O), "(N, O)")
    return check_same_dtype("y0", y0, x.dtype)


def jordan_forward(x, y0, params):
    """x: (T, N, D), y0: (N, O) or None -> h (T, N, H), y (T, N, O), cache."""
    y0 = _check(x, y0, params)
    T, N, _ = x.shape
    H, O = params["W_xh"].shape[0], params["W_hy"].shape[0]
    h, y = np.empty((T, N, H), x.dtype), np.empty((T, N, O), x.dtype)
    y_prev = y0
    for t in range(T):
        h[t] = np.tanh(x[t] @ params["W_xh"].T + y_prev @ params["W_yh"].T + params["b_h"])
        y_prev = y[t] = h[t] @ params["W_hy"].T + params["b_y"]
    return h, y, JordanCache(x, y0, h, y, params)


def jordan_backward(dy, cache):
    """dy: (T, N, O), the loss's gradient on every output -> dx (T, N, D), dy0 (N, O), grads."""
    check_cache(cache, "jordan_forward", JordanCache)
    x, y0, h, y, params = cache.x, cache.y0, cache.h, cache.y, cache.params
    check_shape("dy", check_float_array("dy", dy, ndim=3, dims="(T, N, O)"), y.shape, "(T, N, O)")
    check_same_dtype("dy", dy, x.dtype)  # else the gradients would silently come out in another dtype
    grads = {name: np.zeros_like(p) for name, p in params.items()}
    dx = np.empty_like(x)
    from_next = np.zeros_like(y0)  # gradient reaching y[t] through the feedback into step t+1
    for t in reversed(range(x.shape[0])):
        dy_t = dy[t] + from_next
        y_prev = y[t - 1] if t else y0
        grads["W_hy"] += dy_t.T @ h[t]
        grads["b_y"] += dy_t.sum(axis=0)
        da = (dy_t @ params["W_hy"]) * (1 - h[t] ** 2)
        grads["W_xh"] += da.T @ x[t]
        grads["W_yh"] += da.T @ y_prev
        grads["b_h"] += da.sum(axis=0)
        dx[t] = da @ params["W_xh"]
        from_next = da @ params["W_yh"]
    return dx, from_next, grads
