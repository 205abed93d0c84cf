"""The Elman RNN from scratch: forward, and backpropagation through time (BPTT).

    h_t = f(x_t @ W_xh.T + h_{t-1} @ W_hh.T + b_h),   f = tanh or relu

which is the course's column-vector h⟨t⟩ = f(W_xh x⟨t⟩ + W_hh h⟨t-1⟩ + b_h), one row per example.
Shapes: x (T, N, D), h0 (N, H), W_xh (H, D), W_hh (H, H), b_h (H,), all hidden states h (T, N, H).
`params` is a dict with those names; leave out `b_h` for an RNN without bias (torch's bias=False).

Backward functions take the upstream gradient and the forward's cache and return gradients named like the
parameters. Because the same W_xh, W_hh, b_h act at every step, their gradients are the SUM of the per-step
contributions.
"""

import numpy as np

from seqlearn.checks import (
    check_choice,
    check_float_array,
    check_positive_int,
    check_rng,
    check_same_dtype,
    check_shape,
    check_state,
)

NONLINEARITIES = ("tanh", "relu")


def init_rnn_params(D, H, rng, bias=True, dtype=np.float64):
    """Parameters drawn as PyTorch does: uniform in [-1/sqrt(H), 1/sqrt(H)]."""
    check_positive_int("D", D)
    check_positive_int("H", H)
    check_rng(rng)
    k = 1 / np.sqrt(H)
    params = {"W_xh": rng.uniform(-k, k, (H, D)), "W_hh": rng.uniform(-k, k, (H, H))}
    if bias:
        params["b_h"] = rng.uniform(-k, k, H)
    return {name: p.astype(dtype) for name, p in params.items()}


def check_rnn_params(params, D, dtype):
    """Validate an RNN parameter dict against the input width D and dtype; return H."""
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    unknown = sorted(set(params) - {"W_xh", "W_hh", "b_h"})
    if unknown:  # a typo such as 'b_hh' must not silently mean "no bias"
        raise ValueError(f"params has unknown keys {unknown}; an RNN takes 'W_xh', 'W_hh' and optionally "
                         "'b_h'")
    for name in ("W_xh", "W_hh"):
        if name not in params:
            raise ValueError(f"params is missing {name!r}; it has {sorted(params)}")
    H = check_float_array("W_xh", params["W_xh"], ndim=2, dims="(H, D)").shape[0]
    check_shape("W_xh", params["W_xh"], (H, D), "(H, D)")
    check_shape("W_hh", check_float_array("W_hh", params["W_hh"]), (H, H), "(H, H)")
    if "b_h" in params:
        check_shape("b_h", check_float_array("b_h", params["b_h"]), (H,), "(H,)")
    for name, p in params.items():
        check_same_dtype(name, p, dtype)
    return H


def _activate(a, nonlinearity):
    return np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)


def _derivative(h, nonlinearity):
    """f'(a) from the output h = f(a): tanh' = 1 - h^2, relu' = 1 where h > 0. No need to store a."""
    return 1 - h * h if nonlinearity == "tanh" else (h > 0).astype(h.dtype)


def rnn_step_forward(x_t, h_prev, params, nonlinearity="tanh"):
    """One step. x_t: (N, D), h_prev: (N, H) -> h_t: (N, H), cache."""
    check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
    check_float_array("x_t", x_t, ndim=2, dims="(N, D)")
    H = check_rnn_params(params, x_t.shape[1], x_t.dtype)
    h_prev = check_state("h_prev", h_prev, x_t.shape[0], H, x_t.dtype)
    a = x_t @ params["W_xh"].T + h_prev @ params["W_hh"].T
    if "b_h" in params:
        a += params["b_h"]
    h_t = _activate(a, nonlinearity)
    return h_t, (x_t, h_prev, h_t, params, nonlinearity)


def rnn_step_backward(dh_t, cache):
    """Gradients of one step. dh_t: (N, H) -> dx_t (N, D), dh_prev (N, H), grads."""
    x_t, h_prev, h_t, params, nonlinearity = cache
    check_shape("dh_t", check_float_array("dh_t", dh_t), h_t.shape, "(N, H)")
    da = dh_t * _derivative(h_t, nonlinearity)  # back through f
    grads = {"W_xh": da.T @ x_t, "W_hh": da.T @ h_prev}
    if "b_h" in params:
        grads["b_h"] = da.sum(axis=0)
    return da @ params["W_xh"], da @ params["W_hh"], grads


