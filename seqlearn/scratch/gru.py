"""The GRU from scratch, as torch.nn.GRU computes it, and the 2014 original: forward, and BPTT.

    r_t = σ(W_xr x_t + W_hr h_{t-1} + b_r)                         reset gate
    z_t = σ(W_xz x_t + W_hz h_{t-1} + b_z)                         update gate
    n_t = tanh(W_xn x_t + b_xn + r_t ⊙ (W_hn h_{t-1} + b_hn))      the candidate state
    h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}

in the course's column vectors. The two variants differ only in where the reset gate sits:

- variant="pytorch" (torch.nn.GRU, cuDNN): r_t scales W_hn h_{t-1} + b_hn, AFTER the matrix, as above.
  So PyTorch needs a second bias for n, b_hn, inside the product: it cannot be merged into b_xn.
- variant="original" (Cho et al. 2014): r_t scales the state BEFORE the matrix,
  n_t = tanh(W_xn x_t + b_xn + W_hn (r_t ⊙ h_{t-1}) + b_hn); here b_xn and b_hn simply add.

Both use h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}, so z = 1 keeps the old state. That is how PyTorch and Cho
et al. write it; Chung et al. (2014) and Andrew Ng's Sequence Models (Γ_u) write z and 1 - z the other way
round, z = 1 taking the new candidate. It is the same model with z read as 1 - z.

In code each row is one example: x_t @ W_xr.T + h_{t-1} @ W_hr.T + b_r.
Shapes: x (T, N, D), h0 (N, H), each W_x* (H, D), each W_h* (H, H), each b_* (H,); h (T, N, H).
`params` has the ten names above; leave out all four biases for a GRU without bias (torch's bias=False).
PyTorch stacks the gates in the order r, z, n: weight_ih_l0 is [W_xr; W_xz; W_xn], (3H, D).
The step functions keep one line per equation, and `gru_forward`/`gru_backward` chain them over time
(`seqlearn.scratch.steps`). `seqlearn.scratch.fast` computes the same with the gates stacked, faster.
"""

from typing import NamedTuple

import numpy as np

from seqlearn.checks import check_choice, check_float_array, check_state, check_upstream
from seqlearn.scratch.gates import check_gate_params, check_init, sigmoid
from seqlearn.scratch.steps import SequenceCache, chain_backward, chain_forward, check_cache, check_sequence

GRU_GATES = ("r", "z", "n")  # PyTorch's order in weight_ih_l0
WEIGHTS = tuple(f"W_{side}{gate}" for gate in GRU_GATES for side in "xh")
BIASES = ("b_r", "b_z", "b_xn", "b_hn")
GRU_VARIANTS = ("pytorch", "original")


def init_gru_params(D, H, rng, bias=True, dtype=np.float64):
    """Parameters drawn as PyTorch does: uniform in [-1/sqrt(H), 1/sqrt(H)]."""
    dtype = check_init(D, H, rng, bias, dtype)  # all checked before the first draw
    k = 1 / np.sqrt(H)
    params = {}
    for gate in GRU_GATES:
        params[f"W_x{gate}"] = rng.uniform(-k, k, (H, D))
        params[f"W_h{gate}"] = rng.uniform(-k, k, (H, H))
        if bias:
            for name in (("b_xn", "b_hn") if gate == "n" else (f"b_{gate}",)):
                params[name] = rng.uniform(-k, k, H)
    return {name: p.astype(dtype) for name, p in params.items()}


def check_gru_params(params, D, dtype, source="x"):
    """Validate a GRU parameter dict against the input width D and dtype of `source`; return H."""
    return check_gate_params(params, "a GRU", WEIGHTS, BIASES, D, dtype, source)


def _bias(params, name):
    return params.get(name, 0)  # a GRU without bias adds nothing


class GRUStepCache(NamedTuple):
    x_t: np.ndarray  # (N, D)
    h_prev: np.ndarray  # (N, H)
    r: np.ndarray  # the gates and the candidate, each (N, H)
    z: np.ndarray
    n: np.ndarray
    hidden_in: np.ndarray  # what W_hn multiplied: h_prev ("pytorch") or r ⊙ h_prev ("original")
    params: dict
    variant: str


def gru_step_forward(x_t, state_prev, params, variant="pytorch"):
    """One step. x_t: (N, D), state_prev: h_prev (N, H) or None for zeros -> h_t (N, H), state_t = h_t, cache."""
    check_choice("variant", variant, GRU_VARIANTS)
    check_float_array("x_t", x_t, ndim=2, dims="(N, D)", allow_empty=False)
    N, D = x_t.shape
    H = check_gru_params(params, D, x_t.dtype, source="x_t")
    h_prev = check_state("h_prev", state_prev, N, H, x_t.dtype)
    r = sigmoid(x_t @ params["W_xr"].T + h_prev @ params["W_hr"].T + _bias(params, "b_r"))
    z = sigmoid(x_t @ params["W_xz"].T + h_prev @ params["W_hz"].T + _bias(params, "b_z"))
    if variant == "pytorch":
        hidden_in = h_prev  # what W_hn multiplies
        n = np.tanh(x_t @ params["W_xn"].T + _bias(params, "b_xn")
                    + r * (hidden_in @ params["W_hn"].T + _bias(params, "b_hn")))
    else:
        hidden_in = r * h_prev
        n = np.tanh(x_t @ params["W_xn"].T + _bias(params, "b_xn")
                    + hidden_in @ params["W_hn"].T + _bias(params, "b_hn"))
    h_t = (1 - z) * n + z * h_prev
    return h_t, h_t, GRUStepCache(x_t, h_prev, r, z, n, hidden_in, params, variant)


