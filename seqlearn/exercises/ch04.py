"""Checkers for the exercises of chapter 4, Backpropagation through time: functions run on fresh inputs (`build`);
5 and 6 are backward passes, compared with the package's and checked by finite differences (`seqlearn.gradcheck`)."""

from functools import partial

import numpy as np

from seqlearn.exercises import passed, require
from seqlearn.exercises.build import Case, Mistake, call, check_function, check_gradients
from seqlearn.scratch import rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward
from seqlearn.scratch.rnn import activation_derivative


# Exercise 1: from the gradient of a mean over the real tokens of a padded batch to that of their sum.
def _mean_case(shape, T, N, padded):
    def make(rng):  # padded: the last sequence is shorter than T and (N > 1) the first is T long, as in a batch
        lengths = np.r_[T, rng.integers(1, T + 1, max(N - 2, 0)), rng.integers(1, T)][-N:] if padded else [T] * N
        return {"grad_of_mean": rng.normal(size=shape), "mask": np.arange(T)[:, None] < np.asarray(lengths)}
    return Case(f"a {shape} gradient, a ({T}, {N}) mask{' with padding' if padded else ', no padding'}", make)


MEAN_CASES = [_mean_case((4, 4), 6, 3, True), _mean_case((3,), 5, 2, True), _mean_case((2, 5), 4, 1, False),
              _mean_case((5, 2), 9, 4, True)]


def reference_summed_gradient(grad_of_mean, mask):
    return grad_of_mean * np.count_nonzero(mask)


MEAN_MISTAKES = [
    Mistake("the padded positions are counted too: the mean was taken over the real tokens only",
            lambda grad_of_mean, mask: grad_of_mean * mask.size),
    Mistake("that divides by the count: the mean is the sum divided by the count, so its gradient is too",
            lambda grad_of_mean, mask: grad_of_mean / np.count_nonzero(mask)),
    Mistake("the gradient came back unchanged: the two losses differ by a constant factor, so their gradients do",
            lambda grad_of_mean, mask: grad_of_mean.copy()),
]


def check_summed_gradient(summed_gradient):
    """Exercise 1: `summed_gradient(grad_of_mean, mask)` -> the gradient of the summed loss, from the gradient of
    the loss averaged over the real (unpadded) positions of a batch; mask (T, N) is True at real tokens."""
    check_function(summed_gradient, reference_summed_gradient, MEAN_CASES, MEAN_MISTAKES, "summed_gradient")
    passed("a mean over the real tokens is their sum divided by how many there are; so is its gradient.")


def check_suspect_gradients(answer):
    """Exercise 2: from a gradient-check report {name: max relative error} in float64, the set of suspects."""
    report = {"W_xh": 2.1e-9, "W_hh": 3.4e-2, "b_h": 8.0e-11, "W_hy": 1.2e-8, "b_y": 0.5}
    want = {name for name, err in report.items() if err > 1e-6}
    require(isinstance(answer, set), f"expected a set of names, got {type(answer).__name__}")
    require(answer == want, f"{sorted(answer)} is not right; in float64 a correct gradient is around 1e-8 or below")
    passed(f"{sorted(want)}: errors of 1e-2 and more are bugs, 1e-8 and less are rounding.")


# Exercise 3: which steps a loss reaches under truncated BPTT. Each case draws (T, k, t) of one kind.
def _reach_case(label, draw):
    def make(rng):
        k = int(rng.integers(3, 6))
        T = int(k * rng.integers(2, 4) + rng.integers(0, k))
        k, t = draw(rng, T, k)
        return {"T": T, "k": int(k), "t": int(t)}
    return Case(label, make)


