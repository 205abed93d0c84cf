"""Gradient flow: BPTT norms and Jacobian products against PyTorch autograd (float64, 1e-10), finite
differences, and the theory's decay rate in the one case where it is exact."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlearn.gradcheck import numerical_gradient
from seqlearn.gradient_flow import (
    fit_decay_rate,
    hidden_state_gradients,
    hidden_state_gradients_torch,
    hidden_state_jacobians,
    hidden_state_jacobians_torch,
    jacobian_norms,
    predicted_decay_rate,
    rescale_to_spectral_radius,
    spectral_radius,
)
from seqlearn.scratch import init_rnn_params, rnn_backward, rnn_forward

TOL = 1e-10


def assert_close(a, b, tol=TOL):
    np.testing.assert_allclose(a, b, rtol=0, atol=tol)


def assert_agree(a, b):
    """1e-10, relative once values grow past 1: an exploding gradient of size 1e6 keeps only ~1e-10 absolute."""
    np.testing.assert_allclose(a, b, rtol=TOL, atol=TOL)


def random_problem(rng, T, N, D, H, bias=True, given_h0=True):
    params = init_rnn_params(D, H, rng, bias=bias)
    params["W_hh"] *= 3  # large enough that some runs explode and others vanish
    x = rng.normal(size=(T, N, D))
    h0 = rng.normal(size=(N, H)) if given_h0 else None
    return x, h0, params


@settings(max_examples=40)
@given(T=st.integers(1, 8), N=st.integers(1, 3), D=st.integers(1, 4), H=st.integers(1, 5),
       nonlinearity=st.sampled_from(["tanh", "relu"]), bias=st.booleans(), given_h0=st.booleans(),
       given_dh_T=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_parity_with_torch(T, N, D, H, nonlinearity, bias, given_h0, given_dh_T, seed):
    rng = np.random.default_rng(seed)
    x, h0, params = random_problem(rng, T, N, D, H, bias, given_h0)
    dh_T = rng.normal(size=(N, H)) if given_dh_T else None
    norms = hidden_state_gradients(x, h0, params, nonlinearity, dh_T)
    assert norms.shape == (T,)
    assert_agree(norms, hidden_state_gradients_torch(x, h0, params, nonlinearity, dh_T))
    J = hidden_state_jacobians(x, h0, params, nonlinearity)
    assert J.shape == (T, N, H, H)
    assert_agree(J, hidden_state_jacobians_torch(x, h0, params, nonlinearity))


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_gradient_norms_are_chapter_4_bptt(nonlinearity):
    """∂L/∂h[t] is the dh0 that rnn_backward returns for the rest of the sequence started from h[t]."""
    rng = np.random.default_rng(0)
    x, h0, params = random_problem(rng, 6, 2, 3, 4)
    dh_T = rng.normal(size=(2, 4))
    h, _, _ = rnn_forward(x, h0, params, nonlinearity)
    norms = hidden_state_gradients(x, h0, params, nonlinearity, dh_T)
    assert norms[-1] == pytest.approx(np.linalg.norm(dh_T))
    for t in range(5):
        rest, _, cache = rnn_forward(x[t + 1:], h[t], params, nonlinearity)
        _, dh_t, _ = rnn_backward(np.zeros_like(rest), cache, dh_T)  # the loss sits on the final state only
        assert norms[t] == pytest.approx(np.linalg.norm(dh_t), rel=1e-12)
        dh = np.zeros_like(rest)
        dh[-1] = dh_T  # the same loss, put on the last of the hidden states
        assert norms[t] == pytest.approx(np.linalg.norm(rnn_backward(dh, cache)[1]), rel=1e-12)


def test_default_upstream_gradient_is_ones():
    rng = np.random.default_rng(1)
    x, h0, params = random_problem(rng, 5, 3, 2, 4)
    assert_close(hidden_state_gradients(x, h0, params), hidden_state_gradients(x, h0, params, dh_T=np.ones((3, 4))))


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_gradient_is_the_jacobian_transposed_times_the_upstream(nonlinearity):
    """∂L/∂h[t] = J[t]ᵀ dh_T per example, so ‖∂L/∂h[t]‖ ≤ ‖J[t]‖₂ ‖dh_T‖.

    Equality holds when dh_T is J[t]'s top left singular vector.
    """
    rng = np.random.default_rng(2)
    x, h0, params = random_problem(rng, 7, 3, 2, 5)
    dh_T = rng.normal(size=(3, 5))
    J = hidden_state_jacobians(x, h0, params, nonlinearity)
    by_jacobian = np.linalg.norm(np.einsum("ni,tnij->tnj", dh_T, J), axis=(1, 2))
    assert_close(hidden_state_gradients(x, h0, params, nonlinearity, dh_T), by_jacobian)
    spectral = jacobian_norms(x, h0, params, nonlinearity)
    assert spectral.shape == (7, 3)
    assert_close(spectral[-1], 1.0)  # ∂h[T-1]/∂h[T-1] is the identity
    for t in range(7):
        u = np.linalg.svd(J[t, :1])[0][:, :, 0]  # (1, H): example 0's top left singular vector
        assert hidden_state_gradients(x[:, :1], h0[:1], params, nonlinearity, u)[t] == pytest.approx(spectral[t, 0])
        assert (np.linalg.norm(np.einsum("ni,nij->nj", dh_T, J[t]), axis=1)
                <= spectral[t] * np.linalg.norm(dh_T, axis=1) + 1e-12).all()


def test_jacobian_product_matches_finite_differences():
    rng = np.random.default_rng(3)
    x, h0, params = random_problem(rng, 5, 2, 3, 4)
    h, _, _ = rnn_forward(x, h0, params)
    J = hidden_state_jacobians(x, h0, params)
    for t in range(4):
        h_t = h[t].copy()
        for n in range(2):
            for i in range(4):  # row i of example n's Jacobian: the gradient of h[T-1][n, i] on h[t]
                row = numerical_gradient(lambda: rnn_forward(x[t + 1:], h_t, params)[0][-1][n, i], h_t)  # noqa: B023
                assert_close(J[t, n, i], row[n], tol=1e-8)
                assert_close(row[1 - n], 0.0, tol=1e-12)  # examples do not interact


def test_linear_regime_decays_at_exactly_the_spectral_radius():
    """x = 0, h0 = 0, no bias: every state is 0, so tanh' = 1 and the Jacobians are powers of W_hh.

    For a symmetric W_hh, ‖W_hh^k‖₂ = ρ^k exactly: the fit, the prediction and ρ all agree.
    """
    rng = np.random.default_rng(4)
    A = rng.normal(size=(6, 6))
    params = {"W_xh": rng.normal(size=(6, 2)), "W_hh": rescale_to_spectral_radius(A + A.T, 0.8)}
    x = np.zeros((12, 1, 2))
    norms = jacobian_norms(x, None, params)[:, 0]
    assert_close(norms, 0.8 ** np.arange(11, -1, -1), tol=1e-12)
    assert fit_decay_rate(norms) == pytest.approx(0.8, rel=1e-12)
    assert predicted_decay_rate(x, None, params) == pytest.approx(0.8, rel=1e-12)
    grads = hidden_state_gradients(x, None, params)  # a fixed upstream vector: at most ρ per step back
    assert (grads[:-1] <= 0.8 * grads[1:] + 1e-12).all()


def test_predicted_rate_counts_relu_dead_units():
    """Half the relu units active: rms f' = sqrt(1/2)."""
    params = {"W_xh": np.eye(2), "W_hh": np.diag([0.5, -0.5]), "b_h": np.zeros(2)}
    x = np.ones((3, 1, 2))
    x[..., 1] = -5  # unit 1 never fires
    assert predicted_decay_rate(x, None, params, "relu") == pytest.approx(0.5 * np.sqrt(0.5), rel=1e-12)


