"""Checkers for the exercises of chapter 3, The RNN forward pass."""

import numpy as np

from seqlearn.exercises import passed, require
from seqlearn.scratch import rnn_step_forward

# Exercise 2's small network, in the course's batched layout (one example, so N = 1).
STEP = {
    "x_t": np.array([[1.0, -1.0]]),
    "h_prev": np.array([[0.5, 0.0, -0.5]]),
    "params": {
        "W_xh": np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
        "W_hh": np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]),
        "b_h": np.array([0.0, 0.5, -0.5]),
    },
}


def check_parameter_count(answer):
    """Exercise 1: parameters of torch.nn.RNN(input_size=28, hidden_size=256, num_layers=2)."""
    D, H = 28, 256
    want = (H * D + H * H + 2 * H) + (H * H + H * H + 2 * H)
    require(isinstance(answer, int | np.integer), f"expected an int, got {type(answer).__name__}")
    require(answer == want, f"{answer} is not right: what does layer 2 read as its input? And count both biases.")
    passed(f"{want:,}: layer 1 reads the 28 inputs, layer 2 reads layer 1's 256 states.")


def check_relu_step(h_t):
    """Exercise 2: h_t for STEP with the relu nonlinearity, as an array of shape (1, 3)."""
    want, _, _ = rnn_step_forward(STEP["x_t"], STEP["h_prev"], STEP["params"], "relu")
    h_t = np.asarray(h_t, dtype=float)
    require(h_t.shape == want.shape, f"expected shape (N, H) = {want.shape}, got {h_t.shape}")
    require(np.allclose(h_t, want), f"{h_t} is not right; compute x_t @ W_xh.T + h_prev @ W_hh.T + b_h, then relu")
    passed(f"{want}")


def check_derivative_maxima(answer):
    """Exercise 3: the largest value of the derivative of "sigmoid", "tanh" and "relu" (a dict)."""
    want = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}
    require(isinstance(answer, dict) and set(answer) == set(want), f"expected a dict with keys {sorted(want)}")
    for name, value in want.items():
        require(np.isclose(answer[name], value), f"{name}: {answer[name]} is not right; where is its slope steepest?")
    passed("a sigmoid shrinks every gradient by at least 4x per step; tanh and relu can pass it on whole.")


def check_output_shapes(answer):
    """Exercise 4: shapes of `out` and `h_n` from torch.nn.RNN(10, 20, num_layers=3) on x of shape (7, 4, 10)."""
    want = {"out": (7, 4, 20), "h_n": (3, 4, 20)}
    require(isinstance(answer, dict) and set(answer) == set(want), f"expected a dict with keys {sorted(want)}")
    for key, shape in want.items():
        require(tuple(answer[key]) == shape, f"{key}: {tuple(answer[key])} is not right")
    passed("out holds the last layer at every step; h_n holds every layer at the last step.")
