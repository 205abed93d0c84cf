"""Checkers for the exercises of chapter 6, Vanishing and exploding gradients."""

import numpy as np

from seqlearn.exercises import passed, require


def check_max_derivatives(answer):
    """Exercise 1: the largest value of each activation's derivative, as {"sigmoid": .., "tanh": .., "relu": ..}."""
    want = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}
    require(isinstance(answer, dict) and set(answer) == set(want), f"expected a dict with keys {sorted(want)}")
    for name, value in want.items():
        require(np.isclose(answer[name], value), f"{name}: {answer[name]} is not right; where is its slope "
                                                  "steepest, and how steep is it there?")
    passed("sigmoid' <= 1/4, tanh' <= 1, relu' is 0 or 1: a sigmoid RNN loses at least a factor 4 per step.")


def _steps_until(rate, fraction):
    k = 0
    while rate ** k > fraction:
        k += 1
    return k


def check_steps_until(steps_until):
    """Exercise 2: `steps_until(rate, fraction)` -> the fewest steps k with rate**k <= fraction (0 < rate < 1)."""
    require(callable(steps_until), f"expected a function, got {type(steps_until).__name__}")
    for rate, fraction in ((0.9, 0.01), (0.5, 0.001), (0.99, 0.5), (0.3, 0.2)):
        want, got = _steps_until(rate, fraction), steps_until(rate, fraction)
        if got in (want - 1, want + 1):
            require(False, f"steps_until({rate}, {fraction}) = {got} is off by one: is rate**{got} <= {fraction}, "
                           "and is it the first such k?")
        require(got == want, f"steps_until({rate}, {fraction}) = {got} is not right")
    passed("a per-step factor of 0.9 leaves 1% of the gradient after 44 steps: vanishing is geometric.")


def check_clip_by_norm(clip):
    """Exercise 3: `clip(g, max_norm)` -> g rescaled to norm max_norm if its norm is larger, else g unchanged."""
    require(callable(clip), f"expected a function, got {type(clip).__name__}")
    g = np.array([3.0, -0.5, 0.25, 8.0])
    original = g.copy()
    got = np.asarray(clip(g, 1.0), dtype=float)
    require(np.array_equal(g, original), "clip changed its input in place; return a new array")
    require(got.shape == g.shape, f"expected an array of shape {g.shape}, got {got.shape}")
    require(np.isclose(np.linalg.norm(got), 1.0), f"the clipped norm is {np.linalg.norm(got):.4f}, not max_norm = 1")
    cosine = got @ g / (np.linalg.norm(got) * np.linalg.norm(g))
    require(np.isclose(cosine, 1.0), f"the direction changed (cosine {cosine:.4f}); rescale, do not cut entries")
    small = np.array([0.1, -0.2])
    require(np.allclose(clip(small, 1.0), small), "a gradient already below max_norm must come back unchanged")
    passed("clipping by norm shortens the step and keeps its direction.")


def check_forget_gate_slice(answer):
    """Exercise 4: for torch.nn.LSTM with H = 32, the (start, stop) of the forget gate's entries in bias_ih_l0."""
    H = 32
    if isinstance(answer, slice):
        answer = (answer.start, answer.stop)
    require(isinstance(answer, tuple | list) and len(answer) == 2, f"expected (start, stop), got {answer!r}")
    require(tuple(answer) == (H, 2 * H), f"{tuple(answer)} is not right; PyTorch stacks the gates as (i, f, g, o), "
                                        "H entries each")
    passed("bias_ih_l0[32:64]: the forget gate, the second block of H; a GRU's update gate sits there too.")
