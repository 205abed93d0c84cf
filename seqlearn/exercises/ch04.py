"""Checkers for the exercises of chapter 4, Backpropagation through time."""

import numpy as np

from seqlearn.exercises import passed, require


def check_shared_gradient(total_gradient):
    """Exercise 1: `total_gradient(contributions)` -> the gradient of a shared weight from its per-step parts.

    `contributions` is a list of arrays, one per time step, for the summed loss.
    """
    require(callable(total_gradient), f"expected a function, got {type(total_gradient).__name__}")
    rng = np.random.default_rng(0)
    parts = [rng.normal(size=(3, 3)) for _ in range(5)]
    got = np.asarray(total_gradient(parts))
    require(got.shape == (3, 3), f"expected an array of the weight's shape (3, 3), got {got.shape}")
    if np.allclose(got, np.mean(parts, axis=0)):
        require(False, "that is the mean: it is the gradient of the loss divided by T, not of the summed loss")
    require(np.allclose(got, np.sum(parts, axis=0)), "not right: how does a weight used at every step add up?")
    passed("the gradient of a weight shared across time is the sum of its per-step contributions.")


def check_suspect_gradients(answer):
    """Exercise 2: from a gradient-check report {name: max relative error} in float64, the set of suspects."""
    report = {"W_xh": 2.1e-9, "W_hh": 3.4e-2, "b_h": 8.0e-11, "W_hy": 1.2e-8, "b_y": 0.5}
    want = {name for name, err in report.items() if err > 1e-6}
    require(isinstance(answer, set), f"expected a set of names, got {type(answer).__name__}")
    require(answer == want, f"{sorted(answer)} is not right; in float64 a correct gradient is around 1e-8 or below")
    passed(f"{sorted(want)}: errors of 1e-2 and more are bugs, 1e-8 and less are rounding.")


def check_truncation(answer):
    """Exercise 3: T=10 steps, truncate=4. The chunk starts, and the earliest step the loss at t=9 reaches."""
    want = {"chunk_starts": [0, 4, 8], "earliest_reached_from_9": 8}
    require(isinstance(answer, dict) and set(answer) == set(want), f"expected a dict with keys {sorted(want)}")
    require(list(answer["chunk_starts"]) == want["chunk_starts"],
            f"chunk_starts {answer['chunk_starts']} is not right; chunks are [0, k), [k, 2k), ...")
    require(answer["earliest_reached_from_9"] == want["earliest_reached_from_9"],
            "earliest_reached_from_9 is not right; gradient stops at the start of t=9's chunk")
    passed("each loss sends gradient back only to the start of its own chunk.")


def check_tanh_derivative(derivative):
    """Exercise 4: `derivative(h)` -> tanh'(a) computed from the output h = tanh(a) alone."""
    require(callable(derivative), f"expected a function, got {type(derivative).__name__}")
    a = np.linspace(-3, 3, 13)
    got = np.asarray(derivative(np.tanh(a)), dtype=float)
    require(got.shape == a.shape, f"expected an array of shape {a.shape}, got {got.shape}")
    require(np.allclose(got, 1 / np.cosh(a) ** 2), "not right: differentiate tanh and write it in terms of tanh")
    passed("1 - h**2: the forward pass already stored everything the backward pass needs.")
