"""Making it fast: the same RNN, LSTM and GRU layers, with the work that does not need the loop taken out of it.

The reference layers (`rnn_forward`, `lstm_forward`, `gru_forward` and their backwards) chain the step
functions, one line per equation. These compute exactly the same values (tested equal to them in float64)
with the same arguments and results, and are what the benchmarks time. Three changes, each valid because
matrix products distribute over the rows of a batch:

1. The input's part of every pre-activation, W_x x⟨t⟩ + b, does not depend on the recurrence: it is computed
   for all T steps as one big matrix product before the loop. Only W_h h⟨t-1⟩ stays inside.
2. The gates are stacked as PyTorch stacks them (LSTM i, f, g, o; GRU r, z, n), so each step is one
   (G·H, H) @ (H, N) product instead of G small ones, and states are kept as columns (H, N), as in the math,
   so that each gate is a contiguous block of rows. Results are written in place: no new array per step.
3. In the backward, the weight gradients are sums over time of per-step outer products; the loop only
   stores each step's pre-activation gradient, and the sums become one (G·H, T·N) @ (T·N, D) product.

Chapter 7 measures the difference. Shapes, options (nonlinearity, variant, truncate) and errors are those of
the reference layers.
"""

from typing import NamedTuple

import numpy as np

from seqlearn.checks import check_positive_int, check_upstream
from seqlearn.scratch.gates import sigmoid
from seqlearn.scratch.gru import GRU_GATES, GRU_VARIANTS, check_gru_inputs
from seqlearn.scratch.lstm import LSTM_GATES, check_lstm_inputs, check_lstm_state
from seqlearn.scratch.rnn import NONLINEARITIES, activate, activation_derivative, check_rnn_inputs
from seqlearn.scratch.steps import check_cache, check_sequence_gradient


class FastCache(NamedTuple):
    x: np.ndarray  # (T, N, D)
    h: np.ndarray  # (T + 1, H, N) for the gated cells, (T, N, H) for the RNN; h[0] is h0 for the gated ones
    saved: dict  # what the cell's backward needs: gates, cell states, stacked weights
    params: dict
    option: str | None  # the RNN's nonlinearity or the GRU's variant
    truncate: int | None


# Which cell made a FastCache, read from its option: the RNN's nonlinearity, None for the LSTM, the GRU's variant.
CELL_OF_OPTION = {**dict.fromkeys(NONLINEARITIES, "rnn"), None: "lstm", **dict.fromkeys(GRU_VARIANTS, "gru")}


def _check_fast_cache(cache, cell):
    """The cache of fast_{cell}_forward: another cell's FastCache is refused like any other layer's cache."""
    check_cache(cache, f"fast_{cell}_forward", FastCache)
    if CELL_OF_OPTION.get(cache.option) != cell:
        raise TypeError(f"cache must be the cache that fast_{cell}_forward returned, got the cache of "
                        f"fast_{CELL_OF_OPTION.get(cache.option)}_forward")


def _stack(params, pattern, gates):
    """The gates' arrays one above the other, in PyTorch's order: W_x* -> (G·H, D), and so on."""
    return np.concatenate([params[pattern.format(gate)] for gate in gates])


def _cut(truncate, t):
    """True where truncated BPTT cuts the gradient: before step t when t starts a new chunk."""
    return truncate is not None and t > 0 and t % truncate == 0


def fast_rnn_forward(x, state0, params, nonlinearity="tanh", truncate=None):
    """As `rnn_forward`: x (T, N, D), state0 h0 (N, H) or None -> h (T, N, H), h_n, cache."""
    H, h0 = check_rnn_inputs(x, state0, params, nonlinearity)
    if truncate is not None:
        check_positive_int("truncate", truncate)
    T, N, D = x.shape
    a_x = (x.reshape(T * N, D) @ params["W_xh"].T).reshape(T, N, H)  # 1. the input's part, all steps at once
    if "b_h" in params:
        a_x += params["b_h"]
    h, h_prev, W_hh_T = np.empty((T, N, H), x.dtype), h0, params["W_hh"].T
    for t in range(T):
        h_prev = h[t] = activate(a_x[t] + h_prev @ W_hh_T, nonlinearity)
    return h, h[-1], FastCache(x, h, {"h0": h0}, params, nonlinearity, truncate)


