"""The from-scratch LSTM against torch.nn.LSTM (float64, 1e-10) and against finite differences (1e-6)."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlearn.gradcheck import grad_check
from seqlearn.scratch import (
    init_lstm_params,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
    params_to_torch,
)

TOL = 1e-10
TORCH_ORDER = "ifgo"  # the gates' blocks in weight_ih_l0, as PyTorch's documentation lists them


def torch_reference(x, state0, params, dh, dh_n, dc_n):
    """nn.LSTM forward + autograd with upstream gradients dh, dh_n, dc_n; returns numpy arrays."""
    T, N, D = x.shape
    H = params["W_hi"].shape[0]
    bias = "b_i" in params
    lstm = params_to_torch(params, torch.nn.LSTM(D, H, bias=bias).double())
    h0, c0 = state0 if state0 is not None else (np.zeros((N, H)), np.zeros((N, H)))
    x_t, h0_t, c0_t = (torch.from_numpy(a.copy()).requires_grad_() for a in (x, h0, c0))
    out, (h_n, c_n) = lstm(x_t, (h0_t[None], c0_t[None]))
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
       given_state=st.booleans(), given_final=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_parity_with_torch(T, N, D, H, bias, given_state, given_final, seed):
    rng = np.random.default_rng(seed)
    params = init_lstm_params(D, H, rng, bias=bias, forget_bias=1.0 if bias else 0.0)
    x = rng.normal(size=(T, N, D))
    state0 = (rng.normal(size=(N, H)), rng.normal(size=(N, H))) if given_state else None
    dh = rng.normal(size=(T, N, H))
    dh_n, dc_n = (rng.normal(size=(N, H)), rng.normal(size=(N, H))) if given_final else (None, None)
    h, (h_n, c_n), cache = lstm_forward(x, state0, params)
    dx, (dh0, dc0), grads = lstm_backward(dh, cache, dh_n, dc_n)
    out, (h_n_ref, c_n_ref), dx_ref, (dh0_ref, dc0_ref), grads_ref = torch_reference(x, state0, params, dh,
                                                                                   dh_n, dc_n)
    assert_close(h, out)
    assert_close(h_n, h_n_ref)
    assert_close(c_n, c_n_ref)
    assert_close(dx, dx_ref)
    assert_close(dh0, dh0_ref)
    assert_close(dc0, dc0_ref)
    assert list(grads) == list(params)  # named, and ordered, like the params
    for name in grads:
        assert_close(grads[name], grads_ref[name])


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
    _, (_, dc0), _ = lstm_backward(np.zeros_like(h), cache, dc_n=dc_n)
    np.testing.assert_allclose(dc0, dc_n, rtol=0, atol=1e-15)


def test_steps_chained_equal_the_sequence():
    rng = np.random.default_rng(1)
    params = init_lstm_params(3, 4, rng)
    x, h0, c0 = rng.normal(size=(3, 2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    dh, dc_n = rng.normal(size=(3, 2, 4)), rng.normal(size=(2, 4))
    h, (h_n, c_n), cache = lstm_forward(x, (h0, c0), params)
    dx, (dh0, dc0), grads = lstm_backward(dh, cache, dc_n=dc_n)
    h_t, c_t, caches = h0, c0, []
    for t in range(3):
        h_t, c_t, step_cache = lstm_step_forward(x[t], h_t, c_t, params)
        caches.append(step_cache)
        assert_close(h_t, h[t])
    assert_close(c_t, c_n)
    dh_next, dc_next, total = np.zeros((2, 4)), dc_n, dict.fromkeys(params, 0)
    for t in reversed(range(3)):
        dx_t, dh_next, dc_next, step_grads = lstm_step_backward(dh[t] + dh_next, dc_next, caches[t])
        assert_close(dx_t, dx[t])
        total = {name: total[name] + step_grads[name] for name in params}  # shared weights: the sum
    assert_close(dh_next, dh0)
    assert_close(dc_next, dc0)
    for name in params:
        assert_close(total[name], grads[name])


def test_gradient_check_cell():
    rng = np.random.default_rng(2)
    params = init_lstm_params(3, 4, rng)
    x, h_prev, c_prev = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    wh, wc = rng.normal(size=(2, 4)), rng.normal(size=(2, 4))  # L = sum(wh * h_t) + sum(wc * c_t)

    def loss():
        h_t, c_t, _ = lstm_step_forward(x, h_prev, c_prev, params)
        return (wh * h_t).sum() + (wc * c_t).sum()

    dx, dh_prev, dc_prev, grads = lstm_step_backward(wh, wc, lstm_step_forward(x, h_prev, c_prev, params)[2])
    report = grad_check(loss, {"x": x, "h_prev": h_prev, "c_prev": c_prev, **params},
                        {"x": dx, "h_prev": dh_prev, "c_prev": dc_prev, **grads})
    assert report.passed(1e-6), report


def test_gradient_check_sequence():
    rng = np.random.default_rng(3)
    params = init_lstm_params(3, 4, rng, forget_bias=1.0)
    x, h0, c0 = rng.normal(size=(5, 2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    w, wh, wc = rng.normal(size=(5, 2, 4)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))

    def loss():  # on every hidden state, and on the final (h_n, c_n)
        h, (h_n, c_n), _ = lstm_forward(x, (h0, c0), params)
        return (w * h).sum() + (wh * h_n).sum() + (wc * c_n).sum()

    dx, (dh0, dc0), grads = lstm_backward(w, lstm_forward(x, (h0, c0), params)[2], dh_n=wh, dc_n=wc)
    report = grad_check(loss, {"x": x, "h0": h0, "c0": c0, **params}, {"x": dx, "h0": dh0, "c0": dc0, **grads})
    assert report.passed(1e-6), report


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
CACHE = lstm_forward(X, None, P)[2]


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
        (lambda: lstm_backward(np.zeros((5, 2, 3)), CACHE), ValueError,
         r"dh must have shape \(T, N, H\) = \(5, 2, 4\), got \(5, 2, 3\)"),
        (lambda: lstm_backward(np.zeros((5, 2, 4)), CACHE, dc_n=np.zeros((2, 3))), ValueError,
         r"dc_n must have shape \(N, H\) = \(2, 4\), got \(2, 3\)"),
        (lambda: lstm_step_forward(np.zeros(3), None, None, P), ValueError, r"x_t must have 2 dimensions \(N, D\)"),
        (lambda: lstm_step_backward(np.zeros((2, 4)), np.zeros((2, 5)),
                                    lstm_step_forward(X[0], None, None, P)[2]), ValueError,
         r"dc_t must have shape \(N, H\) = \(2, 4\), got \(2, 5\)"),
        (lambda: init_lstm_params(3, 4, np.random.default_rng(0), bias=False, forget_bias=1.0), ValueError,
         "forget_bias=1.0 needs a bias to go into; got bias=False"),
        (lambda: init_lstm_params(3, 0, np.random.default_rng(0)), ValueError, "H must be at least 1, got 0"),
        (lambda: init_lstm_params(3, 4, 0), TypeError, "rng must be a np.random.Generator"),
    ],
)
def test_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()
