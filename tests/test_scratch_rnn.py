"""The from-scratch RNN against torch.nn.RNN (float64, 1e-10) and against finite differences (1e-6)."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_reference import run_truncated

from seqlearn.convert import params_to_torch
from seqlearn.gradcheck import grad_check
from seqlearn.scratch import (
    init_rnn_params,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
)

TOL = 1e-10


def torch_reference(x, h0, params, nonlinearity, dh, truncate=None, dh_n=None):
    """nn.RNN forward + autograd, the state detached every `truncate` steps, with upstream gradients dh on
    every state and dh_n on the final one; returns numpy arrays."""
    T, _, D = x.shape
    H = params["W_hh"].shape[0]
    module = torch.nn.RNN(D, H, nonlinearity=nonlinearity, bias="b_h" in params).double()
    rnn = params_to_torch(params, module)
    x_t = torch.from_numpy(x.copy()).requires_grad_()
    h0_t = torch.from_numpy(h0.copy() if h0 is not None else np.zeros((x.shape[1], H))).requires_grad_()
    out, state = run_truncated(rnn, x_t, h0_t[None], truncate)
    loss = (out * torch.from_numpy(dh)).sum()
    if dh_n is not None:
        loss = loss + (state[0] * torch.from_numpy(dh_n)).sum()
    loss.backward()
    grads = {"W_xh": rnn.weight_ih_l0.grad, "W_hh": rnn.weight_hh_l0.grad}
    if "b_h" in params:
        grads["b_h"] = rnn.bias_ih_l0.grad  # d/d(bias_ih) == d/d(b_h): the two biases add
    grads = {k: g.numpy() for k, g in grads.items()}
    return out.detach().numpy(), state[0].detach().numpy(), x_t.grad.numpy(), h0_t.grad.numpy(), grads


def assert_close(a, b):
    np.testing.assert_allclose(a, b, rtol=0, atol=TOL)


@settings(max_examples=40)
@given(T=st.integers(1, 6), N=st.integers(1, 4), D=st.integers(1, 5), H=st.integers(1, 6),
       nonlinearity=st.sampled_from(["tanh", "relu"]), bias=st.booleans(), given_h0=st.booleans(),
       given_final=st.booleans(), truncate=st.sampled_from([None, 1, 2, 3]), seed=st.integers(0, 2**32 - 1))
def test_parity_with_torch(T, N, D, H, nonlinearity, bias, given_h0, given_final, truncate, seed):
    rng = np.random.default_rng(seed)
    params = init_rnn_params(D, H, rng, bias=bias)
    x = rng.normal(size=(T, N, D))
    h0 = rng.normal(size=(N, H)) if given_h0 else None
    dh = rng.normal(size=(T, N, H))
    dh_n = rng.normal(size=(N, H)) if given_final else None
    h, h_n, cache = rnn_forward(x, h0, params, nonlinearity, truncate=truncate)
    dx, dh0, grads = rnn_backward(dh, cache, dh_n)
    out, h_n_ref, dx_ref, dh0_ref, grads_ref = torch_reference(x, h0, params, nonlinearity, dh, truncate, dh_n)
    assert h.shape == (T, N, H) and h_n.shape == (N, H) and dh0.shape == (N, H) and dx.shape == (T, N, D)
    assert_close(h, out)
    assert_close(h_n, h_n_ref)  # the final state, torch's h_n
    np.testing.assert_array_equal(h_n, h[-1])
    assert_close(dx, dx_ref)
    assert_close(dh0, dh0_ref)
    assert list(grads) == list(params)  # named, and ordered, like the params
    for name in grads:
        assert_close(grads[name], grads_ref[name])


def test_dstate_n_adds_to_the_last_step():
    """For the RNN the final state is h[-1]: a gradient on it is the same as one added to dh[-1]."""
    rng = np.random.default_rng(6)
    params = init_rnn_params(3, 4, rng)
    x, dh, dh_n = rng.normal(size=(4, 2, 3)), rng.normal(size=(4, 2, 4)), rng.normal(size=(2, 4))
    _, _, cache = rnn_forward(x, None, params)
    with_final = rnn_backward(dh, cache, dh_n)
    dh_added = dh.copy()
    dh_added[-1] += dh_n
    added = rnn_backward(dh_added, cache)
    assert_close(with_final[0], added[0])
    assert_close(with_final[1], added[1])
    for name in params:
        assert_close(with_final[2][name], added[2][name])
    zeros = rnn_backward(dh, cache, np.zeros((2, 4)))  # a zero dstate_n is no dstate_n
    none = rnn_backward(dh, cache)
    assert_close(zeros[0], none[0])
    assert_close(zeros[1], none[1])


def test_truncating_at_the_length_or_beyond_is_full_bptt():
    rng = np.random.default_rng(5)
    params = init_rnn_params(3, 4, rng)
    x, dh = rng.normal(size=(4, 2, 3)), rng.normal(size=(4, 2, 4))
    h_full, _, cache = rnn_forward(x, None, params)
    full = rnn_backward(dh, cache)
    for k in (4, 9):
        h, _, cut_cache = rnn_forward(x, None, params, truncate=k)
        np.testing.assert_array_equal(h, h_full)  # truncation changes only the backward
        cut = rnn_backward(dh, cut_cache)
        assert_close(cut[0], full[0])
        assert_close(cut[1], full[1])
        for name in params:
            assert_close(cut[2][name], full[2][name])


def test_truncation_leaves_the_forward_unchanged():
    rng = np.random.default_rng(7)
    params = init_rnn_params(3, 4, rng)
    x, h0 = rng.normal(size=(7, 2, 3)), rng.normal(size=(2, 4))
    h, h_n, _ = rnn_forward(x, h0, params)
    for k in (1, 2, 3):
        h_k, h_n_k, _ = rnn_forward(x, h0, params, truncate=k)
        np.testing.assert_array_equal(h_k, h)
        np.testing.assert_array_equal(h_n_k, h_n)


def test_step_equals_a_sequence_of_one():
    rng = np.random.default_rng(0)
    params = init_rnn_params(3, 4, rng)
    x, h0, dh = rng.normal(size=(1, 2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(1, 2, 4))
    dh_n = rng.normal(size=(2, 4))
    h, h_n, cache = rnn_forward(x, h0, params)
    h_t, state_t, step_cache = rnn_step_forward(x[0], h0, params)
    assert state_t is h_t  # the RNN's state is its hidden state
    assert_close(h[0], h_t)
    assert_close(h_n, state_t)
    dx, dh0, grads = rnn_backward(dh, cache, dh_n)
    dx_t, dh_prev, step_grads = rnn_step_backward(dh[0], step_cache, dh_n)
    assert_close(dx[0], dx_t)
    assert_close(dh0, dh_prev)
    assert list(step_grads) == list(params)
    for name in grads:
        assert_close(grads[name], step_grads[name])


def test_step_dstate_t_adds_to_dh_t():
    """dstate_t, the gradient on h_t from the later steps, simply adds to the loss's own dh_t."""
    rng = np.random.default_rng(8)
    params = init_rnn_params(3, 4, rng, bias=False)
    x_t, h_prev = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    dh_t, dstate_t = rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    _, _, cache = rnn_step_forward(x_t, h_prev, params)
    split = rnn_step_backward(dh_t, cache, dstate_t)
    summed = rnn_step_backward(dh_t + dstate_t, cache)
    assert_close(split[0], summed[0])
    assert_close(split[1], summed[1])
    assert list(split[2]) == ["W_xh", "W_hh"]  # no bias, no b_h gradient
    for name in params:
        assert_close(split[2][name], summed[2][name])
    _, _, zero_cache = rnn_step_forward(x_t, None, params)  # state_prev None: zeros
    np.testing.assert_array_equal(zero_cache.h_prev, np.zeros((2, 4)))


