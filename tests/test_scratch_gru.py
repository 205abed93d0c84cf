"""The from-scratch GRU against torch (float64, 1e-10) and against finite differences (1e-6), both variants.

torch.nn.GRU computes the "pytorch" variant only; the 2014 original is compared with the same equations
written in torch and differentiated by autograd.
"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_reference import run_truncated

from seqlearn.convert import params_to_torch
from seqlearn.gradcheck import grad_check
from seqlearn.scratch import (
    GRU_VARIANTS,
    gru_backward,
    gru_forward,
    gru_step_backward,
    gru_step_forward,
    init_gru_params,
)

TOL = 1e-10
TORCH_ORDER = "rzn"  # the gates' blocks in weight_ih_l0, as PyTorch's documentation lists them


def torch_module_reference(x, h0, params, dh, dh_n=None, truncate=None):
    """nn.GRU forward + autograd with the upstream gradients dh (every state) and dh_n (the final one), the
    state detached every `truncate` steps; returns numpy arrays."""
    T, N, D = x.shape
    H = params["W_hr"].shape[0]
    bias = "b_r" in params
    gru = params_to_torch(params, torch.nn.GRU(D, H, bias=bias).double())
    x_t, h0_t = (torch.from_numpy(a.copy()).requires_grad_() for a in (x, h0))
    out, state = run_truncated(gru, x_t, h0_t[None], truncate)
    loss = (out * torch.from_numpy(dh)).sum()
    if dh_n is not None:
        loss = loss + (state[0] * torch.from_numpy(dh_n)).sum()
    loss.backward()
    blocks = {name: np.split(getattr(gru, f"{name}_l0").grad.numpy(), 3)
              for name in ("weight_ih", "weight_hh") + (("bias_ih", "bias_hh") if bias else ())}
    grads = {}
    for k, gate in enumerate(TORCH_ORDER):
        grads[f"W_x{gate}"], grads[f"W_h{gate}"] = blocks["weight_ih"][k], blocks["weight_hh"][k]
    if bias:  # for r and z the two biases add; n keeps both
        grads |= {"b_r": blocks["bias_ih"][0], "b_z": blocks["bias_ih"][1],
                  "b_xn": blocks["bias_ih"][2], "b_hn": blocks["bias_hh"][2]}
    return out.detach().numpy(), state[0].detach().numpy(), x_t.grad.numpy(), h0_t.grad.numpy(), grads


def torch_equations_reference(x, h0, params, dh, variant, dh_n=None, truncate=None):
    """The variant's equations in torch ops, differentiated by autograd, the state detached before steps
    truncate, 2 * truncate, ...; returns numpy arrays."""
    p = {name: torch.from_numpy(value.copy()).requires_grad_() for name, value in params.items()}
    x_t, h0_t = (torch.from_numpy(a.copy()).requires_grad_() for a in (x, h0))

    def b(name):
        return p.get(name, 0)

    h, outs = h0_t, []
    for t, x_s in enumerate(x_t):
        if truncate is not None and t > 0 and t % truncate == 0:
            h = h.detach()
        r = torch.sigmoid(x_s @ p["W_xr"].T + h @ p["W_hr"].T + b("b_r"))
        z = torch.sigmoid(x_s @ p["W_xz"].T + h @ p["W_hz"].T + b("b_z"))
        if variant == "pytorch":
            n = torch.tanh(x_s @ p["W_xn"].T + b("b_xn") + r * (h @ p["W_hn"].T + b("b_hn")))
        else:
            n = torch.tanh(x_s @ p["W_xn"].T + b("b_xn") + (r * h) @ p["W_hn"].T + b("b_hn"))
        h = (1 - z) * n + z * h
        outs.append(h)
    out = torch.stack(outs)
    loss = (out * torch.from_numpy(dh)).sum()
    if dh_n is not None:
        loss = loss + (h * torch.from_numpy(dh_n)).sum()
    loss.backward()
    grads = {name: value.grad.numpy() for name, value in p.items()}
    return out.detach().numpy(), h.detach().numpy(), x_t.grad.numpy(), h0_t.grad.numpy(), grads


def assert_close(a, b):
    np.testing.assert_allclose(a, b, rtol=0, atol=TOL)


def check_against(reference, x, h0, params, dh, variant, dh_n, truncate, given_h0=True):
    h, h_n, cache = gru_forward(x, h0 if given_h0 else None, params, variant, truncate=truncate)
    dx, dh0, grads = gru_backward(dh, cache, dh_n)
    out, h_n_ref, dx_ref, dh0_ref, grads_ref = reference
    assert h.shape == out.shape and h_n.shape == dh0.shape == h0.shape and dx.shape == x.shape
    assert_close(h, out)
    assert_close(h_n, h_n_ref)  # the final state, torch's h_n
    np.testing.assert_array_equal(h_n, h[-1])
    assert_close(dx, dx_ref)
    assert_close(dh0, dh0_ref)
    assert list(grads) == list(params)  # named, and ordered, like the params
    for name in grads:
        assert_close(grads[name], grads_ref[name])


shapes = dict(T=st.integers(1, 5), N=st.integers(1, 3), D=st.integers(1, 4), H=st.integers(1, 4),
              bias=st.booleans(), given_h0=st.booleans(), given_final=st.booleans(),
              truncate=st.sampled_from([None, 1, 2, 3]), seed=st.integers(0, 2**32 - 1))


def draw(T, N, D, H, bias, given_h0, given_final, seed):
    """x, h0 (zeros when not given: None for gru_forward), params, dh, dh_n (None when not given)."""
    rng = np.random.default_rng(seed)
    params = init_gru_params(D, H, rng, bias=bias)
    x, dh = rng.normal(size=(T, N, D)), rng.normal(size=(T, N, H))
    h0 = rng.normal(size=(N, H)) if given_h0 else np.zeros((N, H))
    dh_n = rng.normal(size=(N, H)) if given_final else None
    return x, h0, params, dh, dh_n


@settings(max_examples=25)
@given(**shapes)
def test_parity_with_torch_gru(T, N, D, H, bias, given_h0, given_final, truncate, seed):
    x, h0, params, dh, dh_n = draw(T, N, D, H, bias, given_h0, given_final, seed)
    check_against(torch_module_reference(x, h0, params, dh, dh_n, truncate), x, h0, params, dh, "pytorch", dh_n,
                  truncate, given_h0)


@settings(max_examples=25)
@given(**shapes, variant=st.sampled_from(GRU_VARIANTS))
def test_parity_with_the_equations_in_torch(T, N, D, H, bias, given_h0, given_final, truncate, seed, variant):
    x, h0, params, dh, dh_n = draw(T, N, D, H, bias, given_h0, given_final, seed)
    check_against(torch_equations_reference(x, h0, params, dh, variant, dh_n, truncate), x, h0, params, dh,
                  variant, dh_n, truncate, given_h0)


def test_the_variants_differ_only_where_the_reset_gate_sits():
    rng = np.random.default_rng(0)
    params = init_gru_params(3, 4, rng)
    x, h0 = rng.normal(size=(3, 2, 3)), rng.normal(size=(2, 4))
    h_pytorch, _, _ = gru_forward(x, h0, params, "pytorch")
    h_original, _, _ = gru_forward(x, h0, params, "original")
    assert np.abs(h_pytorch - h_original).max() > 1e-3
    params["W_xr"][:] = params["W_hr"][:] = 0
    params["b_r"][:] = 40.0  # r = σ(40) = 1 in float64: nothing is reset, and the two agree
    np.testing.assert_allclose(gru_forward(x, h0, params, "pytorch")[0], gru_forward(x, h0, params, "original")[0],
                               rtol=0, atol=1e-15)


@pytest.mark.parametrize("variant", GRU_VARIANTS)
def test_an_update_gate_of_one_keeps_the_state(variant):
    """PyTorch's convention, h = (1 - z) ⊙ n + z ⊙ h_prev: z = 1 carries h0 through every step."""
    rng = np.random.default_rng(1)
    params = init_gru_params(3, 4, rng)
    params["W_xz"][:] = params["W_hz"][:] = 0
    params["b_z"][:] = 40.0
    x, h0 = rng.normal(size=(3, 2, 3)), rng.normal(size=(2, 4))
    h, h_n, _ = gru_forward(x, h0, params, variant)
    np.testing.assert_allclose(h, np.broadcast_to(h0, h.shape), rtol=0, atol=1e-15)
    np.testing.assert_allclose(h_n, h0, rtol=0, atol=1e-15)


