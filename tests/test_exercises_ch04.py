import numpy as np
import pytest
from build_it import assert_build_it, message

from seqlearn.exercises import WrongAnswer, ch04
from seqlearn.exercises.build import difference


def summed_gradient(grad_of_mean, mask):
    return grad_of_mean * mask.sum()


def test_summed_gradient():
    assert_build_it(ch04.check_summed_gradient, summed_gradient, ch04.reference_summed_gradient,
                    ch04.MEAN_CASES, ch04.MEAN_MISTAKES)


def test_suspect_gradients():
    ch04.check_suspect_gradients({"W_hh", "b_y"})
    with pytest.raises(WrongAnswer, match="is not right"):
        ch04.check_suspect_gradients({"W_hh", "b_y", "W_hy"})
    with pytest.raises(WrongAnswer, match="expected a set of names, got list"):
        ch04.check_suspect_gradients(["W_hh", "b_y"])


def truncated_reach(T, k, t):
    return list(range(0, T, k)), t // k * k


def test_truncation():
    ch04.check_truncation(truncated_reach)
    ch04.check_truncation(lambda T, k, t: (np.arange(0, T, k), np.int64(t - t % k)))  # any sequence of ints
    ch04.check_truncation(lambda T, k, t: (range(0, T, k), t // k * k))
    for mistake in ch04.REACH_MISTAKES:
        assert mistake.hint in message(ch04.check_truncation, mistake.function)
    assert "not written yet" in message(ch04.check_truncation, lambda T, k, t: (_ for _ in ()).throw(
        NotImplementedError))
    assert "output[0] has shape" in message(ch04.check_truncation, lambda T, k, t: (list(range(0, T + k, k)), t))
    assert "output[1] differs" in message(ch04.check_truncation, lambda T, k, t: (list(range(0, T, k)), -1))
    assert "return a pair" in message(ch04.check_truncation, lambda T, k, t: t - t % k)
    with pytest.raises(WrongAnswer, match="expected a function"):
        ch04.check_truncation({"chunk_starts": [0, 4, 8], "earliest_reached_from_9": 8})
    with pytest.raises(WrongAnswer, match="expected a function"):
        ch04.check_truncation(None)


def test_truncation_cases_are_of_their_kind():
    for seed in range(50):
        draws = [tuple(case.make(np.random.default_rng(seed)).values()) for case in ch04.REACH_CASES]
        assert all(0 <= t < T for T, k, t in draws)
        inside, start, first, one, whole = draws
        T, k, t = inside
        assert t >= k and t % k not in (0, k - 1)  # a window of k steps and the chunk's start differ here
        T, k, t = start
        assert t > 0 and t % k == 0
        assert first[2] < first[1] and one[1] == 1 and whole[1] >= whole[0]


def test_sigmoid_derivative():
    assert_build_it(ch04.check_sigmoid_derivative, lambda s: s * (1 - s), ch04.reference_sigmoid_derivative,
                    ch04.SIGMOID_CASES, ch04.SIGMOID_MISTAKES)
    with pytest.raises(WrongAnswer, match="expected a function"):
        ch04.check_sigmoid_derivative(None)


def rnn_step_backward(dh_t, x_t, h_prev, h_t, params, nonlinearity):
    da = dh_t * (1 - h_t ** 2 if nonlinearity == "tanh" else (h_t > 0))
    grads = {"W_xh": da.T @ x_t, "W_hh": da.T @ h_prev, "b_h": da.sum(axis=0)}
    return da @ params["W_xh"], da @ params["W_hh"], grads


def test_build_it_step_backward():
    assert_build_it(ch04.check_rnn_step_backward, rnn_step_backward, ch04.reference_step_backward,
                    ch04.STEP_BACKWARD_CASES, ch04.STEP_BACKWARD_MISTAKES)


def rnn_backward(dh, x, h0, h, params, nonlinearity, truncate):
    dx, dh_next = np.zeros_like(x), np.zeros_like(h0)
    grads = {name: np.zeros_like(p) for name, p in params.items()}
    for t in reversed(range(len(x))):
        h_prev = h[t - 1] if t > 0 else h0
        dx[t], dh_next, step = rnn_step_backward(dh[t] + dh_next, x[t], h_prev, h[t], params, nonlinearity)
        for name in grads:
            grads[name] += step[name]
        if truncate is not None and t % truncate == 0:
            dh_next = np.zeros_like(h0) if t > 0 else dh_next
    return dx, dh_next, grads


def test_build_it_backward():
    assert_build_it(ch04.check_rnn_backward, rnn_backward, ch04.reference_backward, ch04.BACKWARD_CASES,
                    ch04.BACKWARD_MISTAKES)


def test_the_correct_mistake_helpers_are_the_reference():
    """The catalogue's BPTT, with no mistake switched on, is the package's: so each mistake is one change."""
    rng = np.random.default_rng(0)
    for case in ch04.BACKWARD_CASES:
        kwargs = case.make(rng)
        got, want = ch04._bptt(*kwargs.values()), ch04.reference_backward(*kwargs.values())
        assert difference(got, want) is None, case.label
    for case in ch04.STEP_BACKWARD_CASES:
        kwargs = case.make(rng)
        got = ch04._step(*kwargs.values())
        assert difference(got, ch04.reference_step_backward(*kwargs.values())) is None, case.label


def test_the_gradient_check_alone_rejects_a_wrong_backward():
    def no_truncation(dh, x, h0, h, params, nonlinearity, truncate):
        return rnn_backward(dh, x, h0, h, params, nonlinearity, None)

    for truncate in (None, 2):
        ch04._gradient_check(rnn_backward, 4, truncate, "rnn_backward")
    with pytest.raises(WrongAnswer, match="rnn_backward fails the finite-difference check"):
        ch04._gradient_check(no_truncation, 4, 2, "rnn_backward")
    with pytest.raises(WrongAnswer, match="the gradient of h_prev is off"):
        ch04._gradient_check(lambda dh, x, h0, h, params, f, _: (lambda dx, dh_prev, g: (dx, 2 * dh_prev, g))(
            *rnn_step_backward(dh[0], x[0], h0, h[0], params, f)), 1, None, "rnn_step_backward", ("x_t", "h_prev"))
