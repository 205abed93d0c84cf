import numpy as np
import pytest

from seqlearn.exercises import WrongAnswer, ch07


def test_lstm_parameter_count():
    ch07.check_lstm_parameter_count(lambda D, H: 4 * (H * D + H * H + 2 * H))
    with pytest.raises(WrongAnswer, match="one bias per gate"):
        ch07.check_lstm_parameter_count(lambda D, H: 4 * (H * D + H * H + H))
    with pytest.raises(WrongAnswer, match="is not right"):
        ch07.check_lstm_parameter_count(lambda D, H: 3 * (H * D + H * H + 2 * H))  # a GRU's count
    with pytest.raises(WrongAnswer, match="expected a function"):
        ch07.check_lstm_parameter_count(4 * (16 * 96 + 96 * 96 + 2 * 96))


def test_forget_bias():
    def forget_bias_for(delay, keep):
        f = keep ** (1 / delay)
        return np.log(f / (1 - f))

    ch07.check_forget_bias(forget_bias_for)
    with pytest.raises(WrongAnswer, match="once per step"):
        ch07.check_forget_bias(lambda delay, keep: np.log(keep / (1 - keep)))  # forgets the delay
    with pytest.raises(WrongAnswer, match="once per step"):
        ch07.check_forget_bias(lambda delay, keep: 5.0)


def test_ng_update():
    ch07.check_ng_update(lambda g, c_tilde, c_prev: g * c_tilde + (1 - g) * c_prev)
    with pytest.raises(WrongAnswer, match="PyTorch's convention"):
        ch07.check_ng_update(lambda g, c_tilde, c_prev: g * c_prev + (1 - g) * c_tilde)
    with pytest.raises(WrongAnswer, match="not right"):
        ch07.check_ng_update(lambda g, c_tilde, c_prev: g * c_tilde + c_prev)


def test_original_candidate():
    def original(x_t, h_prev, r, p):
        return np.tanh(x_t @ p["W_xn"].T + p["b_xn"] + (r * h_prev) @ p["W_hn"].T + p["b_hn"])

    def pytorch(x_t, h_prev, r, p):
        return np.tanh(x_t @ p["W_xn"].T + p["b_xn"] + r * (h_prev @ p["W_hn"].T + p["b_hn"]))

    ch07.check_original_candidate(original)
    with pytest.raises(WrongAnswer, match="PyTorch's variant"):
        ch07.check_original_candidate(pytorch)
    with pytest.raises(WrongAnswer, match="not right"):
        ch07.check_original_candidate(lambda x_t, h_prev, r, p: np.tanh(x_t @ p["W_xn"].T + h_prev @ p["W_hn"].T))
