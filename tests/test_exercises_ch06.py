import numpy as np
import pytest

from seqlearn.exercises import WrongAnswer, ch06


def test_max_derivatives():
    ch06.check_max_derivatives({"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0})
    with pytest.raises(WrongAnswer, match="sigmoid: 0.5 is not right"):
        ch06.check_max_derivatives({"sigmoid": 0.5, "tanh": 1.0, "relu": 1.0})  # sigmoid(0), not its slope
    with pytest.raises(WrongAnswer, match="expected a dict with keys"):
        ch06.check_max_derivatives({"sigmoid": 0.25, "tanh": 1.0})


def steps_until(rate, fraction):
    k = 0
    while rate ** k > fraction:
        k += 1
    return k


def test_steps_until():
    ch06.check_steps_until(steps_until)
    with pytest.raises(WrongAnswer, match="is off by one"):
        ch06.check_steps_until(lambda rate, fraction: steps_until(rate, fraction) - 1)
    with pytest.raises(WrongAnswer, match="is not right"):
        ch06.check_steps_until(lambda rate, fraction: int(fraction / rate))
    with pytest.raises(WrongAnswer, match="expected a function"):
        ch06.check_steps_until(44)


def clip_by_norm(g, max_norm):
    norm = np.linalg.norm(g)
    return g * (max_norm / norm) if norm > max_norm else g.copy()


def test_clip_by_norm():
    ch06.check_clip_by_norm(clip_by_norm)
    with pytest.raises(WrongAnswer, match="the direction changed"):
        ch06.check_clip_by_norm(lambda g, m: np.clip(g, -m, m) / np.linalg.norm(np.clip(g, -m, m)))
    with pytest.raises(WrongAnswer, match="not max_norm"):
        ch06.check_clip_by_norm(lambda g, m: np.clip(g, -m, m))  # clipping by value

    def in_place(g, m):
        g *= m / np.linalg.norm(g)
        return g

    with pytest.raises(WrongAnswer, match="in place"):
        ch06.check_clip_by_norm(in_place)
    with pytest.raises(WrongAnswer, match="must come back unchanged"):
        ch06.check_clip_by_norm(lambda g, m: g * (m / np.linalg.norm(g)))  # always rescales, also small ones


def test_forget_gate_slice():
    ch06.check_forget_gate_slice((32, 64))
    ch06.check_forget_gate_slice(slice(32, 64))
    with pytest.raises(WrongAnswer, match="is not right"):
        ch06.check_forget_gate_slice((0, 32))  # the input gate
    with pytest.raises(WrongAnswer, match="expected"):
        ch06.check_forget_gate_slice(32)
