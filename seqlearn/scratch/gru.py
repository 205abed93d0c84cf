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
`gru_forward` stacks them the same way: one matrix product per step (two for the original variant, whose
r must be known before W_hn can act). The step functions keep one line per equation.
"""

import numpy as np

from seqlearn.checks import check_choice, check_float_array, check_positive_int, check_rng, check_shape, check_state
from seqlearn.scratch.gates import check_gate_params, sigmoid

GATES = ("r", "z", "n")  # PyTorch's order in weight_ih_l0
WEIGHTS = tuple(f"W_{side}{gate}" for gate in GATES for side in "xh")
BIASES = ("b_r", "b_z", "b_xn", "b_hn")
GRU_VARIANTS = ("pytorch", "original")


def init_gru_params(D, H, rng, bias=True, dtype=np.float64):
    """Parameters drawn as PyTorch does: uniform in [-1/sqrt(H), 1/sqrt(H)]."""
    check_positive_int("D", D)
    check_positive_int("H", H)
    check_rng(rng)
    k = 1 / np.sqrt(H)
    params = {}
    for gate in GATES:
        params[f"W_x{gate}"] = rng.uniform(-k, k, (H, D))
        params[f"W_h{gate}"] = rng.uniform(-k, k, (H, H))
        if bias:
            for name in (("b_xn", "b_hn") if gate == "n" else (f"b_{gate}",)):
                params[name] = rng.uniform(-k, k, H)
    return {name: p.astype(dtype) for name, p in params.items()}


def check_gru_params(params, D, dtype):
    """Validate a GRU parameter dict against the input width D and dtype; return H."""
    return check_gate_params(params, "a GRU", WEIGHTS, BIASES, D, dtype)


def _bias(params, name):
    return params.get(name, 0)  # a GRU without bias adds nothing


def gru_step_forward(x_t, h_prev, params, variant="pytorch"):
    """One step. x_t: (N, D), h_prev: (N, H) or None for zeros -> h_t (N, H), cache."""
    check_choice("variant", variant, GRU_VARIANTS)
    check_float_array("x_t", x_t, ndim=2, dims="(N, D)")
    N, D = x_t.shape
    H = check_gru_params(params, D, x_t.dtype)
    h_prev = check_state("h_prev", h_prev, N, H, x_t.dtype)
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
    return h_t, (x_t, h_prev, r, z, n, hidden_in, params, variant)


def gru_step_backward(dh_t, cache):
    """Gradients of one step. dh_t: (N, H) -> dx_t (N, D), dh_prev (N, H), grads."""
    x_t, h_prev, r, z, n, hidden_in, params, variant = cache
    check_shape("dh_t", check_float_array("dh_t", dh_t), h_prev.shape, "(N, H)")
    W_hn = params["W_hn"]
    da_z = dh_t * (h_prev - n) * z * (1 - z)  # h_t = n + z ⊙ (h_prev - n), then σ'
    da_n = dh_t * (1 - z) * (1 - n * n)  # the gradient on n's pre-activation, through tanh
    dh_prev = dh_t * z  # the direct path, h_t = ... + z ⊙ h_prev
    if variant == "pytorch":
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


def gru_forward(x, h0, params, variant="pytorch"):
    """The whole sequence. x: (T, N, D), h0: (N, H) or None for zeros -> h (T, N, H), cache.

    h[t] is the state after step t; the final state (torch's h_n without its layer axis) is h[-1].
    """
    check_choice("variant", variant, GRU_VARIANTS)
    check_float_array("x", x, ndim=3, dims="(T, N, D)")
    T, N, D = x.shape
    if T == 0:
        raise ValueError(f"x must have at least one time step, got shape (T, N, D) = {x.shape}")
    H = check_gru_params(params, D, x.dtype)
    h0 = check_state("h0", h0, N, H, x.dtype)
    W_x = np.concatenate([params["W_xr"], params["W_xz"], params["W_xn"]])  # (3H, D), PyTorch's stacking
    W_h = np.concatenate([params["W_hr"], params["W_hz"], params["W_hn"]])  # (3H, H)
    b_hn = params["b_hn"][:, None] if "b_hn" in params else 0
    # Inside the loop the states are columns, (H, N), as in the math and in lstm_forward.
    # The input's part does not depend on the recurrence: W_x x_t for all T steps before the loop.
    a_x = np.matmul(W_x, x.transpose(0, 2, 1))  # (T, 3H, N)
    if "b_r" in params:
        a_x += np.concatenate([params["b_r"], params["b_z"], params["b_xn"]])[:, None]
    h = np.empty((T + 1, H, N), x.dtype)  # h[t + 1]: the state after step t
    h[0] = h0.T
    rz = np.empty((T, 2 * H, N), x.dtype)  # the gates r and z, one above the other
    n = np.empty((T, H, N), x.dtype)
    hn = np.empty((T, H, N), x.dtype)  # the hidden side of n's pre-activation, with b_hn
    for t in range(T):
        if variant == "pytorch":  # one product: r scales W_hn h + b_hn afterwards
            a_h = W_h @ h[t]
            sigmoid(np.add(a_x[t, :2 * H], a_h[:2 * H], out=rz[t]), out=rz[t])
            np.add(a_h[2 * H:], b_hn, out=hn[t])
            np.tanh(a_x[t, 2 * H:] + rz[t, :H] * hn[t], out=n[t])
        else:  # two products: r must be known before W_hn can act on r ⊙ h
            sigmoid(np.add(a_x[t, :2 * H], W_h[:2 * H] @ h[t], out=rz[t]), out=rz[t])
            np.add(W_h[2 * H:] @ (rz[t, :H] * h[t]), b_hn, out=hn[t])
            np.tanh(a_x[t, 2 * H:] + hn[t], out=n[t])
        np.add(n[t], rz[t, H:] * (h[t] - n[t]), out=h[t + 1])  # (1 - z) ⊙ n + z ⊙ h, one product fewer
    h_out = h[1:].transpose(0, 2, 1).copy()  # back to rows: (T, N, H)
    return h_out, (x, h, rz, n, hn, W_x, W_h, params, variant)


def gru_backward(dh, cache):
    """BPTT. dh: (T, N, H), the loss's gradient on every hidden state -> dx (T, N, D), dh0 (N, H), grads.

    As for the RNN, each shared weight's gradient is the sum of its contributions from all T steps.
    """
    x, h, rz, n, hn, W_x, W_h, params, variant = cache
    T, N, D = x.shape
    H = h.shape[1]
    check_shape("dh", check_float_array("dh", dh, ndim=3, dims="(T, N, H)"), (T, N, H), "(T, N, H)")
    r, z = rz[:, :H], rz[:, H:]
    # Columns again, as in gru_forward. For every step, the gradient on the pre-activations:
    # da_h[:2H] on r's and z's (x side and hidden side alike), da_h[2H:] on the hidden side of n,
    # W_hn h + b_hn ("pytorch") or W_hn (r ⊙ h) + b_hn ("original"); da_n on n's, W_xn x + b_xn + ...
    da_h = np.empty((3 * H, T, N), h.dtype)
    da_n = np.empty((H, T, N), h.dtype) if variant == "pytorch" else da_h[2 * H:]  # the same in the original
    dh_next = np.zeros((H, N), h.dtype)
    for t in reversed(range(T)):
        dh_t = dh[t].T + dh_next
        np.multiply(dh_t * (1 - z[t]), 1 - n[t] * n[t], out=da_n[:, t])  # h = (1 - z) ⊙ n + ..., then tanh'
        np.multiply(dh_t * (h[t] - n[t]), z[t] * (1 - z[t]), out=da_h[H:2 * H, t])  # ... + z ⊙ (h - n)
        if variant == "pytorch":  # n = tanh(... + r ⊙ hn)
            np.multiply(da_n[:, t] * hn[t], r[t] * (1 - r[t]), out=da_h[:H, t])
            np.multiply(da_n[:, t], r[t], out=da_h[2 * H:, t])
            dh_next = dh_t * z[t] + W_h.T @ da_h[:, t]
        else:  # n = tanh(... + W_hn (r ⊙ h) + b_hn)
            d_rh = W_h[2 * H:].T @ da_h[2 * H:, t]  # the gradient on r ⊙ h
            np.multiply(d_rh * h[t], r[t] * (1 - r[t]), out=da_h[:H, t])
            dh_next = dh_t * z[t] + d_rh * r[t] + W_h[:2 * H].T @ da_h[:2 * H, t]
    # The sums over time, each as one matrix product over all T*N columns.
    da_h2, da_n2 = da_h.reshape(3 * H, T * N), da_n.reshape(H, T * N)
    x2 = x.reshape(T * N, D)
    h_prev = h[:-1].transpose(0, 2, 1)  # (T, N, H): the state each step started from, as rows
    hidden_in = h_prev if variant == "pytorch" else (r * h[:-1]).transpose(0, 2, 1)  # what W_hn multiplied
    dW_xrz = np.split(da_h2[:2 * H] @ x2, 2)
    dW_hrz = np.split(da_h2[:2 * H] @ h_prev.reshape(T * N, H), 2)
    db_rz = np.split(da_h2[:2 * H].sum(axis=1), 2)
    grads = {"W_xr": dW_xrz[0], "W_hr": dW_hrz[0], "b_r": db_rz[0],
             "W_xz": dW_xrz[1], "W_hz": dW_hrz[1], "b_z": db_rz[1],
             "W_xn": da_n2 @ x2, "W_hn": da_h2[2 * H:] @ hidden_in.reshape(T * N, H),
             "b_xn": da_n2.sum(axis=1), "b_hn": da_h2[2 * H:].sum(axis=1)}
    if "b_r" not in params:
        grads = {name: grad for name, grad in grads.items() if name in params}
    dx = (da_h2[:2 * H].T @ W_x[:2 * H] + da_n2.T @ W_x[2 * H:]).reshape(T, N, D)
    return dx, dh_next.T.copy(), grads