REACH_CASES = [  # t inside a chunk but not at its ends, where a window of k steps would reach the chunk's start
    _reach_case("t inside a later chunk", lambda rng, T, k: (k, k * rng.integers(1, T // k) + rng.integers(1, k - 1))),
    _reach_case("t at a later chunk's first step", lambda rng, T, k: (k, k * rng.integers(1, (T - 1) // k + 1))),
    _reach_case("t in the first chunk", lambda rng, T, k: (k, rng.integers(0, k))),
    _reach_case("k = 1", lambda rng, T, k: (1, rng.integers(1, T))),
    _reach_case("k >= T, one chunk", lambda rng, T, k: (T + rng.integers(0, 3), T - 1)),
]


def reference_reach(T, k, t):
    return np.arange(0, T, k), t - t % k


REACH_MISTAKES = [
    Mistake("the loss at t does not reach back k steps: it reaches the first step of its own chunk, wherever t sits",
            lambda T, k, t: (np.arange(0, T, k), max(t - k + 1, 0))),
    Mistake("that is full BPTT: with truncation, no gradient crosses into an earlier chunk",
            lambda T, k, t: (np.arange(0, T, k), 0)),
    Mistake("the chunk's first step is left out: the cut comes before a chunk's start, so its first step still "
            "receives gradient", lambda T, k, t: (np.arange(0, T, k), min(t - t % k + 1, t))),
]


def check_truncation(truncated_reach):
    """Exercise 3: `truncated_reach(T, k, t)` -> (the steps at which chunks start, the earliest step that the
    loss at step t sends gradient to), for T steps and truncate=k."""
    require(callable(truncated_reach), f"expected a function, got {type(truncated_reach).__name__}")

    def as_pair(T, k, t):  # the chunk starts may come in any sequence
        out = truncated_reach(T, k, t)
        require(isinstance(out, tuple | list) and len(out) == 2 and not np.isscalar(out[0]),
                "return a pair (chunk_starts, earliest): a sequence of steps, then one step")
        return np.asarray(list(out[0])), out[1]
    check_function(as_pair, reference_reach, REACH_CASES, REACH_MISTAKES, "truncated_reach")
    passed("each loss sends gradient back only to the first step of its own chunk.")


# Exercise 4: sigmoid's derivative from its output.
SIGMOID_CASES = [Case(f"s of shape {shape}", lambda rng, shape=shape: {"s": 1 / (1 + np.exp(-3 * rng.normal(
    size=shape)))}) for shape in ((13,), (3, 4), (1,), (2, 3, 2))]


def reference_sigmoid_derivative(s):
    return s * (1 - s)


SIGMOID_MISTAKES = [
    Mistake("that is tanh's derivative, 1 - tanh(a)**2: differentiate 1 / (1 + exp(-a)) itself", lambda s: 1 - s ** 2),
    Mistake("that is the derivative evaluated at s: s is already sigmoid(a), so write sigmoid'(a) in terms of s",
            lambda s: reference_sigmoid_derivative(1 / (1 + np.exp(-s)))),
    Mistake("one factor is missing: the derivative is a product of two terms in s", lambda s: 1 - s),
]


def check_sigmoid_derivative(sigmoid_derivative):
    """Exercise 4: `sigmoid_derivative(s)` -> sigmoid'(a) computed from the output s = sigmoid(a) alone."""
    check_function(sigmoid_derivative, reference_sigmoid_derivative, SIGMOID_CASES, SIGMOID_MISTAKES,
                   "sigmoid_derivative")
    passed("s * (1 - s): like tanh's, the gate's derivative comes from what the forward pass stored.")


# Exercises 5 and 6 (build it): one step's backward pass from explicit inputs instead of a cache, then BPTT.
def _case(T, N, D, H, nonlinearity, truncate="step"):  # h both > 0 and <= 0 somewhere, so each mistake shows
    def make(rng):
        while True:
            x, h0 = rng.normal(size=(T, N, D)), rng.normal(size=(N, H))
            params = {"W_xh": rng.normal(size=(H, D)), "W_hh": rng.normal(size=(H, H)) / 2, "b_h": rng.normal(size=H)}
            h, dh = rnn_forward(x, h0, params, nonlinearity)[0], rng.normal(size=(T, N, H))
            if 0 < np.mean(h > 0) < 1:
                break
        if truncate == "step":  # one step: exercise 5's arguments
            return dict(dh_t=dh[0], x_t=x[0], h_prev=h0, h_t=h[0], params=params, nonlinearity=nonlinearity)
        return dict(dh=dh, x=x, h0=h0, h=h, params=params, nonlinearity=nonlinearity, truncate=truncate)
    return Case(f"N={N}, D={D}, H={H}, {nonlinearity}" if truncate == "step" else
                f"T={T}, N={N}, D={D}, H={H}, {nonlinearity}, truncate={truncate}", make)


STEP_BACKWARD_CASES = [_case(1, 3, 2, 4, "tanh"), _case(1, 1, 5, 3, "relu"), _case(1, 2, 3, 3, "tanh"),
                       _case(1, 4, 1, 6, "relu"), _case(1, 1, 4, 2, "tanh")]
BACKWARD_CASES = [_case(5, 3, 2, 4, "tanh", None), _case(1, 2, 3, 3, "tanh", None), _case(4, 1, 2, 5, "relu", None),
                  _case(7, 2, 3, 4, "tanh", 3), _case(6, 2, 4, 3, "relu", 2), _case(3, 2, 2, 3, "tanh", 5),
                  _case(5, 1, 3, 2, "tanh", 1)]


def reference_step_backward(dh_t, x_t, h_prev, h_t, params, nonlinearity):
    return rnn_step_backward(dh_t, rnn_step_forward(x_t, h_prev, params, nonlinearity)[2])


def reference_backward(dh, x, h0, h, params, nonlinearity, truncate):
    return rnn_backward(dh, rnn_forward(x, h0, params, nonlinearity, truncate=truncate)[2])


def _step(dh_t, x_t, h_prev, h_t, params, nonlinearity, slope=activation_derivative, transposed=False, bias=np.sum,
          back=None):
    """One step back, right with the defaults; each keyword makes one of the catalogued mistakes."""
    da = dh_t * slope(h_t, nonlinearity)
    grads = {"W_xh": x_t.T @ da, "W_hh": h_prev.T @ da} if transposed else {"W_xh": da.T @ x_t, "W_hh": da.T @ h_prev}
    W_back = params["W_hh"] if back is None else back(params["W_hh"])
    return da @ params["W_xh"], da @ W_back, grads | {"b_h": bias(da, axis=0)}


STEP_BACKWARD_MISTAKES = [
    Mistake("the activation's derivative is missing: go back through f first, multiplying dh_t by f'(a)",
            partial(_step, slope=lambda h, f: np.ones_like(h))),
    Mistake("tanh's derivative is taken at h, as 1 - tanh(h)**2: h is already tanh(a), so write tanh'(a) in terms "
            "of h", partial(_step, slope=lambda h, f: activation_derivative(np.tanh(h) if f == "tanh" else h, f))),
    Mistake("relu's derivative is used for tanh: read the nonlinearity argument",
            partial(_step, slope=lambda h, f: activation_derivative(h, "relu"))),
    Mistake("the weight gradients are transposed: each has the shape of its weight, W_xh (H, D) and W_hh (H, H)",
            partial(_step, transposed=True)),
    Mistake("the bias gradient is averaged over the batch: the loss sums over the examples, so sum over them",
            partial(_step, bias=np.mean)),
    Mistake("dh_prev goes back through W_hh.T: the forward multiplied h_prev by W_hh.T, so the way back multiplies "
            "by W_hh", partial(_step, back=np.transpose)),
]


def _bptt(dh, x, h0, h, params, nonlinearity, truncate, mean=False, carry=True, cut_after=False, keep_dh0=True):
    """BPTT, right with the defaults, like `_step`."""
    dx, grads, carried = np.empty_like(x), {name: 0 for name in params}, np.zeros_like(h0)
    for t in reversed(range(len(x))):
        if truncate and cut_after and t + 1 < len(x) and t % truncate == 0:
            carried = np.zeros_like(h0)  # cut between step t and t+1: after a chunk's first step, not before it
        dx[t], carried, step_grads = _step(dh[t] + carried * carry, x[t], h[t - 1] if t else h0, h[t], params,
                                           nonlinearity)
        grads = {name: grads[name] + step_grads[name] / (len(x) if mean else 1) for name in grads}
        if truncate and not cut_after and t > 0 and t % truncate == 0:
            carried = np.zeros_like(h0)
    return dx, carried * keep_dh0, grads


BACKWARD_MISTAKES = [
    Mistake("the weight gradients are averaged over time: a weight used at every step gets the sum of its per-step "
            "gradients", partial(_bptt, mean=True)),
    Mistake("each step gets only its own dh[t]: the gradient on h[t] also includes what flows back from step t+1 "
            "(that step's dh_prev)", partial(_bptt, carry=False)),
    Mistake("the truncation cuts at the wrong boundary: chunks are [0, k), [k, 2k), ..., and the cut comes before "
            "each chunk's first step, not after it", partial(_bptt, cut_after=True)),
    Mistake("truncate is ignored: with truncate=k no gradient flows from a chunk's first step into the step before it",
            lambda *args: _bptt(*args[:-1], None)),
    Mistake("dh0 is zeros: return the gradient that flows out of the first step into h0",
            partial(_bptt, keep_dh0=False)),
]


def _gradient_check(backward, T, truncate, what, names=("x", "h0")):
    """Finite differences through the forward (with truncation, of section 6's surrogate) on a tiny tanh sequence
    where no gradient entry is so small that its finite difference would be mostly rounding."""
    rng, case = np.random.default_rng(), _case(T, 2, 2, 2, "tanh", truncate)
    while True:
        kwargs = case.make(rng)
        dx, dh0, grads = reference_backward(*kwargs.values())
        if min(np.abs(g).min() for g in (dx, dh0, *grads.values())) > 1e-2:
            break
    dh, x, h0, h, params, _, _ = kwargs.values()
    k = truncate or T
    starts = {s: h[s - 1].copy() for s in range(k, T, k)}  # computed once, before any nudge

    def loss():
        return sum((dh[s:s + k] * rnn_forward(x[s:s + k], starts.get(s, h0), params, "tanh")[0]).sum()
                   for s in range(0, T, k))

    dx, dh0, grads = call(backward, kwargs, what)
    check_gradients(loss, {names[0]: x, names[1]: h0, **params}, {names[0]: np.asarray(dx, float).reshape(
        x.shape), names[1]: np.asarray(dh0, float), **{n: np.asarray(grads[n], float) for n in params}}, what)


def check_rnn_step_backward(step_backward):
    """Exercise 5 (build it): `rnn_step_backward(dh_t, x_t, h_prev, h_t, params, nonlinearity)` -> dx_t (N, D),
    dh_prev (N, H), grads {"W_xh": (H, D), "W_hh": (H, H), "b_h": (H,)}: one step's backward pass."""
    check_function(step_backward, reference_step_backward, STEP_BACKWARD_CASES, STEP_BACKWARD_MISTAKES,
                   "rnn_step_backward")
    _gradient_check(lambda dh, x, h0, h, params, f, _: step_backward(dh[0], x[0], h0, h[0], params, f), 1, None,
                    "rnn_step_backward", ("x_t", "h_prev"))
    passed("back through f (f'(a) from h_t), then through the three products; finite differences agree.")


def check_rnn_backward(backward):
    """Exercise 6 (build it): `rnn_backward(dh, x, h0, h, params, nonlinearity, truncate)` -> dx (T, N, D),
    dh0 (N, H), grads {"W_xh", "W_hh", "b_h"}: BPTT, cut every `truncate` steps (None: never)."""
    check_function(backward, reference_backward, BACKWARD_CASES, BACKWARD_MISTAKES, "rnn_backward")
    for truncate in (None, 2):
        _gradient_check(backward, 4, truncate, "rnn_backward")
    passed("each h[t] gets its dh[t] and what step t+1 sends back, the weights sum over the steps, no gradient "
           "crosses a chunk's start; finite differences agree.")
