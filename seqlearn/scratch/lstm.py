"""The LSTM from scratch, as torch.nn.LSTM computes it: forward, and backpropagation through time.

    i_t = σ(W_xi x_t + W_hi h_{t-1} + b_i)        input gate: how much of the candidate to write
    f_t = σ(W_xf x_t + W_hf h_{t-1} + b_f)        forget gate: how much of the old cell to keep
    g_t = tanh(W_xg x_t + W_hg h_{t-1} + b_g)     the candidate values
    o_t = σ(W_xo x_t + W_ho h_{t-1} + b_o)        output gate: how much of the cell to show
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t               the cell state
    h_t = o_t ⊙ tanh(c_t)

in the course's column vectors (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000).
In code each row is one example: x_t @ W_xi.T + h_{t-1} @ W_hi.T + b_i.
Shapes: x (T, N, D), h0 and c0 (N, H), each W_x* (H, D), each W_h* (H, H), each b_* (H,); h (T, N, H).
`params` has those twelve names; leave out all four b_* for an LSTM without bias (torch's bias=False).

The cell state is a highway: from c_{t-1} to c_t it is only scaled by f_t and added to, with no matrix
and no squashing, so with f = 1 and i = 0 it is carried unchanged, and so is its gradient (dc_{t-1} = dc_t ⊙ f_t).

PyTorch stacks the gates in the order i, f, g, o: weight_ih_l0 is [W_xi; W_xf; W_xg; W_xo], (4H, D).
The step functions keep one line per equation above, and `lstm_forward`/`lstm_backward` chain them over time
(`seqlearn.scratch.steps`); the state carried from step to step is the pair (h, c).
`seqlearn.scratch.fast` computes the same with the gates stacked as PyTorch does, faster.
"""

import math
from typing import NamedTuple

import numpy as np

from seqlearn.checks import check_float_array, check_number, check_state, check_upstream
from seqlearn.scratch.gates import check_gate_params, check_init, sigmoid
from seqlearn.scratch.steps import SequenceCache, chain_backward, chain_forward, check_cache, check_sequence

LSTM_GATES = ("i", "f", "g", "o")  # PyTorch's order in weight_ih_l0
WEIGHTS = tuple(f"W_{side}{gate}" for gate in LSTM_GATES for side in "xh")
BIASES = tuple(f"b_{gate}" for gate in LSTM_GATES)


def init_lstm_params(D, H, rng, bias=True, forget_bias=0.0, dtype=np.float64):
    """Parameters drawn as PyTorch does, uniform in [-1/sqrt(H), 1/sqrt(H)], then `forget_bias` added to b_f.

    A forget_bias of 1.0 (as Jozefowicz et al. 2015 recommend) starts the forget gate mostly open,
    f ≈ σ(1) ≈ 0.73, so that a new network remembers by default; 0.0 is PyTorch's initialisation.
    """
    dtype = check_init(D, H, rng, bias, dtype)  # all checked before the first draw
    check_number("forget_bias", forget_bias, "a finite number", math.isfinite)
    if not bias and forget_bias != 0:
        raise ValueError(f"forget_bias={forget_bias} needs a bias to go into; got bias=False")
    k = 1 / np.sqrt(H)
    params = {}
    for gate in LSTM_GATES:
        params[f"W_x{gate}"] = rng.uniform(-k, k, (H, D))
        params[f"W_h{gate}"] = rng.uniform(-k, k, (H, H))
        if bias:
            params[f"b_{gate}"] = rng.uniform(-k, k, H)
    if bias:
        params["b_f"] += forget_bias
    return {name: p.astype(dtype) for name, p in params.items()}


def check_lstm_params(params, D, dtype, source="x"):
    """Validate an LSTM parameter dict against the input width D and dtype of `source`; return H."""
    return check_gate_params(params, "an LSTM", WEIGHTS, BIASES, D, dtype, source)


def _preactivation(x_t, h_prev, params, gate):
    """W_x x + W_h h + b for one gate, one row per example: (N, H)."""
    a = x_t @ params[f"W_x{gate}"].T + h_prev @ params[f"W_h{gate}"].T
    if f"b_{gate}" in params:
        a += params[f"b_{gate}"]
    return a


class LSTMStepCache(NamedTuple):
    x_t: np.ndarray  # (N, D)
    h_prev: np.ndarray  # (N, H)
    c_prev: np.ndarray  # (N, H)
    i: np.ndarray  # the gates, each (N, H)
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    tanh_c: np.ndarray  # tanh(c_t), (N, H)
    params: dict


def state_pair(name, state, parts=("h0", "c0"), kind=""):
    """The two entries of an LSTM state (h, c): a tuple or list of two, each possibly None; (None, None) for
    None. `kind` adds to the message where the pair is expected, e.g. " for an LSTM"."""
    if state is None:
        return None, None
    if not isinstance(state, tuple | list):
        raise TypeError(f"{name} must be a tuple ({parts[0]}, {parts[1]}) or None{kind}, got {type(state).__name__}")
    if len(state) != 2:
        raise ValueError(f"{name} must be a tuple ({parts[0]}, {parts[1]}) of two arrays, got a "
                         f"{type(state).__name__} of length {len(state)}")
    return tuple(state)


def check_lstm_state(name, state, N, H, dtype, parts=("h0", "c0")):
    """An LSTM state, the pair `parts` = (h, c), each (N, H) in x's dtype; zeros for None (or either entry None)."""
    return tuple(check_state(part, s, N, H, dtype) for part, s in zip(parts, state_pair(name, state, parts),
                                                                           strict=True))


