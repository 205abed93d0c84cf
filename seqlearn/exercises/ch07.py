"""Checkers for the exercises of chapter 7, LSTM and GRU."""

import numpy as np

from seqlearn.exercises import passed, require
from seqlearn.scratch import gru_step_forward, init_gru_params, sigmoid


def check_lstm_parameter_count(count):
    """Exercise 1: `count(D, H)` -> the number of parameters of torch.nn.LSTM(D, H), biases included."""
    require(callable(count), f"expected a function, got {type(count).__name__}")
    for D, H in ((3, 5), (16, 96), (28, 256), (1, 1)):
        got, want = count(D, H), 4 * (H * D + H * H + 2 * H)
        if got == 4 * (H * D + H * H + H):
            require(False, f"count({D}, {H}) = {got} has one bias per gate; PyTorch keeps two (bias_ih and bias_hh)")
        require(got == want, f"count({D}, {H}) = {got} is not right; each of the four gates has W_x (H, D), "
                             "W_h (H, H) and its biases")
    passed("4 (H·D + H·H + 2H): four gates, each an RNN layer's worth of parameters, with PyTorch's two biases.")


def check_forget_bias(forget_bias_for):
    """Exercise 2: `forget_bias_for(delay, keep)` -> the bias b with σ(b) ** delay == keep."""
    require(callable(forget_bias_for), f"expected a function, got {type(forget_bias_for).__name__}")
    for delay, keep in ((1, 0.5), (10, 0.5), (100, 0.5), (40, 0.9), (100, 0.01)):
        b = float(forget_bias_for(delay, keep))
        kept = float(sigmoid(np.array(b)) ** delay)
        require(np.isclose(kept, keep, rtol=1e-6),
                f"forget_bias_for({delay}, {keep}) = {b:.4g} keeps σ(b)**{delay} = {kept:.4g} of the cell, not "
                f"{keep}; the forget gate multiplies the cell once per step")
    b100 = float(forget_bias_for(100, 0.5))
    passed(f"a bias of {b100:.2f} keeps half of the cell over 100 steps: keep_bias=5 in this chapter.")


def check_ng_update(update):
    """Exercise 3: `update(gamma_u, c_tilde, c_prev)` -> c⟨t⟩ in Andrew Ng's convention."""
    require(callable(update), f"expected a function, got {type(update).__name__}")
    rng = np.random.default_rng(0)
    gamma_u, c_tilde, c_prev = rng.uniform(size=(2, 4)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    got = np.asarray(update(gamma_u, c_tilde, c_prev), dtype=float)
    require(got.shape == c_prev.shape, f"expected an array of shape {c_prev.shape}, got {got.shape}")
    if np.allclose(got, gamma_u * c_prev + (1 - gamma_u) * c_tilde):
        require(False, "that is PyTorch's convention, where the gate keeps the old state; in Ng's, "
                       "Γ_u = 1 means update: take the candidate")
    require(np.allclose(got, gamma_u * c_tilde + (1 - gamma_u) * c_prev),
            "not right: c⟨t⟩ mixes the candidate and the old state with weights Γ_u and 1 - Γ_u")
    passed("Γ_u ⊙ c̃ + (1 - Γ_u) ⊙ c⟨t-1⟩: the same model as PyTorch's, with z = 1 - Γ_u.")


def check_original_candidate(candidate):
    """Exercise 4: `candidate(x_t, h_prev, r, params)` -> n_t of the 2014 GRU, one row per example."""
    require(callable(candidate), f"expected a function, got {type(candidate).__name__}")
    rng = np.random.default_rng(1)
    params = init_gru_params(3, 4, rng)
    x_t, h_prev = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    _, _, cache = gru_step_forward(x_t, h_prev, params, variant="original")
    r, n = cache.r, cache.n  # the step's reset gate and candidate, read by name
    got = np.asarray(candidate(x_t, h_prev, r, params), dtype=float)
    require(got.shape == n.shape, f"expected an array of shape {n.shape}, got {got.shape}")
    pytorch = np.tanh(x_t @ params["W_xn"].T + params["b_xn"] + r * (h_prev @ params["W_hn"].T + params["b_hn"]))
    if np.allclose(got, pytorch):
        require(False, "that is PyTorch's variant, r ⊙ (W_hn h + b_hn); in Cho et al. the reset gate acts on "
                       "the state before W_hn")
    require(np.allclose(got, n), "not right: n = tanh(W_xn x + b_xn + W_hn (r ⊙ h_prev) + b_hn), in rows: "
                                 "x_t @ W_xn.T, and so on")
    passed("the reset gate scales the state before the matrix, so W_hn sees only what r lets through.")