def fast_rnn_backward(dh, cache, dstate_n=None):
    """As `rnn_backward`: dh (T, N, H), dstate_n (N, H) or None -> dx (T, N, D), dh0 (N, H), grads."""
    _check_fast_cache(cache, "rnn")
    x, h, params = cache.x, cache.h, cache.params
    T, N, D = x.shape
    H = h.shape[2]
    check_sequence_gradient("dh", dh, h.shape, h.dtype)
    from_next = check_upstream("dstate_n", dstate_n, (N, H), "(N, H)", h.dtype)  # the gradient into h[t] from later
    da = np.empty_like(h)  # the gradient on each step's pre-activation
    for t in reversed(range(T)):
        da[t] = (dh[t] + from_next) * activation_derivative(h[t], cache.option)
        from_next = np.zeros_like(from_next) if _cut(cache.truncate, t) else da[t] @ params["W_hh"]
    h_prev = np.concatenate([cache.saved["h0"][None], h[:-1]])  # the state each step started from
    da2 = da.reshape(T * N, H)  # 3. the sums over time as single products over all T·N rows
    grads = {"W_xh": da2.T @ x.reshape(T * N, D), "W_hh": da2.T @ h_prev.reshape(T * N, H)}
    if "b_h" in params:
        grads["b_h"] = da.sum(axis=(0, 1))
    return (da2 @ params["W_xh"]).reshape(T, N, D), from_next, grads


def fast_lstm_forward(x, state0, params, truncate=None):
    """As `lstm_forward`: x (T, N, D), state0 (h0, c0) or None -> h (T, N, H), (h_n, c_n), cache."""
    H, (h0, c0) = check_lstm_inputs(x, state0, params)
    if truncate is not None:
        check_positive_int("truncate", truncate)
    T, N, D = x.shape
    W_x, W_h = _stack(params, "W_x{}", LSTM_GATES), _stack(params, "W_h{}", LSTM_GATES)
    gates = np.matmul(W_x, x.transpose(0, 2, 1))  # (T, 4H, N): 1. the input's part, all steps at once
    if "b_i" in params:
        gates += _stack(params, "b_{}", LSTM_GATES)[:, None]
    h, c = np.empty((T + 1, H, N), x.dtype), np.empty((T + 1, H, N), x.dtype)  # 2. columns; h[t + 1]: after t
    tanh_c = np.empty((T, H, N), x.dtype)
    h[0], c[0] = h0.T, c0.T
    for t in range(T):
        a = gates[t]  # (4H, N): the pre-activations, replaced in place by the gates i, f, g, o
        a += W_h @ h[t]
        sigmoid(a[:2 * H], out=a[:2 * H])  # i and f
        np.tanh(a[2 * H:3 * H], out=a[2 * H:3 * H])  # g
        sigmoid(a[3 * H:], out=a[3 * H:])  # o
        np.multiply(a[H:2 * H], c[t], out=c[t + 1])
        c[t + 1] += a[:H] * a[2 * H:3 * H]
        np.tanh(c[t + 1], out=tanh_c[t])
        np.multiply(a[3 * H:], tanh_c[t], out=h[t + 1])
    h_out = h[1:].transpose(0, 2, 1).copy()  # back to rows: (T, N, H)
    saved = {"c": c, "tanh_c": tanh_c, "gates": gates, "W_x": W_x, "W_h": W_h}
    return h_out, (h_out[-1], c[-1].T.copy()), FastCache(x, h, saved, params, None, truncate)


def fast_lstm_backward(dh, cache, dstate_n=None):
    """As `lstm_backward`: dh (T, N, H), dstate_n (dh_n, dc_n) or None -> dx, (dh0, dc0), grads."""
    _check_fast_cache(cache, "lstm")
    x, h, s, params = cache.x, cache.h, cache.saved, cache.params
    T, N, D = x.shape
    H = h.shape[1]
    check_sequence_gradient("dh", dh, (T, N, H), h.dtype)
    dh_next, dc_next = (d.T for d in check_lstm_state("dstate_n", dstate_n, N, H, h.dtype, ("dh_n", "dc_n")))
    da = np.empty((4 * H, T, N), h.dtype)  # the gradient on the pre-activations of i, f, g, o, every step
    for t in reversed(range(T)):
        i, f, g, o = np.split(s["gates"][t], 4)
        tanh_c = s["tanh_c"][t]
        dh_t = dh[t].T + dh_next
        dc_t = dc_next + dh_t * o * (1 - tanh_c * tanh_c)  # directly, and through h = o ⊙ tanh(c)
        np.multiply(dc_t * g, i * (1 - i), out=da[:H, t])
        np.multiply(dc_t * s["c"][t], f * (1 - f), out=da[H:2 * H, t])
        np.multiply(dc_t * i, 1 - g * g, out=da[2 * H:3 * H, t])
        np.multiply(dh_t * tanh_c, o * (1 - o), out=da[3 * H:, t])
        dc_next, dh_next = dc_t * f, s["W_h"].T @ da[:, t]
        if _cut(cache.truncate, t):
            dc_next, dh_next = np.zeros_like(dc_next), np.zeros_like(dh_next)
    da2 = da.reshape(4 * H, T * N)  # 3. the sums over time, then split into the four gates
    h_prev = h[:-1].transpose(0, 2, 1).reshape(T * N, H)  # the state each step started from, as rows
    dW_x, dW_h = np.split(da2 @ x.reshape(T * N, D), 4), np.split(da2 @ h_prev, 4)
    db = np.split(da2.sum(axis=1), 4)
    grads = {}
    for k, gate in enumerate(LSTM_GATES):
        grads[f"W_x{gate}"], grads[f"W_h{gate}"] = dW_x[k], dW_h[k]
        if "b_i" in params:
            grads[f"b_{gate}"] = db[k]
    dx = (da2.T @ s["W_x"]).reshape(T, N, D)
    return dx, (dh_next.T.copy(), dc_next.T.copy()), grads