@pytest.mark.parametrize("rho", [0.5, 1.0, 3.0])
def test_rescale_gives_the_asked_radius(rho):
    W = np.random.default_rng(5).normal(size=(7, 7))
    scaled = rescale_to_spectral_radius(W, rho)
    assert spectral_radius(scaled) == pytest.approx(rho, rel=1e-12)
    assert_close(scaled / np.linalg.norm(scaled), W / np.linalg.norm(W))  # same direction, only scaled


def test_spectral_radius_of_known_matrices():
    angle = 0.3
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    assert spectral_radius(0.5 * rotation) == pytest.approx(0.5, rel=1e-12)  # complex eigenvalues 0.5 e^{±i0.3}
    assert spectral_radius(np.array([[0.0, 4.0], [0.0, 0.5]])) == pytest.approx(0.5)  # below the norm, 4.03


@pytest.mark.parametrize("rate", [0.3, 0.97, 1.0, 1.8])
def test_fit_recovers_a_geometric_rate(rate):
    norms = 2.5 * rate ** np.arange(19, -1, -1)  # norms[t] = C r^(T-1-t)
    assert fit_decay_rate(norms) == pytest.approx(rate, rel=1e-12)
    assert fit_decay_rate(list(norms)) == pytest.approx(rate, rel=1e-12)


