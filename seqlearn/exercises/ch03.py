"""Checkers for the exercises of chapter 3, The RNN forward pass."""

import numbers

import numpy as np

from seqlearn.exercises import passed, reads_answer, require
from seqlearn.exercises.build import Case, Mistake, check_function
from seqlearn.scratch import rnn_forward, rnn_step_forward

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


@reads_answer
def check_relu_step(h_t):
    """Exercise 2: h_t for STEP with the relu nonlinearity, as an array of shape (1, 3)."""
    want, _, _ = rnn_step_forward(STEP["x_t"], STEP["h_prev"], STEP["params"], "relu")
    h_t = np.asarray(h_t, dtype=float)
    require(h_t.shape == want.shape, f"expected shape (N, H) = {want.shape}, got {h_t.shape}")
    require(np.allclose(h_t, want), f"{h_t} is not right; compute x_t @ W_xh.T + h_prev @ W_hh.T + b_h, then relu")
    passed(f"{want}")


def check_derivative_maxima(answer):
    """Exercise 3: the largest slope of three rescaled nonlinearities, a dict {"sigmoid(2a)": ..,
    "tanh(a/2)": .., "1.7159 tanh(2a/3)": ..} (LeCun's scaled tanh), each derived with the chain rule."""
    want = {"sigmoid(2a)": 0.5, "tanh(a/2)": 0.5, "1.7159 tanh(2a/3)": 1.7159 * 2 / 3}
    require(isinstance(answer, dict) and set(answer) == set(want), f"expected a dict with keys {sorted(want)}")
    for name in want:
        require(isinstance(answer[name], numbers.Real) and not isinstance(answer[name], bool),
                f"{name}: expected a number, got {type(answer[name]).__name__}")
    wrong = [name for name, value in want.items() if not np.isclose(answer[name], value, rtol=1e-3)]
    # Say how many are wrong, not which: the learner derives each one rather than trying values.
    require(not wrong, f"{len(wrong)} of the 3 values are not right; f(c·a) has slope c·f'(c·a), and each f' is "
                       "steepest at a = 0")
    passed("scaling the input scales the slope: only LeCun's tanh has a slope above 1 at 0, so its derivative "
           "factor alone can enlarge a gradient, where plain tanh's factor is at most 1. A step back also "
           "multiplies by W_hh, which can enlarge the gradient whatever the activation.")


@reads_answer
def check_output_shapes(answer):
    """Exercise 4: shapes of `out` and `h_n` from torch.nn.RNN(10, 20, num_layers=3) on x of shape (7, 4, 10)."""
    want = {"out": (7, 4, 20), "h_n": (3, 4, 20)}
    require(isinstance(answer, dict) and set(answer) == set(want), f"expected a dict with keys {sorted(want)}")
    for key, shape in want.items():
        require(tuple(answer[key]) == shape, f"{key}: {tuple(answer[key])} is not right")
    passed("out holds the last layer at every step; h_n holds every layer at the last step.")


# Build-it exercises: the learner writes the layer. Inputs are drawn fresh on every call (see `build`).
def _step_case(N, D, H, nonlinearity):
    def make(rng):
        return {"x_t": rng.normal(size=(N, D)), "h_prev": rng.normal(size=(N, H)),
                "params": {"W_xh": rng.normal(size=(H, D)), "W_hh": rng.normal(size=(H, H)) / 2,
                           "b_h": rng.normal(size=H)},
                "nonlinearity": nonlinearity}
    return Case(f"N={N}, D={D}, H={H}, {nonlinearity}", make)


STEP_CASES = [_step_case(3, 2, 4, "tanh"), _step_case(1, 5, 3, "relu"), _step_case(2, 3, 3, "tanh"),
              _step_case(4, 1, 6, "relu")]


def _pre(x_t, h_prev, p):
    return x_t @ p["W_xh"].T + h_prev @ p["W_hh"].T


def _f(a, nonlinearity):
    return np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)


def reference_step(x_t, h_prev, params, nonlinearity):
    return rnn_step_forward(x_t, h_prev, params, nonlinearity)[0]


