import numpy as np
import pytest
from build_it import assert_build_it

from seqlearn.exercises import WrongAnswer, ch03


def test_parameter_count():
    ch03.check_parameter_count((256 * 28 + 256 * 256 + 512) + (2 * 256 * 256 + 512))  # 204,800 by hand
    assert (256 * 28 + 256 * 256 + 512) + (2 * 256 * 256 + 512) == 204_800
    with pytest.raises(WrongAnswer, match="what does layer 2 read"):
        ch03.check_parameter_count(2 * (256 * 28 + 256 * 256 + 512))  # layer 2 reading 28 inputs


def test_relu_step():
    # a = [1, -1] @ W_xh.T + [0.5, 0, -0.5] @ W_hh.T + b = [1, -1, 0] + [0, -0.5, 0.5] + [0, 0.5, -0.5]
    ch03.check_relu_step(np.array([[1.0, 0.0, 0.0]]))
    with pytest.raises(WrongAnswer, match="is not right"):
        ch03.check_relu_step(np.array([[1.0, -1.0, 0.0]]))  # forgot the relu
    with pytest.raises(WrongAnswer, match=r"expected shape \(N, H\) = \(1, 3\)"):
        ch03.check_relu_step(np.array([1.0, 0.0, 0.0]))


def test_derivative_maxima():
    right = {"sigmoid(2a)": 0.5, "tanh(a/2)": 0.5, "1.7159 tanh(2a/3)": 1.1439}
    ch03.check_derivative_maxima(right)
    with pytest.raises(WrongAnswer, match="1 of the 3 values are not right") as error:
        ch03.check_derivative_maxima({**right, "tanh(a/2)": 1.0})  # the slope of tanh itself
    assert "tanh(a/2)" not in str(error.value)  # how many, not which: no trial and error
    with pytest.raises(WrongAnswer, match="expected a number, got str"):
        ch03.check_derivative_maxima({**right, "sigmoid(2a)": "0.5"})
    with pytest.raises(WrongAnswer, match="expected a dict with keys"):
        ch03.check_derivative_maxima({"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0})


def test_output_shapes():
    ch03.check_output_shapes({"out": (7, 4, 20), "h_n": (3, 4, 20)})
    with pytest.raises(WrongAnswer, match=r"h_n: \(1, 4, 20\) is not right"):
        ch03.check_output_shapes({"out": (7, 4, 20), "h_n": (1, 4, 20)})


def test_build_it_step():
    def step(x_t, h_prev, params, nonlinearity):
        a = x_t @ params["W_xh"].T + h_prev @ params["W_hh"].T + params["b_h"]
        return np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)

    assert_build_it(ch03.check_rnn_step, step, ch03.reference_step, ch03.STEP_CASES, ch03.STEP_MISTAKES)


def test_build_it_sequence():
    def forward(x, h0, params, nonlinearity):
        h, out = h0, []
        for x_t in x:
            a = x_t @ params["W_xh"].T + h @ params["W_hh"].T + params["b_h"]
            h = np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)
            out.append(h)
        return np.stack(out)

    assert_build_it(ch03.check_rnn_sequence, forward, ch03.reference_sequence, ch03.SEQUENCE_CASES,
                    ch03.SEQUENCE_MISTAKES)
