"""How far back gradients reach: vanishing and exploding gradients in the Elman RNN (chapter 6).

The state after step k depends on the one before through h_k = f(a_k), a_k = W_xh x_k + W_hh h_{k-1} + b_h,
so one step back multiplies by the step Jacobian ∂h_k/∂h_{k-1} = diag(f'(a_k)) W_hh, and many steps back by
their product (column-vector math, as in the course):

    ∂h_T/∂h_t = diag(f'(a_T)) W_hh · diag(f'(a_{T-1})) W_hh ··· diag(f'(a_{t+1})) W_hh

A gradient arriving at the last state reaches h_t multiplied by this product (transposed). If each factor
shrinks vectors the gradient vanishes geometrically with the distance T - t; if each stretches them, it
explodes. The spectral radius of W_hh (its largest |eigenvalue|) and the size of f' (at most 1 for tanh and
relu, and much less where tanh saturates) decide which.

Indexing follows `rnn_forward`: x is (T, N, D), h0 (N, H), and h[t], t = 0..T-1, is the state after step t,
so the last state h_T of the math is h[T-1] here, and h[t] lies T-1-t steps before it.

- NumPy, with the chapter-4 code: `hidden_state_gradients` (‖∂L/∂h_t‖ by BPTT), `hidden_state_jacobians` and
  `jacobian_norms` (the product above, built factor by factor);
- the same in PyTorch autograd, as an independent check: `hidden_state_gradients_torch`,
  `hidden_state_jacobians_torch`;
- `spectral_radius`, `rescale_to_spectral_radius`; and `fit_decay_rate` (the measured per-step factor) beside
  `predicted_decay_rate` (what the theory says it should be).
"""

import numpy as np
import torch

from seqlearn.checks import check_finite, check_float_array, check_positive, check_shape, check_upstream
from seqlearn.scratch.rnn import activation_derivative, check_rnn_inputs, rnn_step_backward, rnn_step_forward


def _last_state_gradient(dh_T, N, H, dtype):
    """∂L/∂h[T-1], the gradient that starts the backward sweep: dh_T (N, H), or ones when None."""
    return np.ones((N, H), dtype) if dh_T is None else check_upstream("dh_T", dh_T, (N, H), "(N, H)", dtype)


def hidden_state_gradients(x, h0, params, nonlinearity="tanh", dh_T=None):
    """‖∂L/∂h[t]‖ for t = 0..T-1, by backpropagation through time: an array of shape (T,).

    The loss is the linear function of the last state L = sum(dh_T * h[T-1]), so ∂L/∂h[T-1] = dh_T, (N, H),
    ones when None, and no loss sits on any other step. Each entry is the Frobenius norm of the (N, H)
    gradient ∂L/∂h[t], over the batch and the hidden units together; entry T-1 is ‖dh_T‖.

    This is chapter 4's BPTT with an upstream gradient at the last step only, run one step at a time with
    `rnn_step_backward` so that the gradient reaching every h[t] can be read on the way.
    """
    H, h_prev = check_rnn_inputs(x, h0, params, nonlinearity)
    dh = _last_state_gradient(dh_T, x.shape[1], H, x.dtype)
    caches = []
    for x_t in x:
        h_prev, _, cache = rnn_step_forward(x_t, h_prev, params, nonlinearity)
        caches.append(cache)
    norms = np.empty(len(x))
    for t in reversed(range(len(x))):
        norms[t] = np.linalg.norm(dh)  # dh is ∂L/∂h[t] here
        _, dh, _ = rnn_step_backward(dh, caches[t])  # now ∂L/∂h[t-1]
    return norms


def hidden_state_jacobians(x, h0, params, nonlinearity="tanh"):
    """∂h[T-1]/∂h[t] for t = 0..T-1 and every example: an array of shape (T, N, H, H).

    J[t, n] is the H×H Jacobian of example n's last state with respect to its own state h[t] (examples do
    not interact), with rows indexing h[T-1] and columns h[t]. It is built as the product of step Jacobians
    diag(f'(a_k)) W_hh for k = T-1 down to t+1; J[T-1, n] is the identity.
    """
    H, h0 = check_rnn_inputs(x, h0, params, nonlinearity)
    T, N, _ = x.shape
    h = h0
    derivatives = np.empty((T, N, H), x.dtype)  # f'(a_k) for every step k
    for k in range(T):
        h, _, _ = rnn_step_forward(x[k], h, params, nonlinearity)
        derivatives[k] = activation_derivative(h, nonlinearity)
    J = np.empty((T, N, H, H), x.dtype)
    J[T - 1] = np.eye(H, dtype=x.dtype)
    for t in reversed(range(T - 1)):
        # J[t] = J[t+1] @ diag(f'(a_{t+1})) @ W_hh; the diag scales J[t+1]'s columns
        J[t] = (J[t + 1] * derivatives[t + 1][:, None, :]) @ params["W_hh"]
    return J


def jacobian_norms(x, h0, params, nonlinearity="tanh"):
    """‖∂h[T-1]/∂h[t]‖₂ for t = 0..T-1 and every example: an array of shape (T, N).

    The spectral norm (largest singular value) of each example's H×H Jacobian from `hidden_state_jacobians`:
    the most that a change of h[t] in any direction can be stretched on its way to the last state.
    Entry [T-1, n] is 1. Average over axis 1 for one curve per batch.
    """
    return np.linalg.norm(hidden_state_jacobians(x, h0, params, nonlinearity), ord=2, axis=(-2, -1))


