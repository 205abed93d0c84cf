import math

import pytest

from seqlearn.exercises import WrongAnswer, ch05


def test_sentence_probability():
    ch05.check_sentence_probability(math.prod)
    with pytest.raises(WrongAnswer, match="multiplies"):
        ch05.check_sentence_probability(sum)


def test_uniform_perplexity():
    ch05.check_uniform_perplexity(28)
    with pytest.raises(WrongAnswer, match="is not right"):
        ch05.check_uniform_perplexity(math.log(28))


def test_possible_ngrams():
    ch05.check_possible_ngrams(13_492_928_512)  # 28 ** 7, by hand
    with pytest.raises(WrongAnswer, match="is not right"):
        ch05.check_possible_ngrams(7 ** 28)


def test_perplexity_from_loss():
    ch05.check_perplexity_from_loss(math.exp)
    with pytest.raises(WrongAnswer, match="is not right"):
        ch05.check_perplexity_from_loss(lambda loss: 2 ** loss)  # bits, but the loss is in nats
