import numpy as np
import pytest
from build_it import assert_build_it, message, placeholder

from seqlearn.exercises import WrongAnswer, ch07
from seqlearn.scratch import init_gru_params, sigmoid

GRU_NAMES = ch07.GRU_NAMES


def gates(x_t, h_prev, params):
    a = {g: x_t @ params[f"W_x{g}"].T + h_prev @ params[f"W_h{g}"].T + params[f"b_{g}"] for g in "ifgo"}
    return sigmoid(a["i"]), sigmoid(a["f"]), np.tanh(a["g"]), sigmoid(a["o"])


def lstm_step(x_t, h_prev, c_prev, params):
    i, f, g, o = gates(x_t, h_prev, params)
    c_t = f * c_prev + i * g
    return o * np.tanh(c_t), c_t


def lstm_step_backward(dh_t, dc_t, x_t, h_prev, c_prev, params):
    i, f, g, o = gates(x_t, h_prev, params)
    tanh_c = np.tanh(f * c_prev + i * g)
    dc = dc_t + dh_t * o * (1 - tanh_c ** 2)
    da = {"i": dc * g * i * (1 - i), "f": dc * c_prev * f * (1 - f), "g": dc * i * (1 - g ** 2),
          "o": dh_t * tanh_c * o * (1 - o)}
    dx_t, dh_prev, grads = 0, 0, {}
    for gate, d in da.items():
        grads |= {f"W_x{gate}": d.T @ x_t, f"W_h{gate}": d.T @ h_prev, f"b_{gate}": d.sum(axis=0)}
        dx_t = dx_t + d @ params[f"W_x{gate}"]
        dh_prev = dh_prev + d @ params[f"W_h{gate}"]
    return dx_t, dh_prev, dc * f, grads


def gru_step(x_t, h_prev, p):
    r = sigmoid(x_t @ p["W_xr"].T + h_prev @ p["W_hr"].T + p["b_r"])
    z = sigmoid(x_t @ p["W_xz"].T + h_prev @ p["W_hz"].T + p["b_z"])
    n = np.tanh(x_t @ p["W_xn"].T + p["b_xn"] + r * (h_prev @ p["W_hn"].T + p["b_hn"]))
    return (1 - z) * n + z * h_prev


def test_build_it_lstm_step():
    assert_build_it(ch07.check_lstm_step, lstm_step, ch07.reference_lstm_step, ch07.LSTM_STEP_CASES,
                    ch07.LSTM_STEP_MISTAKES)


def test_build_it_lstm_step_backward():
    assert_build_it(ch07.check_lstm_step_backward, lstm_step_backward, ch07.reference_lstm_step_backward,
                    ch07.LSTM_BACKWARD_CASES, ch07.BACKWARD_MISTAKES)


def test_lstm_step_backward_is_gradient_checked():
    """A backward that agrees with the reference on check_function's cases but not elsewhere is caught by the
    finite differences: here one that is right except on the small gradient-check case (N=2, D=3, H=2)."""
    def off_on_the_small_case(dh_t, dc_t, x_t, h_prev, c_prev, params):
        dx_t, dh_prev, dc_prev, grads = lstm_step_backward(dh_t, dc_t, x_t, h_prev, c_prev, params)
        if x_t.shape == (2, 3) and h_prev.shape == (2, 2):
            grads["W_xf"] = 1.01 * grads["W_xf"]
        return dx_t, dh_prev, dc_prev, grads

    assert "finite-difference check: the gradient of W_xf" in message(ch07.check_lstm_step_backward,
                                                                      off_on_the_small_case)


def test_build_it_gru_step():
    assert_build_it(ch07.check_gru_step, gru_step, ch07.reference_gru_step, ch07.GRU_STEP_CASES,
                    ch07.GRU_STEP_MISTAKES)


def test_references_match_the_layers_in_pytorch_layout():
    rng = np.random.default_rng(0)
    kwargs = ch07.LSTM_STEP_CASES[0].make(rng)
    h_t, c_t = ch07.reference_lstm_step(*kwargs.values())
    assert np.allclose(c_t, lstm_step(*kwargs.values())[1]) and np.allclose(h_t, lstm_step(*kwargs.values())[0])
    kwargs = ch07.GRU_STEP_CASES[0].make(rng)
    assert np.allclose(ch07.reference_gru_step(*kwargs.values()), gru_step(*kwargs.values()))


def hidden_size_for(D, budget, cell):
    k = {"rnn": 1, "lstm": 4, "gru": 3}[cell]
    H = 0
    while k * ((H + 1) * D + (H + 1) ** 2 + 2 * (H + 1)) <= budget:
        H += 1
    return H


