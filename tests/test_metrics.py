"""Perplexity, defined once for every language model of the course."""

import math

import pytest

from seqlearn.metrics import perplexity


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