def _torch_states(x, h0, params, nonlinearity):
    """The recurrence in torch ops, step by step: a list of T tensors (N, H) whose gradients can be asked for.

    h0 (zeros when None) is made a leaf that requires a gradient, so that every state is part of the graph.
    """
    _, h0 = check_rnn_inputs(x, h0, params, nonlinearity)
    W_xh, W_hh = torch.tensor(params["W_xh"]), torch.tensor(params["W_hh"])
    b_h = torch.tensor(params["b_h"]) if "b_h" in params else 0
    f = torch.tanh if nonlinearity == "tanh" else torch.relu
    h, states = torch.tensor(h0, requires_grad=True), []
    for x_t in torch.tensor(x):
        h = f(x_t @ W_xh.T + h @ W_hh.T + b_h)
        states.append(h)
    return states


def hidden_state_gradients_torch(x, h0, params, nonlinearity="tanh", dh_T=None):
    """`hidden_state_gradients` by PyTorch autograd: the same (T,) norms, an independent check of BPTT."""
    H, _ = check_rnn_inputs(x, h0, params, nonlinearity)
    dh = torch.tensor(_last_state_gradient(dh_T, x.shape[1], H, x.dtype))
    states = _torch_states(x, h0, params, nonlinearity)
    gradients = torch.autograd.grad((dh * states[-1]).sum(), states)  # ∂L/∂h[t] for every t
    return np.array([torch.linalg.norm(g).item() for g in gradients])


def hidden_state_jacobians_torch(x, h0, params, nonlinearity="tanh"):
    """`hidden_state_jacobians` by PyTorch autograd: the same (T, N, H, H) array.

    One backward pass per hidden unit i gives row i of every Jacobian at once: summing h[T-1][:, i] over
    the batch mixes nothing, because example n's last state depends only on its own earlier states.
    """
    states = _torch_states(x, h0, params, nonlinearity)
    H = states[-1].shape[1]
    rows = [torch.stack(torch.autograd.grad(states[-1][:, i].sum(), states, retain_graph=True))  # (T, N, H)
            for i in range(H)]
    return torch.stack(rows, dim=2).numpy()  # (T, N, H rows of h[T-1], H columns of h[t])


def spectral_radius(W):
    """The largest |eigenvalue| of the square matrix W: the per-step growth of ‖W^k v‖ for large k."""
    check_float_array("W", W, ndim=2, dims="(H, H)", allow_empty=False)
    check_finite("W", check_shape("W", W, (W.shape[0], W.shape[0]), "(H, H)"))  # eigenvalues of NaN: no verdict
    return float(np.abs(np.linalg.eigvals(W)).max())


def rescale_to_spectral_radius(W, rho):
    """A copy of W scaled so that its spectral radius is `rho` (> 0); the eigenvectors are unchanged."""
    check_positive("rho", rho)
    radius = spectral_radius(W)
    if radius == 0:
        raise ValueError("W has spectral radius 0 (all its eigenvalues are 0), so no scaling reaches "
                         f"rho={rho}")
    return W * (rho / radius)


def fit_decay_rate(norms):
    """The per-step factor r of a geometric fit norms[t] ≈ C r^(T-1-t), by least squares on log(norms).

    `norms` is (T,), ordered as `hidden_state_gradients` and a batch mean of `jacobian_norms` are: entry t
    lies T-1-t steps before the last. r = exp(slope of log norm against that distance): r < 1 means the
    gradient vanishes going back in time, r > 1 that it explodes. Every norm must be positive and finite.
    A list of floats is taken as an array; integers, strings and None are refused, not cast.
    """
    norms = np.asarray(norms) if isinstance(norms, list | tuple) else norms
    check_float_array("norms", norms, ndim=1, dims="(T,)")
    if len(norms) < 2:
        raise ValueError(f"norms needs at least 2 entries to fit a rate, got {len(norms)}")
    bad = ~(np.isfinite(norms) & (norms > 0))
    if bad.any():
        t = int(np.argmax(bad))
        raise ValueError(f"norms must be positive and finite to take logarithms; norms[{t}] = {norms[t]}")
    distance = np.arange(len(norms))[::-1]  # T-1, ..., 1, 0
    slope = np.polyfit(distance, np.log(norms), 1)[0]
    return float(np.exp(slope))


def predicted_decay_rate(x, h0, params, nonlinearity="tanh"):
    """The theory's per-step factor, to set beside `fit_decay_rate`: ρ(W_hh) × rms f'(a).

    ρ(W_hh) is the spectral radius, and rms f'(a) = sqrt(mean f'(a)²) the root-mean-square derivative over
    every step, example and unit of this run (tanh' = 1 - h², relu' = 1 on active units, else 0).

    What it approximates: each step back multiplies by diag(f'(a_k)) W_hh.
    - If every f' were the same constant c (c = 1 for a linear RNN; a tanh RNN with small pre-activations is
      close), the product is c^k W_hh^k, whose norm grows like (c ρ)^k: the prediction is then exact in the
      long run, and rms f' = mean f' = c.
    - If f' varies, think of diag(f') as a random mask: it keeps a vector's length only in proportion to
      sqrt(mean f'²). A relu layer with half its units active shrinks a generic vector by sqrt(1/2), not by
      1/2, which is why this uses the root mean square and not the plain mean. For a W_hh with random
      independent entries it is a good estimate; for structured W_hh, or where f' is correlated with the
      directions W_hh stretches, it can be off in either direction.
    What always holds is a bound on each step: ‖diag(f') W_hh‖₂ ≤ max f' × ‖W_hh‖₂ (largest singular value).
    """
    H, h = check_rnn_inputs(x, h0, params, nonlinearity)
    total = 0.0
    for x_t in x:
        h, _, _ = rnn_step_forward(x_t, h, params, nonlinearity)
        total += (activation_derivative(h, nonlinearity) ** 2).sum()
    rms_derivative = np.sqrt(total / (x.shape[0] * x.shape[1] * H))
    return spectral_radius(params["W_hh"]) * float(rms_derivative)