def loss_weights(rng, shape):
    """A fixed random linear loss L = sum(w * h): its gradient on h is w."""
    return rng.normal(size=shape)


def assert_away_from_relu_kink(x, h0, params, h):
    """Finite differences straddling a = 0 would see relu's kink; keep every pre-activation well away."""
    h_prev = np.concatenate([h0[None], h[:-1]])
    a = x @ params["W_xh"].T + h_prev @ params["W_hh"].T + params.get("b_h", 0)
    assert np.abs(a).min() > 1e-3


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_gradient_check_cell(nonlinearity):
    rng = np.random.default_rng(1)
    params = init_rnn_params(3, 5, rng)
    x, h_prev = rng.normal(size=(2, 3)), rng.normal(size=(2, 5))
    w, w_next = loss_weights(rng, (2, 5)), loss_weights(rng, (2, 5))  # on h_t, and on it as the state
    h_t, _, cache = rnn_step_forward(x, h_prev, params, nonlinearity)
    if nonlinearity == "relu":
        assert_away_from_relu_kink(x[None], h_prev, params, h_t[None])

    def loss():
        h_t, state_t, _ = rnn_step_forward(x, h_prev, params, nonlinearity)
        return (w * h_t).sum() + (w_next * state_t).sum()

    dx, dh_prev, grads = rnn_step_backward(w, cache, w_next)
    report = grad_check(loss, {"x": x, "h_prev": h_prev, **params}, {"x": dx, "h_prev": dh_prev, **grads})
    assert report.passed(1e-6), report


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_gradient_check_sequence(nonlinearity, bias):
    rng = np.random.default_rng(2)
    params = init_rnn_params(3, 4, rng, bias=bias)
    x, h0 = rng.normal(size=(6, 2, 3)), rng.normal(size=(2, 4))
    w, w_n = loss_weights(rng, (6, 2, 4)), loss_weights(rng, (2, 4))  # on every state, and on the final one
    h, _, cache = rnn_forward(x, h0, params, nonlinearity)
    if nonlinearity == "relu":
        assert_away_from_relu_kink(x, h0, params, h)

    def loss():
        h, h_n, _ = rnn_forward(x, h0, params, nonlinearity)
        return (w * h).sum() + (w_n * h_n).sum()

    dx, dh0, grads = rnn_backward(w, cache, w_n)
    report = grad_check(loss, {"x": x, "h0": h0, **params}, {"x": dx, "h0": dh0, **grads})
    assert report.passed(1e-6), report


