"""What chapters 4 and 6 state, checked on fresh shapes: which loss a mean of per-step gradients is the gradient
of (chapter 4, section 3), and what the worst case max f' * ||W_hh||_2 of one step back is (chapter 6, section 4)."""

import numpy as np
import pytest
import torch

from seqlearn.convert import params_to_torch
from seqlearn.gradcheck import grad_check
from seqlearn.gradient_flow import hidden_state_gradients
from seqlearn.scratch import (
    affine_backward,
    affine_forward,
    init_model_params,
    init_rnn_params,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
    softmax_cross_entropy,
)
from seqlearn.scratch.rnn import activation_derivative

RNN_NAMES = ("W_xh", "W_hh", "b_h")


def per_step_contributions(x, targets, model):
    """dW_hh of the summed loss, one step's contribution at a time, as chapter 4's section 3 computes them."""
    rnn_params = {k: model[k] for k in RNN_NAMES}
    h, _, _ = rnn_forward(x, None, rnn_params)
    logits, out_cache = affine_forward(h, model["W_hy"], model["b_y"])
    dh = affine_backward(softmax_cross_entropy(logits, targets, reduction="sum")[1], out_cache)[0]
    contributions, from_next = [], None
    for t in reversed(range(len(x))):
        _, _, cache = rnn_step_forward(x[t], h[t - 1] if t else np.zeros_like(h[0]), rnn_params)
        _, from_next, step_grads = rnn_step_backward(dh[t], cache, from_next)
        contributions.append(step_grads["W_hh"])
    return np.array(contributions)


@pytest.mark.parametrize("T, N, D, H, O", [(5, 2, 3, 4, 3), (3, 4, 2, 3, 5), (6, 1, 2, 2, 4)])
def test_a_mean_of_per_step_contributions_is_the_gradient_of_the_mean_over_steps(T, N, D, H, O):
    rng = np.random.default_rng(T * 100 + N)
    model = init_model_params(D, H, O, rng)
    x, targets = rng.normal(size=(T, N, D)), rng.integers(0, O, size=(T, N))
    contributions = per_step_contributions(x, targets, model)

    def summed_loss():
        h, _, _ = rnn_forward(x, None, {k: model[k] for k in RNN_NAMES})
        return softmax_cross_entropy(affine_forward(h, model["W_hy"], model["b_y"])[0], targets, reduction="sum")[0]

    W_hh = {"W_hh": model["W_hh"]}
    assert grad_check(summed_loss, W_hh, {"W_hh": contributions.sum(axis=0)}).passed(1e-6)
    assert grad_check(lambda: summed_loss() / T, W_hh, {"W_hh": contributions.mean(axis=0)}).passed(1e-6)

    # PyTorch's default reduction, the mean over all T * N predictions: N times smaller than the mean over steps
    rnn = params_to_torch({k: model[k] for k in RNN_NAMES}, torch.nn.RNN(D, H).double())
    out, _ = rnn(torch.from_numpy(x))
    logits = out @ torch.from_numpy(model["W_hy"]).T + torch.from_numpy(model["b_y"])
    torch.nn.functional.cross_entropy(logits.reshape(-1, O), torch.from_numpy(targets).reshape(-1)).backward()
    np.testing.assert_allclose(contributions.mean(axis=0), N * rnn.weight_hh_l0.grad.numpy(), rtol=0, atol=1e-10)
    if N > 1:  # then the two means differ, and a check of one against the other fails
        assert not grad_check(lambda: summed_loss() / T, W_hh,
                              {"W_hh": contributions.sum(axis=0) / (T * N)}).passed(1e-2)


@pytest.mark.parametrize("H, rho", [(4, 0.5), (6, 1.0), (8, 1.5)])
def test_the_worst_case_of_one_step_back_is_reached_at_a_zero_state(H, rho):
    rng = np.random.default_rng(H)
    W = rng.normal(size=(H, H))
    W *= rho / np.abs(np.linalg.eigvals(W)).max()
    U, S, _ = np.linalg.svd(W)
    norms = hidden_state_gradients(np.zeros((2, 1, 3)), None, {"W_xh": rng.normal(size=(H, 3)), "W_hh": W},
                                   dh_T=U[:, :1].T)
    assert norms[0] / norms[1] == pytest.approx(S[0], rel=1e-10)  # exactly ||W_hh||_2: the bound is reached


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_no_step_back_stretches_the_gradient_more_than_its_own_jacobian_allows(nonlinearity):
    """Per step, ||dL/dh[t-1]|| <= max over the batch of ||diag(f'(a_t)) W_hh||_2 * ||dL/dh[t]|| <= ||W_hh||_2 ||.||."""
    rng = np.random.default_rng(7)
    params = init_rnn_params(3, 6, rng)
    params["W_hh"] *= 3
    x = rng.normal(size=(20, 4, 3))
    norms = hidden_state_gradients(x, None, params, nonlinearity, dh_T=rng.normal(size=(4, 6)))
    h = rnn_forward(x, None, params, nonlinearity)[0]
    slopes = activation_derivative(h, nonlinearity)  # (T, N, H)
    step_norms = np.linalg.norm(slopes[..., None] * params["W_hh"], ord=2, axis=(2, 3)).max(axis=1)  # (T,)
    stretch = norms[:-1] / norms[1:]  # entry t-1: one step back from h[t]
    assert np.all(stretch <= step_norms[1:] * (1 + 1e-12))
    assert np.all(step_norms <= np.linalg.norm(params["W_hh"], 2) * (1 + 1e-12))