def lstm_step_forward(x_t, state_prev, params):
    """One step. x_t: (N, D), state_prev: (h_prev, c_prev), each (N, H), or None for zeros
    -> h_t (N, H), state_t = (h_t, c_t), cache.
    """
    check_float_array("x_t", x_t, ndim=2, dims="(N, D)", allow_empty=False)
    N, D = x_t.shape
    H = check_lstm_params(params, D, x_t.dtype, source="x_t")
    h_prev, c_prev = check_lstm_state("state_prev", state_prev, N, H, x_t.dtype, ("h_prev", "c_prev"))
    i = sigmoid(_preactivation(x_t, h_prev, params, "i"))
    f = sigmoid(_preactivation(x_t, h_prev, params, "f"))
    g = np.tanh(_preactivation(x_t, h_prev, params, "g"))
    o = sigmoid(_preactivation(x_t, h_prev, params, "o"))
    c_t = f * c_prev + i * g
    tanh_c = np.tanh(c_t)
    h_t = o * tanh_c
    return h_t, (h_t, c_t), LSTMStepCache(x_t, h_prev, c_prev, i, f, g, o, tanh_c, params)


def lstm_step_backward(dh_t, cache, dstate_t=None):
    """Gradients of one step. dh_t: (N, H), the loss's gradient on h_t; dstate_t: (dh, dc), the gradients on
    the state (h_t, c_t) from the steps after it (None, or either entry None, for zeros)
    -> dx_t (N, D), dstate_prev = (dh_prev, dc_prev) each (N, H), grads.
    """
    check_cache(cache, "lstm_step_forward", LSTMStepCache)
    x_t, h_prev, c_prev, params = cache.x_t, cache.h_prev, cache.c_prev, cache.params
    i, f, g, o, tanh_c = cache.i, cache.f, cache.g, cache.o, cache.tanh_c
    dh_t = check_upstream("dh_t", dh_t, h_prev.shape, "(N, H)", h_prev.dtype)
    dh_next, dc_t = check_lstm_state("dstate_t", dstate_t, *h_prev.shape, h_prev.dtype,
                                     ("dstate_t[0] (dh)", "dstate_t[1] (dc)"))
    dh_t = dh_t + dh_next  # h_t reaches the loss directly and through the next step
    dc = dc_t + dh_t * o * (1 - tanh_c * tanh_c)  # c_t reaches the loss through the next step and through h_t
    dc_prev = dc * f  # the highway: back along it the gradient is only scaled by f
    # the gradient on each gate's pre-activation: through the product, then σ' = σ(1 - σ) or tanh' = 1 - tanh²
    da = {"i": dc * g * i * (1 - i),
          "f": dc * c_prev * f * (1 - f),
          "g": dc * i * (1 - g * g),
          "o": dh_t * tanh_c * o * (1 - o)}
    dx_t, dh_prev, grads = 0, 0, {}
    for gate, da_gate in da.items():  # every gate is an affine map of x_t and h_prev
        grads[f"W_x{gate}"] = da_gate.T @ x_t
        grads[f"W_h{gate}"] = da_gate.T @ h_prev
        if f"b_{gate}" in params:
            grads[f"b_{gate}"] = da_gate.sum(axis=0)
        dx_t = dx_t + da_gate @ params[f"W_x{gate}"]
        dh_prev = dh_prev + da_gate @ params[f"W_h{gate}"]
    return dx_t, (dh_prev, dc_prev), grads


def check_lstm_inputs(x, state0, params):
    """The checks of `lstm_forward`: returns H and (h0, c0), each (N, H), zeros where None."""
    T, N, D = check_sequence("x", x).shape
    H = check_lstm_params(params, D, x.dtype)
    return H, check_lstm_state("state0", state0, N, H, x.dtype)


def lstm_forward(x, state0, params, truncate=None):
    """The whole sequence: `lstm_step_forward` chained over time.

    x: (T, N, D), state0: (h0, c0), each (N, H), or None for zeros -> h (T, N, H), (h_n, c_n), cache.
    h[t] is the hidden state after step t; (h_n, c_n) are the final states, h_n = h[-1] (torch's h_n and
    c_n without their layer axis). truncate=k: truncated BPTT, as `rnn_forward`.
    """
    _, state0 = check_lstm_inputs(x, state0, params)
    return chain_forward(lstm_step_forward, x, state0, params, truncate)


def lstm_backward(dh, cache, dstate_n=None):
    """BPTT: `lstm_step_backward` chained back through time.

    dh: (T, N, H), the loss's gradient on every hidden state; dstate_n: (dh_n, dc_n), extra gradients on the
    final states, each (N, H) or None -> dx (T, N, D), (dh0, dc0) each (N, H), grads.

    dh_n simply adds to dh[-1]; dc_n is the only way a loss on the final cell state gets in. As for the
    RNN, each shared weight's gradient is the sum of its contributions from all T steps.
    """
    check_cache(cache, "lstm_forward", SequenceCache, LSTMStepCache)
    h_n = cache.steps[-1].h_prev  # any step's state has the shape and dtype of the final one
    dstate_n = check_lstm_state("dstate_n", dstate_n, *h_n.shape, h_n.dtype, ("dh_n", "dc_n"))
    return chain_backward(lstm_step_backward, dh, cache, dstate_n)
