import numpy as np
import pytest

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
    ch03.check_derivative_maxima({"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0})
    with pytest.raises(WrongAnswer, match="sigmoid: 1.0 is not right"):
        ch03.check_derivative_maxima({"sigmoid": 1.0, "tanh": 1.0, "relu": 1.0})


def test_output_shapes():
    ch03.check_output_shapes({"out": (7, 4, 20), "h_n": (3, 4, 20)})
    with pytest.raises(WrongAnswer, match=r"h_n: \(1, 4, 20\) is not right"):
        ch03.check_output_shapes({"out": (7, 4, 20), "h_n": (1, 4, 20)})