@pytest.mark.parametrize("variant", GRU_VARIANTS)
def test_truncating_at_the_length_or_beyond_is_full_bptt(variant):
    rng = np.random.default_rng(5)
    params = init_gru_params(3, 4, rng)
    x, dh, dh_n = rng.normal(size=(4, 2, 3)), rng.normal(size=(4, 2, 4)), rng.normal(size=(2, 4))
    h_full, _, cache = gru_forward(x, None, params, variant)
    full = gru_backward(dh, cache, dh_n)
    for k in (4, 9):
        h, _, cut_cache = gru_forward(x, None, params, variant, truncate=k)
        np.testing.assert_array_equal(h, h_full)  # truncation changes only the backward
        cut = gru_backward(dh, cut_cache, dh_n)
        assert_close(cut[0], full[0])
        assert_close(cut[1], full[1])
        for name in params:
            assert_close(cut[2][name], full[2][name])


@pytest.mark.parametrize("variant", GRU_VARIANTS)
def test_steps_chained_equal_the_sequence(variant):
    rng = np.random.default_rng(2)
    params = init_gru_params(3, 4, rng)
    x, h0, dh = rng.normal(size=(3, 2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(3, 2, 4))
    dh_n = rng.normal(size=(2, 4))
    h, h_n, cache = gru_forward(x, h0, params, variant)
    dx, dh0, grads = gru_backward(dh, cache, dh_n)
    state, caches = h0, []
    for t in range(3):
        h_t, state, step_cache = gru_step_forward(x[t], state, params, variant)
        caches.append(step_cache)
        assert state is h_t  # the GRU's state is its hidden state
        assert_close(h_t, h[t])
        np.testing.assert_array_equal(step_cache.h_prev, h0 if t == 0 else h[t - 1])
    assert_close(state, h_n)
    dstate, total = dh_n, dict.fromkeys(params, 0)
    for t in reversed(range(3)):
        dx_t, dstate, step_grads = gru_step_backward(dh[t], caches[t], dstate)
        assert_close(dx_t, dx[t])
        assert list(step_grads) == list(params)
        total = {name: total[name] + step_grads[name] for name in params}  # shared weights: the sum
    assert_close(dstate, dh0)
    for name in params:
        assert_close(total[name], grads[name])


@pytest.mark.parametrize("variant", GRU_VARIANTS)
def test_step_dstate_t_adds_to_dh_t(variant):
    rng = np.random.default_rng(6)
    params = init_gru_params(3, 4, rng, bias=False)
    x_t, dh_t, dstate_t = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    _, _, cache = gru_step_forward(x_t, None, params, variant)  # state_prev None: zeros
    np.testing.assert_array_equal(cache.h_prev, np.zeros((2, 4)))
    split, summed = gru_step_backward(dh_t, cache, dstate_t), gru_step_backward(dh_t + dstate_t, cache)
    assert_close(split[0], summed[0])
    assert_close(split[1], summed[1])
    assert list(split[2]) == list(params)  # no bias, no bias gradients
    for name in params:
        assert_close(split[2][name], summed[2][name])


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("variant", GRU_VARIANTS)
def test_gradient_check_cell(variant, bias):
    rng = np.random.default_rng(3)
    params = init_gru_params(3, 4, rng, bias=bias)
    x, h_prev = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    w, w_next = rng.normal(size=(2, 4)), rng.normal(size=(2, 4))  # on h_t, and on it as the state

    def loss():
        h_t, state_t, _ = gru_step_forward(x, h_prev, params, variant)
        return (w * h_t).sum() + (w_next * state_t).sum()

    dx, dh_prev, grads = gru_step_backward(w, gru_step_forward(x, h_prev, params, variant)[2], w_next)
    report = grad_check(loss, {"x": x, "h_prev": h_prev, **params}, {"x": dx, "h_prev": dh_prev, **grads})
    assert report.passed(1e-6), report


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("variant", GRU_VARIANTS)
def test_gradient_check_sequence(variant, bias):
    rng = np.random.default_rng(4)
    params = init_gru_params(3, 4, rng, bias=bias)
    x, h0, w = rng.normal(size=(5, 2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(5, 2, 4))
    w_n = rng.normal(size=(2, 4))

    def loss():  # on every hidden state, and on the final one
        h, h_n, _ = gru_forward(x, h0, params, variant)
        return (w * h).sum() + (w_n * h_n).sum()

    dx, dh0, grads = gru_backward(w, gru_forward(x, h0, params, variant)[2], w_n)
    report = grad_check(loss, {"x": x, "h0": h0, **params}, {"x": dx, "h0": dh0, **grads})
    assert report.passed(1e-6), report


@pytest.mark.parametrize("variant", GRU_VARIANTS)
def test_gradient_check_truncated_bptt(variant):
    """Truncated BPTT is the exact gradient of a surrogate: each chunk starts from a state held constant."""
    rng = np.random.default_rng(7)
    params = init_gru_params(3, 4, rng)
    x, h0, k = rng.normal(size=(7, 2, 3)), rng.normal(size=(2, 4)), 3
    w, w_n = rng.normal(size=(7, 2, 4)), rng.normal(size=(2, 4))
    h_full, _, cache = gru_forward(x, h0, params, variant, truncate=k)
    starts = [h0] + [h_full[s - 1].copy() for s in range(k, 7, k)]  # frozen chunk start states

    def surrogate():
        loss = 0.0
        for i, s in enumerate(range(0, 7, k)):
            h, h_n, _ = gru_forward(x[s:s + k], starts[i], params, variant)
            loss += (w[s:s + k] * h).sum()
        return loss + (w_n * h_n).sum()  # the last chunk's final state

    dx, dh0, grads = gru_backward(w, cache, w_n)
    report = grad_check(surrogate, {"x": x, "h0": starts[0], **params}, {"x": dx, "h0": dh0, **grads})
    assert report.passed(1e-6), report
    _, _, full = gru_backward(w, gru_forward(x, h0, params, variant)[2], w_n)
    assert not np.allclose(full["W_hz"], grads["W_hz"])  # the cut is real


def test_init():
    params = init_gru_params(3, 4, np.random.default_rng(0), dtype=np.float32)
    assert list(params) == ["W_xr", "W_hr", "b_r", "W_xz", "W_hz", "b_z", "W_xn", "W_hn", "b_xn", "b_hn"]
    assert all(p.dtype == np.float32 for p in params.values())
    assert params["W_xn"].shape == (4, 3) and params["W_hn"].shape == (4, 4) and params["b_hn"].shape == (4,)
    assert all(np.abs(p).max() <= 0.5 for p in params.values())  # 1/sqrt(H)
    assert list(init_gru_params(3, 4, np.random.default_rng(0), bias=False)) == [
        "W_xr", "W_hr", "W_xz", "W_hz", "W_xn", "W_hn"]


P = init_gru_params(3, 4, np.random.default_rng(0))
X = np.zeros((5, 2, 3))
DH = np.zeros((5, 2, 4))
CACHE = gru_forward(X, None, P)[2]
STEP_CACHE = gru_step_forward(X[0], None, P)[2]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: gru_forward(X, None, P, variant="cho"), ValueError,
         "variant must be one of 'pytorch', 'original'; got 'cho'"),
        (lambda: gru_forward(X, (np.zeros((2, 4)),), P), TypeError, "h0 must be a NumPy array, got tuple"),
        (lambda: gru_forward(X, np.zeros((2, 5)), P), ValueError,
         r"h0 must have shape \(N, H\) = \(2, 4\), got \(2, 5\)"),
        (lambda: gru_forward(X, None, {**P, "W_hn": np.zeros((4, 3))}), ValueError,
         r"W_hn must have shape \(H, H\) = \(4, 4\), got \(4, 3\)"),
        (lambda: gru_forward(X, None, {**P, "W_xz": np.zeros((5, 3))}), ValueError,
         r"W_xz must have shape \(H, D\) = \(4, 3\), got \(5, 3\)"),
        (lambda: gru_forward(X, None, {**P, "b_hn": np.zeros(5)}), ValueError,
         r"b_hn must have shape \(H,\) = \(4,\), got \(5,\)"),
        (lambda: gru_forward(X, None, {k: v for k, v in P.items() if k != "W_hz"}), ValueError,
         "params is missing 'W_hz'"),
        (lambda: gru_forward(X, None, {k: v for k, v in P.items() if k != "b_hn"}), ValueError,
         r"params has the biases \['b_r', 'b_z', 'b_xn'\] but not \['b_hn'\]"),
        (lambda: gru_forward(X, None, {**P, "b_n": P["b_xn"]}), ValueError, r"params has unknown keys \['b_n'\]"),
        (lambda: gru_forward(X.astype(np.float32), None, P), TypeError, "W_xr has dtype float64 but x has float32"),
        (lambda: gru_forward(X, np.zeros((2, 4), np.float32), P), TypeError,
         "h0 has dtype float32 but x has float64"),
        (lambda: gru_forward(np.zeros((2, 3)), None, P), ValueError,
         r"x must have 3 dimensions \(T, N, D\), got shape \(2, 3\)"),
        (lambda: gru_forward(np.zeros((0, 2, 3)), None, P), ValueError, "x must have at least one time step"),
        (lambda: gru_forward(X, None, P, truncate=0), ValueError, "truncate must be at least 1, got 0"),
        (lambda: gru_forward(X, None, P, "original", "2"), TypeError, "truncate must be an int, got str '2'"),
        (lambda: gru_backward(np.zeros((5, 2, 3)), CACHE), ValueError,
         r"dh must have shape \(T, N, H\) = \(5, 2, 4\), got \(5, 2, 3\)"),
        (lambda: gru_backward(DH.astype(np.float32), CACHE), TypeError, "dh has dtype float32 but x has float64"),
        (lambda: gru_backward(DH, CACHE, np.zeros((2, 5))), ValueError,
         r"dstate_n must have shape \(N, H\) = \(2, 4\), got \(2, 5\)"),
        (lambda: gru_backward(DH, CACHE, np.zeros((2, 4), np.float32)), TypeError,
         "dstate_n has dtype float32 but x has float64"),
        (lambda: gru_backward(DH, CACHE, (np.zeros((2, 4)), None)), TypeError,
         "dstate_n must be a NumPy array, got tuple"),
        (lambda: gru_step_forward(np.zeros(3), None, P), ValueError, r"x_t must have 2 dimensions \(N, D\)"),
        (lambda: gru_step_forward(X[0], np.zeros((3, 4)), P), ValueError,
         r"h_prev must have shape \(N, H\) = \(2, 4\), got \(3, 4\)"),
        (lambda: gru_step_forward(X[0], None, P, "cho"), ValueError,
         "variant must be one of 'pytorch', 'original'; got 'cho'"),
        (lambda: gru_step_backward(np.zeros((2, 3)), STEP_CACHE), ValueError,
         r"dh_t must have shape \(N, H\) = \(2, 4\), got \(2, 3\)"),
        (lambda: gru_step_backward(np.zeros((2, 4)), STEP_CACHE, np.zeros((2, 4), np.float32)), TypeError,
         "dstate_t has dtype float32 but x has float64"),
    ],
)
def test_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()
