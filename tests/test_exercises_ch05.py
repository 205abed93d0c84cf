import itertools
import math

import numpy as np
import pytest
from build_it import assert_build_it

from seqlearn.exercises import WrongAnswer, ch05


def test_sentence_probability():
    assert_build_it(ch05.check_sentence_probability, math.prod, ch05.reference_probability, ch05.PROBABILITY_CASES,
                    ch05.PROBABILITY_MISTAKES)
    ch05.check_sentence_probability(lambda conditionals: float(np.prod(conditionals)))
    ch05.check_sentence_probability(lambda conditionals: math.exp(sum(map(math.log, conditionals))))
    lengths = {len(case.make(np.random.default_rng(0))["conditionals"]) for case in ch05.PROBABILITY_CASES}
    assert 1 in lengths and len(lengths) >= 3


def test_sentence_probability_rejects_the_chapter_number():
    # P(cat eats fish <eos>) of section 1, hard-coded: fresh conditionals on every call make it fail.
    with pytest.raises(WrongAnswer, match="off by"):
        ch05.check_sentence_probability(lambda conditionals: 0.01475)


def perplexity(log_probs):
    return math.exp(-np.mean(log_probs))


def test_perplexity():
    assert ch05.reference_perplexity(np.log(np.full(5, 1 / 28))) == pytest.approx(28)  # uniform over 28: 28
    assert ch05.reference_perplexity(np.log([0.5, 0.125])) == pytest.approx(4)  # 1 / sqrt(1/16)
    assert_build_it(ch05.check_perplexity, perplexity, ch05.reference_perplexity, ch05.PERPLEXITY_CASES,
                    ch05.PERPLEXITY_MISTAKES)
    lengths = {len(case.make(np.random.default_rng(0))["log_probs"]) for case in ch05.PERPLEXITY_CASES}
    assert 1 in lengths and len(lengths) >= 3


def test_two_level_perplexity():
    assert ch05.reference_two_level(0.5, 0.125) == pytest.approx(4)  # by hand: exp((ln 2 + ln 8) / 2)
    assert ch05.reference_two_level(1 / 28, 1 / 28) == pytest.approx(28)
    assert_build_it(ch05.check_two_level_perplexity, lambda p, q: 1 / math.sqrt(p * q), ch05.reference_two_level,
                    ch05.TWO_LEVEL_CASES, ch05.TWO_LEVEL_MISTAKES)


def brute_force_distinct_ngrams(V, n, M):
    """The most distinct n-grams over every text of M tokens: tries all V ** M texts."""
    return max(len({text[i:i + n] for i in range(M - n + 1)}) for text in itertools.product(range(V), repeat=M))


def test_max_distinct_ngrams():
    for V, n, M in [(2, 2, 2), (2, 2, 4), (2, 2, 5), (2, 2, 7), (3, 2, 6), (3, 2, 10), (2, 3, 8), (3, 1, 5)]:
        assert ch05.reference_distinct_ngrams(V, n, M) == brute_force_distinct_ngrams(V, n, M), (V, n, M)
    assert_build_it(ch05.check_max_distinct_ngrams, lambda V, n, M: min(V**n, M - n + 1),
                    ch05.reference_distinct_ngrams, ch05.NGRAM_CASES, ch05.NGRAM_MISTAKES)
    with pytest.raises(WrongAnswer):
        ch05.check_max_distinct_ngrams(lambda V, n, M: 28**7)  # section 2's table, hard-coded


def next_token_distribution(logits, temperature, top_k):
    z = logits / temperature
    if top_k is not None and top_k < len(z):
        z = np.where(z >= np.sort(z)[-top_k], z, -np.inf)
    p = np.exp(z - z.max())
    return p / p.sum()


def test_next_token_distribution():
    assert_build_it(ch05.check_next_token_distribution, next_token_distribution, ch05.reference_distribution,
                    ch05.DISTRIBUTION_CASES, ch05.DISTRIBUTION_MISTAKES)
    with pytest.raises(WrongAnswer, match="the package's own"):
        ch05.check_next_token_distribution(ch05.sampling.next_token_distribution)


def test_next_token_distribution_cases():
    rng = np.random.default_rng(0)
    made = [case.make(rng) for case in ch05.DISTRIBUTION_CASES]
    assert any(np.min(kwargs["logits"]) > 900 for kwargs in made)  # where a softmax without the max overflows
    assert any(kwargs["top_k"] is None for kwargs in made) and any(kwargs["top_k"] == 1 for kwargs in made)
    assert any(len(kwargs["logits"]) == 1 for kwargs in made)
    for kwargs in made:
        p = ch05.reference_distribution(**kwargs)
        assert np.isclose(p.sum(), 1) and np.count_nonzero(p) == min(kwargs["top_k"] or p.size, p.size)
