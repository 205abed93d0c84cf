"""Checkers for the exercises of chapter 5, Language modelling."""

import math
import numbers

import numpy as np

from seqlearn.exercises import passed, require


def check_sentence_probability(probability):
    """Exercise 1: `probability(conditionals)` -> P(sentence) from the list of P(w_t | w_<t), <eos> included."""
    require(callable(probability), f"expected a function, got {type(probability).__name__}")
    conditionals = [0.2, 0.5, 0.3, 0.6]
    got = probability(conditionals)
    require(np.isclose(got, math.prod(conditionals)),
            f"{got} is not right; the chain rule multiplies the conditional probabilities")
    passed("P(w_1 ... w_T) = P(w_1) P(w_2 | w_1) ... P(<eos> | w_1 ... w_T).")


def check_uniform_perplexity(answer):
    """Exercise 2: the perplexity of a model that gives every one of V = 28 characters probability 1/28."""
    require(isinstance(answer, numbers.Real) and not isinstance(answer, bool),
            f"expected a number, got {type(answer).__name__}")
    require(np.isclose(answer, 28), f"{answer} is not right; perplexity is exp(mean of -ln p) with p = 1/28")
    passed("28: perplexity is the number of equally likely choices the model hesitates between.")


def check_possible_ngrams(answer):
    """Exercise 3: how many different 7-grams are possible over a vocabulary of V = 28?"""
    require(answer == 28 ** 7, f"{answer} is not right; each of the 7 positions can hold any of the 28 tokens")
    passed(f"{28 ** 7:,}: why an n-gram table cannot grow n for ever, and why it stores only what it saw.")


def check_perplexity_from_loss(perplexity):
    """Exercise 4: `perplexity(mean_nll)` -> perplexity from the mean cross-entropy per token, in nats."""
    require(callable(perplexity), f"expected a function, got {type(perplexity).__name__}")
    for loss in (0.0, 1.0, 1.3275):
        require(np.isclose(perplexity(loss), math.exp(loss)), f"perplexity({loss}) = {perplexity(loss)} is not right")
    passed("exp(loss): a loss of 1.33 nats per character is a perplexity of 3.77.")