def test_gradient_check_truncated_bptt():
    """Truncated BPTT is the exact gradient of a surrogate: each chunk starts from a state held constant."""
    rng = np.random.default_rng(3)
    params = init_rnn_params(3, 4, rng)
    x, h0, k = rng.normal(size=(7, 2, 3)), rng.normal(size=(2, 4)), 3
    w, w_n = loss_weights(rng, (7, 2, 4)), loss_weights(rng, (2, 4))
    h_full, _, cache = rnn_forward(x, h0, params, truncate=k)
    starts = [h0] + [h_full[s - 1].copy() for s in range(k, 7, k)]  # frozen chunk start states

    def surrogate():
        loss = 0.0
        for i, s in enumerate(range(0, 7, k)):
            h, h_n, _ = rnn_forward(x[s:s + k], starts[i], params)
            loss += (w[s:s + k] * h).sum()
        return loss + (w_n * h_n).sum()  # the last chunk's final state

    dx, dh0, grads = rnn_backward(w, cache, w_n)
    report = grad_check(surrogate, {"x": x, "h0": starts[0], **params}, {"x": dx, "h0": dh0, **grads})
    assert report.passed(1e-6), report
    # and it is not the full gradient: the cut is real
    _, _, full = rnn_backward(w, rnn_forward(x, h0, params)[2], w_n)
    assert not np.allclose(full["W_hh"], grads["W_hh"])


def test_shared_weight_gradient_is_the_sum_over_steps():
    rng = np.random.default_rng(4)
    params = init_rnn_params(2, 3, rng)
    x, dh = rng.normal(size=(4, 1, 2)), rng.normal(size=(4, 1, 3))
    h, _, cache = rnn_forward(x, None, params)
    _, _, grads = rnn_backward(dh, cache)
    # per-step contributions, computed one step at a time with the step backward
    total, from_next = np.zeros_like(params["W_hh"]), None
    for t in reversed(range(4)):
        h_prev = h[t - 1] if t else None
        _, _, step_cache = rnn_step_forward(x[t], h_prev, params)
        _, from_next, step_grads = rnn_step_backward(dh[t], step_cache, from_next)
        total += step_grads["W_hh"]
    assert_close(grads["W_hh"], total)


