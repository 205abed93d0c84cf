"""Perplexity, defined once for every language model of the course."""

import math

import numpy as np
import pytest

from seqlearn.metrics import best_mixture_weight, mixture_log_probs, perplexity


def test_perplexity_is_exp_of_the_mean_negative_log_likelihood():
    assert perplexity(3 * math.log(28), 3) == pytest.approx(28)  # three tokens, each with p = 1/28
    assert perplexity(0.0, 5) == 1.0  # a perfect model
    assert perplexity(math.log(2) + math.log(8), 2) == pytest.approx(4)  # the geometric mean of 2 and 8


def test_a_huge_loss_is_an_infinite_perplexity_not_an_overflow():
    assert perplexity(5000.0, 1) == math.inf
    assert perplexity(708.0, 1) == pytest.approx(math.exp(708))
    assert math.isnan(perplexity(math.nan, 3))  # broken, not merely bad


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: perplexity(0.0, 0), ValueError, "perplexity needs at least one token, got num_tokens=0"),
        (lambda: perplexity(1.0, -2), ValueError, "perplexity needs at least one token, got num_tokens=-2"),
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
    (lambda: mixture_log_probs(np.zeros(3), np.zeros(3), 1.5), r"weight must be a number in \[0, 1\], got 1.5"),
    (lambda: mixture_log_probs(np.zeros(3), np.zeros(3), True), r"weight must be .* got True"),
])
def test_mixture_bad_inputs(call, message):
    with pytest.raises(ValueError, match=message):
        call()
