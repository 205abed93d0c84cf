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
`lstm_forward` stacks them the same way, so that each step is one (4H, H) @ (H, N) product and the input's
part is computed for all T steps before the loop; `lstm_backward` returns per-gate gradients again. The step
functions keep one line per equation above.
"""

import numbers

import numpy as np

from seqlearn.checks import check_float_array, check_positive_int, check_rng, check_shape, check_state
from seqlearn.scratch.gates import check_gate_params, check_upstream, sigmoid

GATES = ("i", "f", "g", "o")  # PyTorch's order in weight_ih_l0
WEIGHTS = tuple(f"W_{side}{gate}" for gate in GATES for side in "xh")
BIASES = tuple(f"b_{gate}" for gate in GATES)


def init_lstm_params(D, H, rng, bias=True, forget_bias=0.0, dtype=np.float64):
    """Parameters drawn as PyTorch does, uniform in [-1/sqrt(H), 1/sqrt(H)], then `forget_bias` added to b_f.

    A forget_bias of 1.0 (as Jozefowicz et al. 2015 recommend) starts the forget gate mostly open,
    f ≈ σ(1) ≈ 0.73, so that a new network remembers by default; 0.0 is PyTorch's initialisation.
    """
    check_positive_int("D", D)
    check_positive_int("H", H)
    check_rng(rng)
    if isinstance(forget_bias, bool) or not isinstance(forget_bias, numbers.Real):
        raise TypeError(f"forget_bias must be a number, got {type(forget_bias).__name__} {forget_bias!r}")
    if not bias and forget_bias != 0:
        raise ValueError(f"forget_bias={forget_bias} needs a bias to go into; got bias=False")
    k = 1 / np.sqrt(H)
    params = {}
    for gate in GATES:
        params[f"W_x{gate}"] = rng.uniform(-k, k, (H, D))
        params[f"W_h{gate}"] = rng.uniform(-k, k, (H, H))
        if bias:
            params[f"b_{gate}"] = rng.uniform(-k, k, H)
    if bias:
        params["b_f"] += forget_bias
    return {name: p.astype(dtype) for name, p in params.items()}


def check_lstm_params(params, D, dtype):
    """Validate an LSTM parameter dict against the input width D and dtype; return H."""
    return check_gate_params(params, "an LSTM", WEIGHTS, BIASES, D, dtype)


def _preactivation(x_t, h_prev, params, gate):
    """W_x x + W_h h + b for one gate, one row per example: (N, H)."""
    a = x_t @ params[f"W_x{gate}"].T + h_prev @ params[f"W_h{gate}"].T
    if f"b_{gate}" in params:
        a += params[f"b_{gate}"]
    return a


def lstm_step_forward(x_t, h_prev, c_prev, params):
    """One step. x_t: (N, D), h_prev and c_prev: (N, H) or None for zeros -> h_t (N, H), c_t (N, H), cache."""
    check_float_array("x_t", x_t, ndim=2, dims="(N, D)")
    N, D = x_t.shape
    H = check_lstm_params(params, D, x_t.dtype)
    h_prev = check_state("h_prev", h_prev, N, H, x_t.dtype)
    c_prev = check_state("c_prev", c_prev, N, H, x_t.dtype)
    i = sigmoid(_preactivation(x_t, h_prev, params, "i"))
    f = sigmoid(_preactivation(x_t, h_prev, params, "f"))
    g = np.tanh(_preactivation(x_t, h_prev, params, "g"))
    o = sigmoid(_preactivation(x_t, h_prev, params, "o"))
    c_t = f * c_prev + i * g
    tanh_c = np.tanh(c_t)
    h_t = o * tanh_c
    return h_t, c_t, (x_t, h_prev, c_prev, i, f, g, o, tanh_c, params)


def lstm_step_backward(dh_t, dc_t, cache):
    """Gradients of one step. dh_t, dc_t: (N, H), the loss's gradients on h_t and c_t (None for zeros)
    -> dx_t (N, D), dh_prev (N, H), dc_prev (N, H), grads.
    """
    x_t, h_prev, c_prev, i, f, g, o, tanh_c, params = cache
    check_shape("dh_t", check_float_array("dh_t", dh_t), h_prev.shape, "(N, H)")
    dc_t = check_upstream("dc_t", dc_t, h_prev.shape, "(N, H)", h_prev.dtype)
    dc = dc_t + dh_t * o * (1 - tanh_c * tanh_c)  # c_t reaches the loss directly and through h_t
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
    return dx_t, dh_prev, dc_prev, grads


def _initial_states(state0, N, H, dtype):
    if state0 is None:
        return np.zeros((N, H), dtype), np.zeros((N, H), dtype)
    if not isinstance(state0, tuple | list):
        raise TypeError(f"state0 must be a tuple (h0, c0) or None, got {type(state0).__name__}")
    if len(state0) != 2:
        raise ValueError(f"state0 must be a tuple (h0, c0) of two arrays, got a {type(state0).__name__} "
                         f"of length {len(state0)}")
    return check_state("h0", state0[0], N, H, dtype), check_state("c0", state0[1], N, H, dtype)


def _stack(params, name):
    """The four gates' arrays one above the other, in PyTorch's order: W_x* -> (4H, D), and so on."""
    return np.concatenate([params[name.format(gate)] for gate in GATES])


def lstm_forward(x, state0, params):
    """The whole sequence. x: (T, N, D), state0: (h0, c0), each (N, H), or None for zeros
    -> h (T, N, H), (h_n, c_n), cache.

    h[t] is the hidden state after step t; (h_n, c_n) are the final states, h_n = h[-1] (torch's h_n and
    c_n without their layer axis).
    """
    check_float_array("x", x, ndim=3, dims="(T, N, D)")
    T, N, D = x.shape
    if T == 0:
        raise ValueError(f"x must have at least one time step, got shape (T, N, D) = {x.shape}")
    H = check_lstm_params(params, D, x.dtype)
    h0, c0 = _initial_states(state0, N, H, x.dtype)
    W_x, W_h = _stack(params, "W_x{}"), _stack(params, "W_h{}")
    # Inside the loop the states are columns, (H, N), as in the math: a = W_h h + ..., whose matrix
    # product BLAS does faster than h @ W_h.T here, and each gate is then a contiguous block of rows.
    # The input's part does not depend on the recurrence: W_x x_t for all T steps before the loop.
    gates = np.matmul(W_x, x.transpose(0, 2, 1))  # (T, 4H, N)
    if "b_i" in params:
        gates += _stack(params, "b_{}")[:, None]
    h, c = np.empty((T + 1, H, N), x.dtype), np.empty((T + 1, H, N), x.dtype)  # h[t + 1]: after step t
    tanh_c = np.empty((T, H, N), x.dtype)
    h[0], c[0] = h0.T, c0.T
    for t in range(T):
        a = gates[t]  # (4H, N): the pre-activations, replaced in place by the gates i, f, g, o
        a += W_h @ h[t]
        sigmoid(a[:2 * H], out=a[:2 * H])  # i and f
        np.tanh(a[2 * H:3 * H], out=a[2 * H:3 * H])  # g
        sigmoid(a[3 * H:], out=a[3 * H:])  # o
        i, f, g, o = a[:H], a[H:2 * H], a[2 * H:3 * H], a[3 * H:]
        np.multiply(f, c[t], out=c[t + 1])
        c[t + 1] += i * g
        np.tanh(c[t + 1], out=tanh_c[t])
        np.multiply(o, tanh_c[t], out=h[t + 1])
    h_out = h[1:].transpose(0, 2, 1).copy()  # back to rows: (T, N, H)
    return h_out, (h_out[-1], c[-1].T.copy()), (x, h, c, tanh_c, gates, W_x, W_h, params)


def lstm_backward(dh, cache, dh_n=None, dc_n=None):
    """BPTT. dh: (T, N, H), the loss's gradient on every hidden state; dh_n, dc_n: (N, H) or None, extra
    gradients on the final states (h_n, c_n) -> dx (T, N, D), (dh0, dc0) each (N, H), grads.

    dh_n simply adds to dh[-1]; dc_n is the only way a loss on the final cell state gets in. As for the
    RNN, each shared weight's gradient is the sum of its contributions from all T steps.
    """
    x, h, c, tanh_c, gates, W_x, W_h, params = cache
    T, N, D = x.shape
    H = h.shape[1]
    check_shape("dh", check_float_array("dh", dh, ndim=3, dims="(T, N, H)"), (T, N, H), "(T, N, H)")
    # Columns again, as in lstm_forward: the gradients on the states are (H, N).
    dh_next = check_upstream("dh_n", dh_n, (N, H), "(N, H)", h.dtype).T
    dc_next = check_upstream("dc_n", dc_n, (N, H), "(N, H)", h.dtype).T
    da = np.empty((4 * H, T, N), h.dtype)  # the gradient on the pre-activations of i, f, g, o, every step
    for t in reversed(range(T)):
        i, f, g, o = np.split(gates[t], 4)
        dh_t = dh[t].T + dh_next
        dc_t = dc_next + dh_t * o * (1 - tanh_c[t] * tanh_c[t])  # directly, and through h = o ⊙ tanh(c)
        np.multiply(dc_t * g, i * (1 - i), out=da[:H, t])
        np.multiply(dc_t * c[t], f * (1 - f), out=da[H:2 * H, t])
        np.multiply(dc_t * i, 1 - g * g, out=da[2 * H:3 * H, t])
        np.multiply(dh_t * tanh_c[t], o * (1 - o), out=da[3 * H:, t])
        dc_next = dc_t * f
        dh_next = W_h.T @ da[:, t]
    # The sums over time, each as one matrix product over all T*N columns; then split into the four gates.
    da2 = da.reshape(4 * H, T * N)
    h_prev = h[:-1].transpose(0, 2, 1).reshape(T * N, H)  # the state each step started from, as rows
    dW_x = np.split(da2 @ x.reshape(T * N, D), 4)
    dW_h = np.split(da2 @ h_prev, 4)
    db = np.split(da2.sum(axis=1), 4)
    grads = {}
    for k, gate in enumerate(GATES):
        grads[f"W_x{gate}"], grads[f"W_h{gate}"] = dW_x[k], dW_h[k]
        if "b_i" in params:
            grads[f"b_{gate}"] = db[k]
    dx = (da2.T @ W_x).reshape(T, N, D)
    return dx, (dh_next.T.copy(), dc_next.T.copy()), grads