P = init_rnn_params(3, 4, np.random.default_rng(0))
X = np.zeros((5, 2, 3))


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: hidden_state_gradients(X, None, P, dh_T=np.ones((2, 3))), ValueError,
         r"dh_T must have shape \(N, H\) = \(2, 4\), got \(2, 3\)"),
        (lambda: hidden_state_gradients(X, None, P, dh_T=np.ones(4)), ValueError,
         r"dh_T must have 2 dimensions \(N, H\), got shape \(4,\)"),
        (lambda: hidden_state_gradients_torch(X, None, P, dh_T=np.ones((2, 4), np.float32)), TypeError,
         "dh_T has dtype float32 but x has float64"),
        (lambda: hidden_state_gradients(X, None, P, dh_T=np.ones((2, 4), np.float32)), TypeError,
         "dh_T has dtype float32 but x has float64"),
        (lambda: hidden_state_gradients(X, None, P, dh_T=[[1.0] * 4] * 2), TypeError,
         "dh_T must be a NumPy array, got list"),
        (lambda: hidden_state_gradients(X, None, P, "sigmoid"), ValueError,
         "nonlinearity must be one of 'tanh', 'relu'; got 'sigmoid'"),
        (lambda: jacobian_norms(np.zeros((5, 3)), None, P), ValueError,
         r"x must have 3 dimensions \(T, N, D\), got shape \(5, 3\)"),
        (lambda: hidden_state_jacobians_torch(np.zeros((0, 2, 3)), None, P), ValueError,
         "x must have at least one time step"),
        (lambda: hidden_state_jacobians(X, np.zeros((2, 5)), P), ValueError,
         r"h0 must have shape \(N, H\) = \(2, 4\), got \(2, 5\)"),
        (lambda: predicted_decay_rate(X, np.zeros((2, 4), np.float32), P), TypeError,
         "h0 has dtype float32 but x has float64"),
        (lambda: hidden_state_gradients(X, None, {"W_xh": P["W_xh"]}), ValueError, "params is missing 'W_hh'"),
        (lambda: spectral_radius(np.zeros((3, 4))), ValueError, r"W must have shape \(H, H\) = \(3, 3\), got \(3, 4\)"),
        (lambda: spectral_radius(np.eye(3, dtype=int)), TypeError, "W must have a floating dtype"),
        (lambda: rescale_to_spectral_radius(np.zeros((3, 3)), 1.0), ValueError, "W has spectral radius 0"),
        (lambda: rescale_to_spectral_radius(np.eye(3), 0.0), ValueError, "rho must be positive.*, got 0.0"),
        (lambda: fit_decay_rate([1.0]), ValueError, "norms needs at least 2 entries to fit a rate, got 1"),
        (lambda: fit_decay_rate([0.5, 0.0, 1.0]), ValueError,
         r"norms must be positive and finite to take logarithms; norms\[1\] = 0.0"),
        (lambda: fit_decay_rate([1.0, np.nan]), ValueError, r"norms\[1\] = nan"),
        (lambda: fit_decay_rate(np.ones((3, 2))), ValueError, r"norms must have 1 dimensions \(T,\)"),
    ],
)
def test_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()
