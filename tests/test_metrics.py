"""Perplexity, defined once for every language model of the course."""

import math

import numpy as np
import pytest

from seqlearn.metrics import best_mixture_weight, lag_correlation, mixture_log_probs, perplexity


def test_perplexity_is_exp_of_the_mean_negative_log_likelihood():
    assert perplexity(3 * math.log(28), 3) == pytest.approx(28)  # three tokens, each with p = 1/28
    assert perplexity(0.0, 5) == 1.0  # a perfect model
    assert perplexity(math.log(2) + math.log(8), 2) == pytest.approx(4)  # the geometric mean of 2 and 8


def test_a_huge_loss_is_an_infinite_perplexity_not_an_overflow():
    assert perplexity(5000.0, 1) == math.inf
    assert perplexity(708.0, 1) == pytest.approx(math.exp(708))
    with pytest.raises(ValueError, match="total_nll must be a finite number >= 0"):
        perplexity(math.nan, 3)  # broken, not merely bad: refused, not reported as a score


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: perplexity(0.0, 0), ValueError, "num_tokens must be at least 1, got 0"),
        (lambda: perplexity(1.0, -2), ValueError, "num_tokens must be at least 1, got -2"),
        (lambda: perplexity(1.0, 2.0), TypeError, "num_tokens must be an int, got float 2.0"),
    ],
)
def test_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_mixture_of_two_models_is_their_weighted_average():
    p, q = np.array([0.5, 0.1, 0.9]), np.array([0.2, 0.4, 0.3])
    mixed = mixture_log_probs(np.log(p), np.log(q), 0.3)
    assert np.allclose(np.exp(mixed), 0.3 * p + 0.7 * q, rtol=1e-14)
    assert np.allclose(mixture_log_probs(np.log(p), np.log(q), 1.0), np.log(p))  # weight 1: the first model
    assert np.allclose(mixture_log_probs(np.log(p), np.log(q), 0.0), np.log(q))


def test_the_best_weight_is_the_one_a_fine_search_finds():
    rng = np.random.default_rng(0)
    log_p, log_q = np.log(rng.uniform(0.01, 1, 500)), np.log(rng.uniform(0.01, 1, 500))
    best = best_mixture_weight(log_p, log_q)
    fine = np.linspace(0, 1, 10_001)
    brute = fine[np.argmax([mixture_log_probs(log_p, log_q, w).sum() for w in fine])]
    assert abs(best - brute) <= 0.005  # the grid's step is 0.01
    # The mixture's perplexity is never worse than the better model's (weight 0 and 1 are on the grid).
    nll = -mixture_log_probs(log_p, log_q, best).sum()
    assert nll <= min(-log_p.sum(), -log_q.sum())


@pytest.mark.parametrize("call, message", [
    (lambda: mixture_log_probs(np.zeros(3), np.zeros(2), 0.5), r"same shape, got \(3,\) and \(2,\)"),
    (lambda: mixture_log_probs(np.zeros(3), np.zeros(3), 1.5), r"weight must be a probability in \[0, 1\], got 1.5"),
    (lambda: mixture_log_probs(np.zeros(3), np.zeros(3), True), r"weight must be .* got bool True"),
])
def test_mixture_bad_inputs(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_lag_correlation_against_a_hand_computation_and_numpy():
    truth = np.array([1.0, 3.0, 2.0, 5.0, 4.0])
    pred = np.array([0.0, 1.0, 3.0, 2.0, 5.0])  # truth delayed by one step: pred[t] = truth[t - 1]
    assert lag_correlation(pred, truth, 1) == pytest.approx(1.0)
    # lag 0 by hand: pairs (0,1), (1,3), (3,2), (2,5), (5,4); means 2.2 and 3.0
    a, b = pred - 2.2, truth - 3.0
    assert lag_correlation(pred, truth, 0) == pytest.approx((a @ b) / math.sqrt((a @ a) * (b @ b)))
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=30), rng.normal(size=30)
    for lag in (-3, -1, 0, 2, 5):
        want = np.corrcoef(x[lag:], y[:30 - lag])[0, 1] if lag >= 0 else np.corrcoef(x[:30 + lag], y[-lag:])[0, 1]
        assert lag_correlation(x, y, lag) == pytest.approx(want, abs=1e-12)
    assert lag_correlation(x, y, -2) == pytest.approx(lag_correlation(y, x, 2), abs=1e-12)


@pytest.mark.parametrize(
    "args, error, message",
    [
        ((np.zeros(5), np.arange(5.0), 0), ValueError, "pred is constant over the 5 pairs compared"),
        ((np.arange(5.0), np.arange(4.0), 0), ValueError, "same length, got 5 and 4"),
        ((np.arange(5.0), np.arange(5.0), 4), ValueError, r"lag must be at most 3, got 4"),
        ((np.arange(5.0), np.arange(5.0), 1.0), TypeError, "lag must be an int"),
        ((np.arange(5), np.arange(5.0), 0), TypeError, "pred must have a floating dtype"),
        ((np.array([1.0, np.nan, 2.0, 3.0]), np.arange(4.0), 0), ValueError,
         r"pred must be finite, got .*nan.* at position \(1,\)"),
    ],
)
def test_lag_correlation_refuses_bad_input(args, error, message):
    with pytest.raises(error, match=message):
        lag_correlation(*args)