STEP_MISTAKES = [
    Mistake("the bias b_h is missing: a = x_t @ W_xh.T + h_prev @ W_hh.T + b_h",
            lambda x_t, h_prev, params, nonlinearity: _f(_pre(x_t, h_prev, params), nonlinearity)),
    Mistake("the nonlinearity argument is ignored: relu must give max(a, 0), tanh np.tanh(a)",
            lambda x_t, h_prev, params, nonlinearity: np.tanh(_pre(x_t, h_prev, params) + params["b_h"])),
    Mistake("the nonlinearity is applied to the input's part only; it acts on the whole sum a",
            lambda x_t, h_prev, params, nonlinearity: _f(x_t @ params["W_xh"].T + params["b_h"], nonlinearity)
            + h_prev @ params["W_hh"].T),
    Mistake("W_hh is used untransposed: with one row per example, h_prev (N, H) times W_hh.T",
            lambda x_t, h_prev, params, nonlinearity: _f(x_t @ params["W_xh"].T + h_prev @ params["W_hh"]
                                                         + params["b_h"], nonlinearity)),
    Mistake("the previous state is left out: the recurrence is what makes h_t depend on the past",
            lambda x_t, h_prev, params, nonlinearity: _f(x_t @ params["W_xh"].T + params["b_h"], nonlinearity)),
]


def check_rnn_step(step):
    """Build-it 1: `step(x_t, h_prev, params, nonlinearity)` -> h_t (N, H), one RNN step."""
    check_function(step, reference_step, STEP_CASES, STEP_MISTAKES, "step")
    passed("h_t = f(x_t @ W_xh.T + h_prev @ W_hh.T + b_h), on every shape and both nonlinearities.")


def _sequence_case(T, N, D, H, nonlinearity):
    def make(rng):
        kwargs = _step_case(N, D, H, nonlinearity).make(rng)
        return {"x": rng.normal(size=(T, N, D)), "h0": kwargs["h_prev"], "params": kwargs["params"],
                "nonlinearity": nonlinearity}
    return Case(f"T={T}, N={N}, D={D}, H={H}, {nonlinearity}", make)


SEQUENCE_CASES = [_sequence_case(5, 3, 2, 4, "tanh"), _sequence_case(1, 2, 3, 3, "tanh"),
                  _sequence_case(4, 1, 2, 5, "relu"), _sequence_case(6, 2, 4, 3, "relu")]


def reference_sequence(x, h0, params, nonlinearity):
    return rnn_forward(x, h0, params, nonlinearity)[0]


def _states(x, h0, params, nonlinearity, carry=True):
    h, out = h0, []
    for x_t in x:
        h_new = reference_step(x_t, h if carry else h0, params, nonlinearity)
        out.append(h_new)
        h = h_new
    return np.stack(out)


SEQUENCE_MISTAKES = [
    Mistake("h0 is not used: the first step starts from the given h0, not from zeros",
            lambda x, h0, params, nonlinearity: _states(x, np.zeros_like(h0), params, nonlinearity)),
    Mistake("the state is not carried: each step must start from the state the previous step produced",
            lambda x, h0, params, nonlinearity: _states(x, h0, params, nonlinearity, carry=False)),
    Mistake("the states are off by one: h[t] is the state AFTER step t, so h0 is not in h and h[-1] is the last",
            lambda x, h0, params, nonlinearity: np.concatenate(
                [h0[None], _states(x, h0, params, nonlinearity)[:-1]])),
    Mistake("only the last state is returned at every step: keep each step's state",
            lambda x, h0, params, nonlinearity: np.broadcast_to(_states(x, h0, params, nonlinearity)[-1],
                                                                (len(x),) + h0.shape).copy()),
]


def check_rnn_sequence(forward):
    """Build-it 2: `forward(x, h0, params, nonlinearity)` -> h (T, N, H), every step's state."""
    check_function(forward, reference_sequence, SEQUENCE_CASES, SEQUENCE_MISTAKES, "forward")
    passed("the same step, chained: each state feeds the next, and h[t] is the state after step t.")