def gru_step_backward(dh_t, cache, dstate_t=None):
    """Gradients of one step. dh_t: (N, H), the loss's gradient on h_t; dstate_t: (N, H) or None, the gradient
    on the state h_t from the steps after it -> dx_t (N, D), dstate_prev (N, H), grads.
    """
    check_cache(cache, "gru_step_forward", GRUStepCache)
    x_t, h_prev, hidden_in, params = cache.x_t, cache.h_prev, cache.hidden_in, cache.params
    r, z, n = cache.r, cache.z, cache.n
    dh_t = check_upstream("dh_t", dh_t, h_prev.shape, "(N, H)", h_prev.dtype)
    dh_t = dh_t + check_upstream("dstate_t", dstate_t, h_prev.shape, "(N, H)", h_prev.dtype)
    W_hn = params["W_hn"]
    da_z = dh_t * (h_prev - n) * z * (1 - z)  # h_t = n + z ⊙ (h_prev - n), then σ'
    da_n = dh_t * (1 - z) * (1 - n * n)  # the gradient on n's pre-activation, through tanh
    dh_prev = dh_t * z  # the direct path, h_t = ... + z ⊙ h_prev
    if cache.variant == "pytorch":
        hn = h_prev @ W_hn.T + _bias(params, "b_hn")  # recomputed: what r multiplies
        da_r = da_n * hn * r * (1 - r)
        da_hn = da_n * r  # the gradient on W_hn h_prev + b_hn
        dh_prev = dh_prev + da_hn @ W_hn
    else:
        d_hidden_in = da_n @ W_hn  # the gradient on r ⊙ h_prev
        da_r = d_hidden_in * h_prev * r * (1 - r)
        da_hn = da_n  # W_hn (r ⊙ h_prev) + b_hn is added to n's pre-activation as it is
        dh_prev = dh_prev + d_hidden_in * r
    grads = {"W_xr": da_r.T @ x_t, "W_hr": da_r.T @ h_prev, "b_r": da_r.sum(axis=0),
             "W_xz": da_z.T @ x_t, "W_hz": da_z.T @ h_prev, "b_z": da_z.sum(axis=0),
             "W_xn": da_n.T @ x_t, "W_hn": da_hn.T @ hidden_in,
             "b_xn": da_n.sum(axis=0), "b_hn": da_hn.sum(axis=0)}
    if "b_r" not in params:
        grads = {name: grad for name, grad in grads.items() if name in params}
    dx_t = da_r @ params["W_xr"] + da_z @ params["W_xz"] + da_n @ params["W_xn"]
    dh_prev = dh_prev + da_r @ params["W_hr"] + da_z @ params["W_hz"]
    return dx_t, dh_prev, grads


def check_gru_inputs(x, state0, params, variant):
    """The checks of `gru_forward`: returns H and h0 (zeros if None)."""
    check_choice("variant", variant, GRU_VARIANTS)
    T, N, D = check_sequence("x", x).shape
    H = check_gru_params(params, D, x.dtype)
    return H, check_state("h0", state0, N, H, x.dtype)


def gru_forward(x, state0, params, variant="pytorch", truncate=None):
    """The whole sequence: `gru_step_forward` chained over time.

    x: (T, N, D), state0: h0 (N, H) or None for zeros -> h (T, N, H), h_n (N, H), cache.
    h[t] is the state after step t; the final state h_n (torch's h_n without its layer axis) is h[-1].
    truncate=k: truncated BPTT, as `rnn_forward`.
    """
    _, h0 = check_gru_inputs(x, state0, params, variant)
    return chain_forward(gru_step_forward, x, h0, params, truncate, variant=variant)


def gru_backward(dh, cache, dstate_n=None):
    """BPTT: `gru_step_backward` chained back through time.

    dh: (T, N, H), the loss's gradient on every hidden state; dstate_n: (N, H) or None, an extra gradient on
    the final state h_n -> dx (T, N, D), dh0 (N, H), grads.
    As for the RNN, each shared weight's gradient is the sum of its contributions from all T steps.
    """
    check_cache(cache, "gru_forward", SequenceCache, GRUStepCache)
    dstate_n = check_upstream("dstate_n", dstate_n, cache.shape[1:], "(N, H)", cache.dtype)
    return chain_backward(gru_step_backward, dh, cache, dstate_n)
