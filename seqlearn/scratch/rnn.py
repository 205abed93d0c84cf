"""The Elman RNN from scratch: forward, and backpropagation through time (BPTT).

    h_t = f(x_t @ W_xh.T + h_{t-1} @ W_hh.T + b_h),   f = tanh or relu

which is the course's column-vector h⟨t⟩ = f(W_xh x⟨t⟩ + W_hh h⟨t-1⟩ + b_h), one row per example.
Shapes: x (T, N, D), h0 (N, H), W_xh (H, D), W_hh (H, H), b_h (H,), all hidden states h (T, N, H).
`params` is a dict with those names; leave out `b_h` for an RNN without bias (torch's bias=False).
The state carried from step to step is h itself.

The step functions hold the maths; `rnn_forward` and `rnn_backward` chain them over time
(`seqlearn.scratch.steps`). Backward functions take the upstream gradient and the forward's cache and return
gradients named like the parameters. Because the same W_xh, W_hh, b_h act at every step, their gradients are
the SUM of the per-step contributions. `seqlearn.scratch.fast` computes the same faster.
"""

from typing import NamedTuple

import numpy as np

from seqlearn.checks import (
    check_choice,
    check_float_array,
    check_keys,
    check_same_dtype,
    check_shape,
    check_state,
    check_upstream,
)
from seqlearn.scratch.gates import check_init, check_input_weight
from seqlearn.scratch.steps import SequenceCache, chain_backward, chain_forward, check_cache, check_sequence

NONLINEARITIES = ("tanh", "relu")


def init_rnn_params(D, H, rng, bias=True, dtype=np.float64):
    """Parameters drawn as PyTorch does: uniform in [-1/sqrt(H), 1/sqrt(H)]."""
    dtype = check_init(D, H, rng, bias, dtype)  # all checked before the first draw
    k = 1 / np.sqrt(H)
    params = {"W_xh": rng.uniform(-k, k, (H, D)), "W_hh": rng.uniform(-k, k, (H, H))}
    if bias:
        params["b_h"] = rng.uniform(-k, k, H)
    return {name: p.astype(dtype) for name, p in params.items()}


def check_rnn_params(params, D, dtype, source="x"):
    """Validate an RNN parameter dict against the input width D and dtype of `source` (x); return H."""
    check_keys("params", params, ("W_xh", "W_hh"), ("b_h",), "an RNN takes 'W_xh', 'W_hh' and optionally 'b_h'")
    H = check_float_array("W_xh", params["W_xh"], ndim=2, dims="(H, D)").shape[0]
    check_input_weight("W_xh", params["W_xh"], H, D, source)
    check_shape("W_hh", check_float_array("W_hh", params["W_hh"]), (H, H), "(H, H)")
    if "b_h" in params:
        check_shape("b_h", check_float_array("b_h", params["b_h"]), (H,), "(H,)")
    for name, p in params.items():
        check_same_dtype(name, p, dtype, source)
    return H


def activate(a, nonlinearity):
    """f(a): tanh, or relu = max(a, 0)."""
    return np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)


def activation_derivative(h, nonlinearity):
    """f'(a) from the output h = f(a): tanh' = 1 - h^2, relu' = 1 where h > 0. No need to store a."""
    return 1 - h * h if nonlinearity == "tanh" else (h > 0).astype(h.dtype)


class RNNStepCache(NamedTuple):
    x_t: np.ndarray  # (N, D)
    h_prev: np.ndarray  # (N, H)
    h_t: np.ndarray  # (N, H)
    params: dict
    nonlinearity: str


def rnn_step_forward(x_t, state_prev, params, nonlinearity="tanh"):
    """One step. x_t: (N, D), state_prev: h_prev (N, H) or None for zeros -> h_t (N, H), state_t, cache.

    The RNN's state is its hidden state, so state_t is h_t.
    """
    check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
    check_float_array("x_t", x_t, ndim=2, dims="(N, D)", allow_empty=False)
    H = check_rnn_params(params, x_t.shape[1], x_t.dtype, source="x_t")
    h_prev = check_state("h_prev", state_prev, x_t.shape[0], H, x_t.dtype)
    a = x_t @ params["W_xh"].T + h_prev @ params["W_hh"].T
    if "b_h" in params:
        a += params["b_h"]
    h_t = activate(a, nonlinearity)
    return h_t, h_t, RNNStepCache(x_t, h_prev, h_t, params, nonlinearity)


def rnn_step_backward(dh_t, cache, dstate_t=None):
    """Gradients of one step. dh_t: (N, H), the loss's gradient on h_t; dstate_t: (N, H) or None, the gradient
    on the state h_t from the steps after it -> dx_t (N, D), dstate_prev (N, H), grads.
    """
    check_cache(cache, "rnn_step_forward", RNNStepCache)
    N_H = cache.h_t.shape
    dh_t = check_upstream("dh_t", dh_t, N_H, "(N, H)", cache.h_t.dtype)
    dh_total = dh_t + check_upstream("dstate_t", dstate_t, N_H, "(N, H)", cache.h_t.dtype)
    da = dh_total * activation_derivative(cache.h_t, cache.nonlinearity)  # back through f
    grads = {"W_xh": da.T @ cache.x_t, "W_hh": da.T @ cache.h_prev}
    if "b_h" in cache.params:
        grads["b_h"] = da.sum(axis=0)
    return da @ cache.params["W_xh"], da @ cache.params["W_hh"], grads


def check_rnn_inputs(x, state0, params, nonlinearity):
    """The checks of `rnn_forward`, for any function that takes its arguments: returns H and h0 (zeros if None)."""
    check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
    T, N, D = check_sequence("x", x).shape
    H = check_rnn_params(params, D, x.dtype)
    return H, check_state("h0", state0, N, H, x.dtype)


def rnn_forward(x, state0, params, nonlinearity="tanh", truncate=None):
    """The whole sequence: `rnn_step_forward` chained over time.

    x: (T, N, D), state0: h0 (N, H) or None for zeros -> h (T, N, H), h_n (N, H), cache.
    h[t] is the state after step t, and the final state h_n is h[-1]. truncate=k cuts the gradient every k
    steps in the backward (truncated BPTT, see `seqlearn.scratch.steps`).
    """
    _, h0 = check_rnn_inputs(x, state0, params, nonlinearity)
    return chain_forward(rnn_step_forward, x, h0, params, truncate, nonlinearity=nonlinearity)


def rnn_backward(dh, cache, dstate_n=None):
    """BPTT: `rnn_step_backward` chained back through time.

    dh: (T, N, H), the loss's gradient on every hidden state; dstate_n: (N, H) or None, an extra gradient on
    the final state h_n -> dx (T, N, D), dh0 (N, H), grads.

    The gradient reaching h[t] is dh[t] plus what flows back from step t+1, and each shared weight's
    gradient is the sum of its contributions from all T steps.
    """
    check_cache(cache, "rnn_forward", SequenceCache, RNNStepCache)
    dstate_n = check_upstream("dstate_n", dstate_n, cache.shape[1:], "(N, H)", cache.dtype)
    return chain_backward(rnn_step_backward, dh, cache, dstate_n)