def fast_gru_forward(x, state0, params, variant="pytorch", truncate=None):
    """As `gru_forward`: x (T, N, D), state0 h0 (N, H) or None -> h (T, N, H), h_n, cache."""
    H, h0 = check_gru_inputs(x, state0, params, variant)
    if truncate is not None:
        check_positive_int("truncate", truncate)
    T, N, D = x.shape
    W_x, W_h = _stack(params, "W_x{}", GRU_GATES), _stack(params, "W_h{}", GRU_GATES)
    b_hn = params["b_hn"][:, None] if "b_hn" in params else 0
    a_x = np.matmul(W_x, x.transpose(0, 2, 1))  # (T, 3H, N): 1. the input's part, all steps at once
    if "b_r" in params:
        a_x += np.concatenate([params["b_r"], params["b_z"], params["b_xn"]])[:, None]
    h = np.empty((T + 1, H, N), x.dtype)  # 2. columns; h[t + 1]: the state after step t
    h[0] = h0.T
    rz = np.empty((T, 2 * H, N), x.dtype)  # the gates r and z, one above the other
    n, hn = np.empty((T, H, N), x.dtype), np.empty((T, H, N), x.dtype)  # hn: the hidden side of n, with b_hn
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
    saved = {"rz": rz, "n": n, "hn": hn, "W_x": W_x, "W_h": W_h}
    return h_out, h_out[-1], FastCache(x, h, saved, params, variant, truncate)


def fast_gru_backward(dh, cache, dstate_n=None):
    """As `gru_backward`: dh (T, N, H), dstate_n (N, H) or None -> dx (T, N, D), dh0 (N, H), grads."""
    _check_fast_cache(cache, "gru")
    x, h, s, params, variant = cache.x, cache.h, cache.saved, cache.params, cache.option
    T, N, D = x.shape
    H = h.shape[1]
    check_sequence_gradient("dh", dh, (T, N, H), h.dtype)
    dh_next = check_upstream("dstate_n", dstate_n, (N, H), "(N, H)", h.dtype).T
    r, z, n, hn, W_h = s["rz"][:, :H], s["rz"][:, H:], s["n"], s["hn"], s["W_h"]
    # For every step, the gradient on the pre-activations: da_h[:2H] on r's and z's, da_h[2H:] on the hidden
    # side of n (W_hn h + b_hn, or W_hn (r ⊙ h) + b_hn), da_n on n's whole pre-activation.
    da_h = np.empty((3 * H, T, N), h.dtype)
    da_n = np.empty((H, T, N), h.dtype) if variant == "pytorch" else da_h[2 * H:]  # the same in the original
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
        if _cut(cache.truncate, t):
            dh_next = np.zeros_like(dh_next)
    da_h2, da_n2 = da_h.reshape(3 * H, T * N), da_n.reshape(H, T * N)  # 3. the sums over time
    x2 = x.reshape(T * N, D)
    h_prev = h[:-1].transpose(0, 2, 1).reshape(T * N, H)  # the state each step started from, as rows
    hidden_in = h_prev if variant == "pytorch" else (r * h[:-1]).transpose(0, 2, 1).reshape(T * N, H)
    dW_xrz, dW_hrz = np.split(da_h2[:2 * H] @ x2, 2), np.split(da_h2[:2 * H] @ h_prev, 2)
    db_rz = np.split(da_h2[:2 * H].sum(axis=1), 2)
    grads = {"W_xr": dW_xrz[0], "W_hr": dW_hrz[0], "b_r": db_rz[0],
             "W_xz": dW_xrz[1], "W_hz": dW_hrz[1], "b_z": db_rz[1],
             "W_xn": da_n2 @ x2, "W_hn": da_h2[2 * H:] @ hidden_in,
             "b_xn": da_n2.sum(axis=1), "b_hn": da_h2[2 * H:].sum(axis=1)}
    if "b_r" not in params:
        grads = {name: grad for name, grad in grads.items() if name in params}
    dx = (da_h2[:2 * H].T @ s["W_x"][:2 * H] + da_n2.T @ s["W_x"][2 * H:]).reshape(T, N, D)
    return dx, dh_next.T.copy(), grads
