import numpy as np
import pytest

from seqlearn.exercises import WrongAnswer, ch04


def test_shared_gradient():
    ch04.check_shared_gradient(lambda parts: np.sum(parts, axis=0))
    with pytest.raises(WrongAnswer, match="that is the mean"):
        ch04.check_shared_gradient(lambda parts: np.mean(parts, axis=0))
    with pytest.raises(WrongAnswer, match="how does a weight used at every step add up"):
        ch04.check_shared_gradient(lambda parts: parts[-1])


def test_suspect_gradients():
    ch04.check_suspect_gradients({"W_hh", "b_y"})
    with pytest.raises(WrongAnswer, match="is not right"):
        ch04.check_suspect_gradients({"W_hh", "b_y", "W_hy"})
    with pytest.raises(WrongAnswer, match="expected a set of names, got list"):
        ch04.check_suspect_gradients(["W_hh", "b_y"])


def test_truncation():
    ch04.check_truncation({"chunk_starts": [0, 4, 8], "earliest_reached_from_9": 8})
    with pytest.raises(WrongAnswer, match="earliest_reached_from_9 is not right"):
        ch04.check_truncation({"chunk_starts": [0, 4, 8], "earliest_reached_from_9": 6})
    with pytest.raises(WrongAnswer, match="chunk_starts"):
        ch04.check_truncation({"chunk_starts": [0, 3, 6, 9], "earliest_reached_from_9": 8})


def test_tanh_derivative():
    ch04.check_tanh_derivative(lambda h: 1 - h ** 2)
    with pytest.raises(WrongAnswer, match="not right"):
        ch04.check_tanh_derivative(lambda h: 1 - h)