def one_bias_per_gate(D, budget, cell):
    k = {"rnn": 1, "lstm": 4, "gru": 3}[cell]
    return int((-(D + 1) + np.sqrt((D + 1) ** 2 + 4 * budget / k)) / 2)


def test_hidden_size():
    ch07.check_hidden_size(hidden_size_for)
    ch07.check_hidden_size(lambda D, budget, cell: np.int64(hidden_size_for(D, budget, cell)))
    over = "that layer is over the budget"
    for wrong in (lambda D, budget, cell: hidden_size_for(D, budget, cell) + 1,
                  lambda D, budget, cell: hidden_size_for(D, budget, "rnn")):  # one gate's worth
        assert over in message(ch07.check_hidden_size, wrong)
    # One bias per gate gives H or H + 1, depending on the budget: over a few calls, the checker sees H + 1.
    hints = []
    for _ in range(10):
        try:
            ch07.check_hidden_size(one_bias_per_gate)
        except WrongAnswer as error:
            hints.append(str(error))
    assert hints and all(over in hint for hint in hints)
    assert "a larger H still fits" in message(ch07.check_hidden_size,
                                              lambda D, budget, cell: max(hidden_size_for(D, budget, cell) - 1, 0))
    assert "expected an integer" in message(ch07.check_hidden_size, lambda D, budget, cell: 3.5)
    assert "not written yet" in message(ch07.check_hidden_size, placeholder)
    assert "expected a function" in message(ch07.check_hidden_size, None)


def test_hidden_size_reference_agrees_with_torch():
    torch = pytest.importorskip("torch")
    modules = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
    for cell, module in modules.items():
        for D, H in ((1, 1), (16, 96), (7, 33)):
            count = sum(p.numel() for p in module(D, H, device="meta").parameters())
            assert ch07.torch_parameter_count(cell, D, H) == count
            assert ch07.reference_hidden_size(D, count, cell) == H
            assert ch07.reference_hidden_size(D, count - 1, cell) == H - 1


def test_forget_bias():
    def forget_bias_for(delay, keep):
        f = keep ** (1 / delay)
        return np.log(f / (1 - f))

    ch07.check_forget_bias(forget_bias_for)
    with pytest.raises(WrongAnswer, match="once per step"):
        ch07.check_forget_bias(lambda delay, keep: np.log(keep / (1 - keep)))  # forgets the delay
    with pytest.raises(WrongAnswer, match="once per step"):
        ch07.check_forget_bias(lambda delay, keep: 5.0)
    with pytest.raises(WrongAnswer, match="expected a number"):
        ch07.check_forget_bias(lambda delay, keep: None)
    with pytest.raises(WrongAnswer, match="not written yet"):
        ch07.check_forget_bias(placeholder)
    with pytest.raises(WrongAnswer, match="expected a function"):
        ch07.check_forget_bias(None)


def test_ng_update_gate():
    def ng_update_gate(params):
        return {"W_xu": -params["W_xz"], "W_hu": -params["W_hz"], "b_u": -params["b_z"]}

    assert_build_it(ch07.check_ng_update_gate, ng_update_gate, ch07.reference_ng_update_gate, ch07.NG_CASES,
                    ch07.NG_MISTAKES)


def test_ng_update_gate_is_one_minus_z():
    """What exercise 6 claims: with the reference's parameters, Γ_u = 1 - z and Ng's update gives PyTorch's h_t."""
    rng = np.random.default_rng(1)
    p = init_gru_params(3, 4, rng)
    x_t, h_prev = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    u = ch07.reference_ng_update_gate(p)
    gamma_u = sigmoid(x_t @ u["W_xu"].T + h_prev @ u["W_hu"].T + u["b_u"])
    z = sigmoid(x_t @ p["W_xz"].T + h_prev @ p["W_hz"].T + p["b_z"])
    assert np.allclose(gamma_u, 1 - z)
    n = np.tanh(x_t @ p["W_xn"].T + p["b_xn"] + sigmoid(x_t @ p["W_xr"].T + h_prev @ p["W_hr"].T + p["b_r"])
                * (h_prev @ p["W_hn"].T + p["b_hn"]))
    assert np.allclose(gamma_u * n + (1 - gamma_u) * h_prev, gru_step(x_t, h_prev, p))


def test_gru_names_are_the_packages():
    assert set(GRU_NAMES) == set(init_gru_params(2, 3, np.random.default_rng(0)))