P = init_rnn_params(3, 4, np.random.default_rng(0))
X = np.zeros((5, 2, 3))
CACHE = rnn_forward(X, None, P)[2]
STEP_CACHE = rnn_step_forward(X[0], None, P)[2]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: rnn_forward(np.zeros((2, 3)), None, P), ValueError,
         r"x must have 3 dimensions \(T, N, D\), got shape \(2, 3\)"),
        (lambda: rnn_forward(X, np.zeros((2, 5)), P), ValueError,
         r"h0 must have shape \(N, H\) = \(2, 4\), got \(2, 5\)"),
        (lambda: rnn_forward(X, np.zeros((4,)), P), ValueError,
         r"h0 must have 2 dimensions \(N, H\), got shape \(4,\)"),
        (lambda: rnn_forward(X, (np.zeros((2, 4)),), P), TypeError, "h0 must be a NumPy array, got tuple"),
        (lambda: rnn_forward(X, None, {"W_xh": P["W_xh"]}), ValueError, "params is missing 'W_hh'"),
        (lambda: rnn_forward(X, None, {**P, "W_hh": np.zeros((4, 3))}), ValueError,
         r"W_hh must have shape \(H, H\) = \(4, 4\), got \(4, 3\)"),
        (lambda: rnn_forward(np.zeros((5, 2, 4)), None, P), ValueError,
         r"W_xh must have shape \(H, D\) = \(4, 4\), got \(4, 3\)"),
        (lambda: rnn_forward(X, None, {**P, "b_h": np.zeros(3)}), ValueError,
         r"b_h must have shape \(H,\) = \(4,\)"),
        (lambda: rnn_forward(np.zeros((5, 2, 3), dtype=int), None, P), TypeError,
         "x must have a floating dtype .* got int64"),
        (lambda: rnn_forward(X.astype(np.float32), None, P), TypeError,
         "W_xh has dtype float64 but x has float32"),
        (lambda: rnn_forward(X, np.zeros((2, 4), np.float32), P), TypeError,
         "h0 has dtype float32 but x has float64"),
        (lambda: rnn_forward(X, None, {**P, "W_hh": np.eye(4, dtype=int)}), TypeError,
         "W_hh must have a floating dtype .* got int64"),
        (lambda: rnn_forward(np.zeros((0, 2, 3)), None, P), ValueError,
         r"x must have at least one time step, got shape \(T, N, D\) = \(0, 2, 3\)"),
        (lambda: rnn_forward(X, None, P, nonlinearity="sigmoid"), ValueError,
         "nonlinearity must be one of 'tanh', 'relu'; got 'sigmoid'"),
        (lambda: rnn_forward(X.tolist(), None, P), TypeError, "x must be a NumPy array, got list"),
        (lambda: rnn_forward(X, None, P, truncate=0), ValueError, "truncate must be at least 1, got 0"),
        (lambda: rnn_forward(X, None, P, truncate=2.0), TypeError, "truncate must be an int, got float 2.0"),
        (lambda: rnn_forward(X, None, P, truncate=True), TypeError, "truncate must be an int, got bool True"),
        (lambda: rnn_backward(np.zeros((5, 2, 3)), CACHE), ValueError,
         r"dh must have shape \(T, N, H\) = \(5, 2, 4\), got \(5, 2, 3\)"),
        (lambda: rnn_backward(np.zeros((2, 4)), CACHE), ValueError,
         r"dh must have 3 dimensions \(T, N, H\), got shape \(2, 4\)"),
        (lambda: rnn_backward(None, CACHE), TypeError, "dh must be a NumPy array, got NoneType"),
        (lambda: rnn_backward(np.zeros((5, 2, 4), np.float32), CACHE), TypeError,
         "dh has dtype float32 but x has float64"),
        (lambda: rnn_backward(np.zeros((5, 2, 4)), CACHE, np.zeros((2, 3))), ValueError,
         r"dstate_n must have shape \(N, H\) = \(2, 4\), got \(2, 3\)"),
        (lambda: rnn_backward(np.zeros((5, 2, 4)), CACHE, np.zeros((1, 2, 4))), ValueError,
         r"dstate_n must have 2 dimensions \(N, H\), got shape \(1, 2, 4\)"),
        (lambda: rnn_backward(np.zeros((5, 2, 4)), CACHE, np.zeros((2, 4), np.float32)), TypeError,
         "dstate_n has dtype float32 but x has float64"),
        (lambda: rnn_backward(np.zeros((5, 2, 4)), CACHE, (np.zeros((2, 4)), np.zeros((2, 4)))), TypeError,
         "dstate_n must be a NumPy array, got tuple"),
        (lambda: rnn_step_forward(np.zeros(3), None, P), ValueError, r"x_t must have 2 dimensions \(N, D\)"),
        (lambda: rnn_step_forward(X[0], np.zeros((2, 5)), P), ValueError,
         r"h_prev must have shape \(N, H\) = \(2, 4\), got \(2, 5\)"),
        (lambda: rnn_step_forward(X[0], np.zeros((2, 4), np.float32), P), TypeError,
         "h_prev has dtype float32 but x has float64"),
        (lambda: rnn_step_forward(X[0], None, P, "sigmoid"), ValueError,
         "nonlinearity must be one of 'tanh', 'relu'; got 'sigmoid'"),
        (lambda: rnn_step_backward(np.zeros((2, 3)), STEP_CACHE), ValueError,
         r"dh_t must have shape \(N, H\) = \(2, 4\), got \(2, 3\)"),
        (lambda: rnn_step_backward(np.zeros((2, 4), np.float32), STEP_CACHE), TypeError,
         "dh_t has dtype float32 but x has float64"),
        (lambda: rnn_step_backward(np.zeros((2, 4)), STEP_CACHE, np.zeros((2, 5))), ValueError,
         r"dstate_t must have shape \(N, H\) = \(2, 4\), got \(2, 5\)"),
        (lambda: rnn_forward(X, None, [P]), TypeError, "params must be a dict of arrays, got list"),
        (lambda: rnn_forward(X, None, {"W_xh": P["W_xh"], "W_hh": P["W_hh"], "b_hh": P["b_h"]}),
         ValueError, r"params has unknown keys \['b_hh'\]"),
    ],
)
def test_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()