def check_rnn_inputs(x, h0, params, nonlinearity):
    """The checks of `rnn_forward`, for any function that takes its arguments: returns H and h0 (zeros if None)."""
    check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
    check_float_array("x", x, ndim=3, dims="(T, N, D)")
    T, N, D = x.shape
    if T == 0:
        raise ValueError(f"x must have at least one time step, got shape (T, N, D) = {x.shape}")
    H = check_rnn_params(params, D, x.dtype)
    return H, check_state("h0", h0, N, H, x.dtype)


def rnn_forward(x, h0, params, nonlinearity="tanh"):
    """The whole sequence. x: (T, N, D), h0: (N, H) or None for zeros -> h: (T, N, H), cache.

    h[t] is the state after step t; the final state is h[-1].
    """
    H, h0 = check_rnn_inputs(x, h0, params, nonlinearity)
    T, N, D = x.shape
    W_hh_T = params["W_hh"].T
    # The input's contribution does not depend on the recurrence: one matrix product for all T steps.
    a_x = (x.reshape(T * N, D) @ params["W_xh"].T).reshape(T, N, H)
    if "b_h" in params:
        a_x += params["b_h"]
    h = np.empty((T, N, H), x.dtype)
    h_prev = h0
    for t in range(T):
        h_prev = h[t] = _activate(a_x[t] + h_prev @ W_hh_T, nonlinearity)
    return h, (x, h0, h, params, nonlinearity)


def rnn_backward(dh, cache, truncate=None):
    """BPTT. dh: (T, N, H), the loss's gradient on every hidden state -> dx (T, N, D), dh0 (N, H), grads.

    Full BPTT (truncate=None): the gradient reaching h[t] is dh[t] plus what flows back from step t+1, and
    each shared weight's gradient is the sum of its contributions from all T steps.

    Truncated BPTT (truncate=k): time is cut into chunks of steps [0, k), [k, 2k), ... The state each chunk
    starts from (h0, h[k-1], h[2k-1], ...) is treated as a constant, so no gradient crosses a chunk
    boundary: the gradient reaching h[t] is dh[t] plus what flows back from later steps of the SAME chunk.
    This is exactly what PyTorch computes when the state is detached (`h = h.detach()`) before steps
    k, 2k, ... The weight gradients still sum over all T steps. dh0 carries only the gradient of the losses
    on the first chunk's steps, and dx[t] only that of the losses on steps t, t+1, ... of t's own chunk.
    """
    x, h0, h, params, nonlinearity = cache
    check_shape("dh", check_float_array("dh", dh, ndim=3, dims="(T, N, H)"), h.shape, "(T, N, H)")
    if truncate is not None:
        check_positive_int("truncate", truncate)
    T, N, D = x.shape
    H = h.shape[2]
    W_hh = params["W_hh"]
    da = np.empty_like(h)  # gradient at each step's pre-activation a_t
    from_next = np.zeros((N, H), h.dtype)  # gradient flowing into h[t] from step t+1
    for t in reversed(range(T)):
        if truncate is not None and (t + 1) % truncate == 0:
            from_next = np.zeros_like(from_next)  # h[t] starts the next chunk: a constant there
        da[t] = (dh[t] + from_next) * _derivative(h[t], nonlinearity)
        from_next = da[t] @ W_hh
    dh0 = from_next  # what flows out of step 0 into the initial state
    # The sums over time, each as one matrix product over all T*N rows.
    h_prev = np.concatenate([h0[None], h[:-1]])  # (T, N, H): the state each step started from
    da2 = da.reshape(T * N, H)
    grads = {"W_xh": da2.T @ x.reshape(T * N, D), "W_hh": da2.T @ h_prev.reshape(T * N, H)}
    if "b_h" in params:
        grads["b_h"] = da.sum(axis=(0, 1))
    dx = (da2 @ params["W_xh"]).reshape(T, N, D)
    return dx, dh0, grads
