"""The from-scratch LSTM against torch.nn.LSTM (float64, 1e-10) and against finite differences (1e-6)."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_reference import run_truncated

from seqlearn.convert import params_to_torch
from seqlearn.gradcheck import grad_check
from seqlearn.scratch import (
    init_lstm_params,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
)

TOL = 1e-10
TORCH_ORDER = "ifgo"  # the gates' blocks in weight_ih_l0, as PyTorch's documentation lists them


def torch_reference(x, state0, params, dh, dh_n, dc_n, truncate=None):
    """nn.LSTM forward + autograd with upstream gradients dh, dh_n, dc_n, the state (h, c) detached every
    `truncate` steps; returns numpy arrays."""
    T, N, D = x.shape
    H = params["W_hi"].shape[0]
    bias = "b_i" in params
    lstm = params_to_torch(params, torch.nn.LSTM(D, H, bias=bias).double())
    h0, c0 = state0 if state0 is not None else (np.zeros((N, H)), np.zeros((N, H)))
    x_t, h0_t, c0_t = (torch.from_numpy(a.copy()).requires_grad_() for a in (x, h0, c0))
    out, (h_n, c_n) = run_truncated(lstm, x_t, (h0_t[None], c0_t[None]), truncate)
    loss = (out * torch.from_numpy(dh)).sum()
    if dh_n is not None:
        loss = loss + (h_n[0] * torch.from_numpy(dh_n)).sum()
    if dc_n is not None:
        loss = loss + (c_n[0] * torch.from_numpy(dc_n)).sum()
    loss.backward()
    blocks = {name: np.split(getattr(lstm, f"{name}_l0").grad.numpy(), 4)
              for name in ("weight_ih", "weight_hh") + (("bias_ih",) if bias else ())}
    grads = {}
    for k, gate in enumerate(TORCH_ORDER):
        grads[f"W_x{gate}"], grads[f"W_h{gate}"] = blocks["weight_ih"][k], blocks["weight_hh"][k]
        if bias:
            grads[f"b_{gate}"] = blocks["bias_ih"][k]  # d/d(bias_ih) == d/d(b): the two biases add
    states = tuple(s[0].detach().numpy() for s in (h_n, c_n))
    return out.detach().numpy(), states, x_t.grad.numpy(), (h0_t.grad.numpy(), c0_t.grad.numpy()), grads


def assert_close(a, b):
    np.testing.assert_allclose(a, b, rtol=0, atol=TOL)


@settings(max_examples=25)
@given(T=st.integers(1, 5), N=st.integers(1, 3), D=st.integers(1, 4), H=st.integers(1, 4), bias=st.booleans(),
       given_state=st.booleans(), given_final=st.sampled_from(["none", "h", "c", "both"]),
       truncate=st.sampled_from([None, 1, 2, 3]), seed=st.integers(0, 2**32 - 1))
def test_parity_with_torch(T, N, D, H, bias, given_state, given_final, truncate, seed):
    rng = np.random.default_rng(seed)
    params = init_lstm_params(D, H, rng, bias=bias, forget_bias=1.0 if bias else 0.0)
    x = rng.normal(size=(T, N, D))
    state0 = (rng.normal(size=(N, H)), rng.normal(size=(N, H))) if given_state else None
    dh = rng.normal(size=(T, N, H))
    dh_n = rng.normal(size=(N, H)) if given_final in ("h", "both") else None  # either entry may be None
    dc_n = rng.normal(size=(N, H)) if given_final in ("c", "both") else None
    dstate_n = None if given_final == "none" else (dh_n, dc_n)
    h, (h_n, c_n), cache = lstm_forward(x, state0, params, truncate=truncate)
    dx, (dh0, dc0), grads = lstm_backward(dh, cache, dstate_n)
    out, (h_n_ref, c_n_ref), dx_ref, (dh0_ref, dc0_ref), grads_ref = torch_reference(x, state0, params, dh,
                                                                                   dh_n, dc_n, truncate)
    assert h.shape == (T, N, H) and dx.shape == (T, N, D)
    assert all(a.shape == (N, H) for a in (h_n, c_n, dh0, dc0))
    assert_close(h, out)
    assert_close(h_n, h_n_ref)
    np.testing.assert_array_equal(h_n, h[-1])
    assert_close(c_n, c_n_ref)
    assert_close(dx, dx_ref)
    assert_close(dh0, dh0_ref)
    assert_close(dc0, dc0_ref)
    assert list(grads) == list(params)  # named, and ordered, like the params
    for name in grads:
        assert_close(grads[name], grads_ref[name])


def test_truncating_at_the_length_or_beyond_is_full_bptt():
    rng = np.random.default_rng(5)
    params = init_lstm_params(3, 4, rng)
    x, dh = rng.normal(size=(4, 2, 3)), rng.normal(size=(4, 2, 4))
    dstate_n = (rng.normal(size=(2, 4)), rng.normal(size=(2, 4)))
    h_full, (h_n, c_n), cache = lstm_forward(x, None, params)
    full = lstm_backward(dh, cache, dstate_n)
    for k in (4, 9):
        h, state_n, cut_cache = lstm_forward(x, None, params, truncate=k)
        np.testing.assert_array_equal(h, h_full)  # truncation changes only the backward
        np.testing.assert_array_equal(state_n[1], c_n)
        cut = lstm_backward(dh, cut_cache, dstate_n)
        assert_close(cut[0], full[0])
        assert_close(cut[1][0], full[1][0])
        assert_close(cut[1][1], full[1][1])
        for name in params:
            assert_close(cut[2][name], full[2][name])


def test_open_forget_gate_and_shut_input_gate_carry_the_cell_unchanged():
    """The highway: with f = 1 and i = 0 whatever the input, c<3> is c<0>, and so is the gradient."""
    rng = np.random.default_rng(0)
    params = init_lstm_params(3, 4, rng)
    for gate, b in (("f", 40.0), ("i", -40.0)):  # σ(40) is 1 and σ(-40) is 0 in float64, to 4e-18
        params[f"W_x{gate}"][:] = params[f"W_h{gate}"][:] = 0
        params[f"b_{gate}"][:] = b
    x, c0 = rng.normal(size=(3, 2, 3)), rng.normal(size=(2, 4))
    h, (_, c_n), cache = lstm_forward(x, (rng.normal(size=(2, 4)), c0), params)
    np.testing.assert_allclose(c_n, c0, rtol=0, atol=1e-15)
    dc_n = rng.normal(size=(2, 4))
    _, (_, dc0), _ = lstm_backward(np.zeros_like(h), cache, (None, dc_n))
    np.testing.assert_allclose(dc0, dc_n, rtol=0, atol=1e-15)


def test_steps_chained_equal_the_sequence():
    rng = np.random.default_rng(1)
    params = init_lstm_params(3, 4, rng)
    x, h0, c0 = rng.normal(size=(3, 2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    dh, dh_n, dc_n = rng.normal(size=(3, 2, 4)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    h, (h_n, c_n), cache = lstm_forward(x, (h0, c0), params)
    dx, (dh0, dc0), grads = lstm_backward(dh, cache, (dh_n, dc_n))
    state, caches = (h0, c0), []
    for t in range(3):
        h_t, state, step_cache = lstm_step_forward(x[t], state, params)
        caches.append(step_cache)
        assert_close(h_t, h[t])
        assert state[0] is h_t  # the state is (h_t, c_t)
        np.testing.assert_array_equal(step_cache.h_prev, h0 if t == 0 else h[t - 1])
    assert_close(state[0], h_n)
    assert_close(state[1], c_n)
    dstate, total = (dh_n, dc_n), dict.fromkeys(params, 0)
    for t in reversed(range(3)):
        dx_t, dstate, step_grads = lstm_step_backward(dh[t], caches[t], dstate)
        assert_close(dx_t, dx[t])
        assert list(step_grads) == list(params)
        total = {name: total[name] + step_grads[name] for name in params}  # shared weights: the sum
    assert_close(dstate[0], dh0)
    assert_close(dstate[1], dc0)
    for name in params:
        assert_close(total[name], grads[name])


def test_step_state_none_is_zeros():
    rng = np.random.default_rng(6)
    params = init_lstm_params(3, 4, rng)
    x_t, zeros = rng.normal(size=(2, 3)), np.zeros((2, 4))
    dh_t, dc = rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    for state_prev in (None, (None, None), (zeros, None), (None, zeros)):
        h_t, (_, c_t), cache = lstm_step_forward(x_t, state_prev, params)
        h_ref, (_, c_ref), cache_ref = lstm_step_forward(x_t, (zeros, zeros), params)
        np.testing.assert_array_equal(h_t, h_ref)
        np.testing.assert_array_equal(c_t, c_ref)
        np.testing.assert_array_equal(cache.c_prev, zeros)
    for dstate_t, same in (((None, dc), (zeros, dc)), ((dh_t, None), (dh_t, zeros)), (None, (zeros, zeros))):
        a, b = lstm_step_backward(dh_t, cache_ref, dstate_t), lstm_step_backward(dh_t, cache_ref, same)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1][0], b[1][0])
        np.testing.assert_array_equal(a[1][1], b[1][1])


@pytest.mark.parametrize("bias", [True, False])
def test_gradient_check_cell(bias):
    rng = np.random.default_rng(2)
    params = init_lstm_params(3, 4, rng, bias=bias)
    x, h_prev, c_prev = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    w, wh, wc = rng.normal(size=(2, 4)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))

    def loss():  # L = sum(w * h_t) + sum(wh * h_t) + sum(wc * c_t): on the output and on the state
        h_t, (h_state, c_t), _ = lstm_step_forward(x, (h_prev, c_prev), params)
        return (w * h_t).sum() + (wh * h_state).sum() + (wc * c_t).sum()

    cache = lstm_step_forward(x, (h_prev, c_prev), params)[2]
    dx, (dh_prev, dc_prev), grads = lstm_step_backward(w, cache, (wh, wc))
    report = grad_check(loss, {"x": x, "h_prev": h_prev, "c_prev": c_prev, **params},
                        {"x": dx, "h_prev": dh_prev, "c_prev": dc_prev, **grads})
    assert report.passed(1e-6), report


@pytest.mark.parametrize("bias", [True, False])
def test_gradient_check_sequence(bias):
    rng = np.random.default_rng(3)
    params = init_lstm_params(3, 4, rng, bias=bias, forget_bias=1.0 if bias else 0.0)
    x, h0, c0 = rng.normal(size=(5, 2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    w, wh, wc = rng.normal(size=(5, 2, 4)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))

    def loss():  # on every hidden state, and on the final (h_n, c_n)
        h, (h_n, c_n), _ = lstm_forward(x, (h0, c0), params)
        return (w * h).sum() + (wh * h_n).sum() + (wc * c_n).sum()

    dx, (dh0, dc0), grads = lstm_backward(w, lstm_forward(x, (h0, c0), params)[2], (wh, wc))
    report = grad_check(loss, {"x": x, "h0": h0, "c0": c0, **params}, {"x": dx, "h0": dh0, "c0": dc0, **grads})
    assert report.passed(1e-6), report


def test_gradient_check_truncated_bptt():
    """Truncated BPTT is the exact gradient of a surrogate: each chunk starts from a state (h, c) held constant."""
    rng = np.random.default_rng(4)
    params = init_lstm_params(3, 4, rng)
    x, h0, c0, k = rng.normal(size=(7, 2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4)), 3
    w, wh, wc = rng.normal(size=(7, 2, 4)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    _, _, cache = lstm_forward(x, (h0, c0), params, truncate=k)
    starts = [(h0, c0)]  # the frozen chunk start states
    for s in range(k, 7, k):
        _, (h_s, c_s), _ = lstm_forward(x[:s], (h0, c0), params)
        starts.append((h_s.copy(), c_s.copy()))

    def surrogate():
        loss = 0.0
        for i, s in enumerate(range(0, 7, k)):
            h, (h_n, c_n), _ = lstm_forward(x[s:s + k], starts[i], params)
            loss += (w[s:s + k] * h).sum()
        return loss + (wh * h_n).sum() + (wc * c_n).sum()

    dx, (dh0, dc0), grads = lstm_backward(w, cache, (wh, wc))
    report = grad_check(surrogate, {"x": x, "h0": h0, "c0": c0, **params},
                        {"x": dx, "h0": dh0, "c0": dc0, **grads})
    assert report.passed(1e-6), report
    _, _, full = lstm_backward(w, lstm_forward(x, (h0, c0), params)[2], (wh, wc))
    assert not np.allclose(full["W_hf"], grads["W_hf"])  # the cut is real


def test_init():
    params = init_lstm_params(3, 4, np.random.default_rng(0), dtype=np.float32)
    assert list(params) == ["W_xi", "W_hi", "b_i", "W_xf", "W_hf", "b_f",
                            "W_xg", "W_hg", "b_g", "W_xo", "W_ho", "b_o"]
    assert all(p.dtype == np.float32 for p in params.values())
    assert params["W_xi"].shape == (4, 3) and params["W_hi"].shape == (4, 4) and params["b_i"].shape == (4,)
    assert all(np.abs(p).max() <= 0.5 for p in params.values())  # 1/sqrt(H)
    shifted = init_lstm_params(3, 4, np.random.default_rng(0), forget_bias=1.0)
    plain = init_lstm_params(3, 4, np.random.default_rng(0))
    np.testing.assert_allclose(shifted["b_f"] - plain["b_f"], 1.0, rtol=0, atol=1e-15)
    assert all(np.array_equal(shifted[k], plain[k]) for k in plain if k != "b_f")
    assert set(init_lstm_params(3, 4, np.random.default_rng(0), bias=False)) == {
        "W_xi", "W_hi", "W_xf", "W_hf", "W_xg", "W_hg", "W_xo", "W_ho"}


P = init_lstm_params(3, 4, np.random.default_rng(0))
X = np.zeros((5, 2, 3))
S = (np.zeros((2, 4)), np.zeros((2, 4)))
DH = np.zeros((5, 2, 4))
CACHE = lstm_forward(X, None, P)[2]
STEP_CACHE = lstm_step_forward(X[0], None, P)[2]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: lstm_forward(X, S[:1], P), ValueError,
         r"state0 must be a tuple \(h0, c0\) of two arrays, got a tuple of length 1"),
        (lambda: lstm_forward(X, S + S[:1], P), ValueError, "got a tuple of length 3"),
        (lambda: lstm_forward(X, S[0], P), TypeError, r"state0 must be a tuple \(h0, c0\) or None, got ndarray"),
        (lambda: lstm_forward(X, (S[0], np.zeros((2, 5))), P), ValueError,
         r"c0 must have shape \(N, H\) = \(2, 4\), got \(2, 5\)"),
        (lambda: lstm_forward(X, (np.zeros(4), S[1]), P), ValueError,
         r"h0 must have 2 dimensions \(N, H\), got shape \(4,\)"),
        (lambda: lstm_forward(X, None, {**P, "W_hf": np.zeros((4, 3))}), ValueError,
         r"W_hf must have shape \(H, H\) = \(4, 4\), got \(4, 3\)"),
        (lambda: lstm_forward(X, None, {**P, "W_xo": np.zeros((4, 2))}), ValueError,
         r"W_xo must have shape \(H, D\) = \(4, 3\), got \(4, 2\)"),
        (lambda: lstm_forward(np.zeros((5, 2, 4)), None, P), ValueError,
         r"W_xi must have shape \(H, D\) = \(4, 4\), got \(4, 3\)"),
        (lambda: lstm_forward(X, None, {**P, "b_g": np.zeros(3)}), ValueError,
         r"b_g must have shape \(H,\) = \(4,\), got \(3,\)"),
        (lambda: lstm_forward(X, None, {k: v for k, v in P.items() if k != "W_hg"}), ValueError,
         "params is missing 'W_hg'"),
        (lambda: lstm_forward(X, None, {k: v for k, v in P.items() if k != "b_o"}), ValueError,
         r"params has the biases \['b_i', 'b_f', 'b_g'\] but not \['b_o'\]"),
        (lambda: lstm_forward(X, None, {**P, "b_ii": P["b_i"]}), ValueError, r"params has unknown keys \['b_ii'\]"),
        (lambda: lstm_forward(X, None, [P]), TypeError, "params must be a dict of arrays, got list"),
        (lambda: lstm_forward(X.astype(np.float32), None, P), TypeError, "W_xi has dtype float64 but x has float32"),
        (lambda: lstm_forward(X, (S[0], S[1].astype(np.float32)), P), TypeError,
         "c0 has dtype float32 but x has float64"),
        (lambda: lstm_forward(X, None, {**P, "W_hh": P["W_hi"]}), ValueError, r"unknown keys \['W_hh'\]"),
        (lambda: lstm_forward(np.zeros((2, 3)), None, P), ValueError,
         r"x must have 3 dimensions \(T, N, D\), got shape \(2, 3\)"),
        (lambda: lstm_forward(np.zeros((5, 2, 3), dtype=int), None, P), TypeError,
         "x must have a floating dtype .* got int64"),
        (lambda: lstm_forward(np.zeros((0, 2, 3)), None, P), ValueError, "x must have at least one time step"),
        (lambda: lstm_forward(X, None, P, truncate=0), ValueError, "truncate must be at least 1, got 0"),
        (lambda: lstm_forward(X, None, P, truncate=1.5), TypeError, "truncate must be an int, got float 1.5"),
        (lambda: lstm_backward(np.zeros((5, 2, 3)), CACHE), ValueError,
         r"dh must have shape \(T, N, H\) = \(5, 2, 4\), got \(5, 2, 3\)"),
        (lambda: lstm_backward(DH.astype(np.float32), CACHE), TypeError, "dh has dtype float32 but x has float64"),
        (lambda: lstm_backward(DH, CACHE, (None, np.zeros((2, 3)))), ValueError,
         r"dc_n must have shape \(N, H\) = \(2, 4\), got \(2, 3\)"),
        (lambda: lstm_backward(DH, CACHE, (np.zeros((2, 4, 1)), None)), ValueError,
         r"dh_n must have 2 dimensions \(N, H\), got shape \(2, 4, 1\)"),
        (lambda: lstm_backward(DH, CACHE, (None, np.zeros((2, 4), np.float32))), TypeError,
         "dc_n has dtype float32 but x has float64"),
        (lambda: lstm_backward(DH, CACHE, np.zeros((2, 4))), TypeError,
         r"dstate_n must be a tuple \(dh_n, dc_n\) or None, got ndarray"),
        (lambda: lstm_backward(DH, CACHE, (np.zeros((2, 4)),)), ValueError,
         r"dstate_n must be a tuple \(dh_n, dc_n\) of two arrays, got a tuple of length 1"),
        (lambda: lstm_step_forward(np.zeros(3), None, P), ValueError, r"x_t must have 2 dimensions \(N, D\)"),
        (lambda: lstm_step_forward(X[0], S[0], P), TypeError,
         r"state_prev must be a tuple \(h_prev, c_prev\) or None, got ndarray"),
        (lambda: lstm_step_forward(X[0], (S[0], np.zeros((2, 5))), P), ValueError,
         r"c_prev must have shape \(N, H\) = \(2, 4\), got \(2, 5\)"),
        (lambda: lstm_step_forward(X[0], (S[0].astype(np.float32), None), P), TypeError,
         "h_prev has dtype float32 but x has float64"),
        (lambda: lstm_step_backward(np.zeros((2, 3)), STEP_CACHE), ValueError,
         r"dh_t must have shape \(N, H\) = \(2, 4\), got \(2, 3\)"),
        (lambda: lstm_step_backward(np.zeros((2, 4)), STEP_CACHE, (None, np.zeros((2, 5)))), ValueError,
         r"dstate_t\[1\] \(dc\) must have shape \(N, H\) = \(2, 4\), got \(2, 5\)"),
        (lambda: lstm_step_backward(np.zeros((2, 4)), STEP_CACHE, np.zeros((2, 4))), TypeError,
         r"dstate_t must be a tuple .* or None, got ndarray"),
        (lambda: init_lstm_params(3, 4, np.random.default_rng(0), bias=False, forget_bias=1.0), ValueError,
         "forget_bias=1.0 needs a bias to go into; got bias=False"),
        (lambda: init_lstm_params(3, 0, np.random.default_rng(0)), ValueError, "H must be at least 1, got 0"),
        (lambda: init_lstm_params(3, 4, 0), TypeError, "rng must be a np.random.Generator"),
    ],
)
def test_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()
