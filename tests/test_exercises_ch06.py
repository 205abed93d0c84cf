import numpy as np
import pytest
from build_it import assert_build_it, message

from seqlearn.exercises import WrongAnswer, ch06
from seqlearn.gradient_flow import hidden_state_jacobians, hidden_state_jacobians_torch
from seqlearn.optim import clip_by_global_norm as package_clip


def gradient_bound(W_hh, nonlinearity, k):
    slope = 0.25 if nonlinearity == "sigmoid" else 1.0
    return (slope * np.linalg.norm(W_hh, ord=2)) ** k


def test_gradient_bound():
    assert_build_it(ch06.check_gradient_bound, gradient_bound, ch06.reference_bound, ch06.BOUND_CASES,
                    ch06.BOUND_MISTAKES)
    with pytest.raises(WrongAnswer, match="expected a function"):
        ch06.check_gradient_bound({"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0})


def test_gradient_bound_holds():
    """The bound is a bound: no product of k step Jacobians of a tanh RNN stretches more."""
    rng = np.random.default_rng(0)
    params = {"W_xh": rng.normal(size=(4, 2)), "W_hh": rng.normal(size=(4, 4)), "b_h": rng.normal(size=4)}
    J = hidden_state_jacobians(rng.normal(size=(8, 5, 2)), None, params)
    for t in range(8):
        assert np.linalg.norm(J[t], ord=2, axis=(-2, -1)).max() <= gradient_bound(params["W_hh"], "tanh", 7 - t)


def steps_until(rate, fraction):
    k = 0
    while rate ** k > fraction:
        k += 1
    return k


def test_steps_until():
    ch06.check_steps_until(steps_until)
    with pytest.raises(WrongAnswer, match="off by one, one step too few"):
        ch06.check_steps_until(lambda rate, fraction: steps_until(rate, fraction) - 1)
    with pytest.raises(WrongAnswer, match="off by one, one step too many"):
        ch06.check_steps_until(lambda rate, fraction: steps_until(rate, fraction) + 1)
    with pytest.raises(WrongAnswer, match="output differs"):
        ch06.check_steps_until(lambda rate, fraction: int(fraction / rate))
    with pytest.raises(WrongAnswer, match="not written yet"):
        ch06.check_steps_until(lambda rate, fraction: (_ for _ in ()).throw(NotImplementedError))
    with pytest.raises(WrongAnswer, match="expected a function"):
        ch06.check_steps_until(44)


def gate_slice(cell, gate, H):
    i = {"lstm": "ifgo", "gru": "rzn"}[cell].index(gate)
    return i * H, (i + 1) * H


def test_gate_slice():
    ch06.check_gate_slice(gate_slice)
    ch06.check_gate_slice(lambda cell, gate, H: slice(*gate_slice(cell, gate, H)))
    for mistake in ch06.GATE_MISTAKES:
        assert mistake.hint in message(ch06.check_gate_slice, mistake.function)
    assert "not written yet" in message(ch06.check_gate_slice, lambda *args: (_ for _ in ()).throw(
        NotImplementedError))
    assert "output[0] differs" in message(ch06.check_gate_slice, lambda cell, gate, H: (5, 7))  # no mistake's
    assert "the result has the parts" in message(ch06.check_gate_slice, lambda cell, gate, H: H)
    with pytest.raises(WrongAnswer, match="expected a function"):
        ch06.check_gate_slice((32, 64))


def test_gate_order_is_pytorchs():
    torch = pytest.importorskip("torch")
    from seqlearn.scratch import GRU_GATES, LSTM_GATES

    assert ch06._ORDER == {"lstm": LSTM_GATES, "gru": GRU_GATES}
    assert {case.make(None)["gate"] for case in ch06.gate_cases(np.random.default_rng())} == {*"ifgorzn"}
    assert "W_ii|W_if|W_ig|W_io" in torch.nn.LSTM.__doc__ and "W_ir|W_iz|W_in" in torch.nn.GRU.__doc__


def clip(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    scale = max_norm / norm if norm > max_norm else 1.0
    return {name: g * scale for name, g in grads.items()}, norm


def test_build_it_clip_by_global_norm():
    assert_build_it(ch06.check_clip_by_global_norm, clip, ch06.reference_clip, ch06.CLIP_CASES,
                    ch06.CLIP_MISTAKES)

    def in_place(grads, max_norm):
        clipped, norm = clip(grads, max_norm)
        for name in grads:
            grads[name][...] = clipped[name]
        return grads, norm

    assert "changes its argument 'grads' in place" in message(ch06.check_clip_by_global_norm, in_place)
    assert "return a pair" in message(ch06.check_clip_by_global_norm, lambda grads, max_norm: grads)
    assert "the wrong way round" in message(ch06.check_clip_by_global_norm, lambda g, m: clip(g, m)[::-1])


def test_clip_reference_is_the_package_and_scales_only_above_max_norm():
    grads = {"a": np.array([3.0, 4.0])}
    assert ch06.reference_clip is not None and package_clip(grads, 10.0)[0]["a"] is not grads["a"]
    small, norm = package_clip(grads, 10.0)
    assert norm == 5.0 and np.array_equal(small["a"], grads["a"])
    big, _ = package_clip(grads, 1.0)
    assert np.isclose(np.linalg.norm(big["a"]), 1.0)


def jacobian_product(h, W_hh, t, nonlinearity):
    J = np.eye(len(W_hh))
    for k in range(t + 1, len(h)):
        slope = 1 - h[k] ** 2 if nonlinearity == "tanh" else (h[k] > 0).astype(float)
        J = (slope[:, None] * W_hh) @ J
    return J


def test_build_it_jacobian_product():
    assert_build_it(ch06.check_jacobian_product, jacobian_product, ch06.reference_jacobian, ch06.JACOBIAN_CASES,
                    ch06.JACOBIAN_MISTAKES)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_jacobian_reference_is_the_packages(nonlinearity):
    """The checker's reference, from the states alone, is gradient_flow's product (itself checked against
    autograd) for every t."""
    rng = np.random.default_rng(1)
    params = {"W_xh": rng.normal(size=(3, 2)), "W_hh": rng.normal(size=(3, 3)), "b_h": rng.normal(size=3)}
    x, h0 = rng.normal(size=(6, 1, 2)), rng.normal(size=(1, 3))
    h = ch06.rnn_forward(x, h0, params, nonlinearity)[0][:, 0]
    J = hidden_state_jacobians(x, h0, params, nonlinearity)[:, 0]
    assert np.allclose(J, hidden_state_jacobians_torch(x, h0, params, nonlinearity)[:, 0], atol=1e-12)
    for t in range(6):
        assert np.allclose(ch06.reference_jacobian(h, params["W_hh"], t, nonlinearity), J[t], atol=1e-12)


def test_jacobian_gradient_check_alone_rejects_a_wrong_product():
    ch06._gradient_check_jacobian(jacobian_product, np.random.default_rng(0))
    with pytest.raises(WrongAnswer, match="fails the finite-difference check"):
        ch06._gradient_check_jacobian(lambda h, W_hh, t, f: jacobian_product(h, W_hh.T, t, f),
                                      np.random.default_rng(0))
