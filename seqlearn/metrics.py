"""Perplexity, the one score of every language model in the course (n-gram, NumPy and PyTorch alike).

    perplexity = exp( (1/N) * sum_t -ln p(w_t | w_<t) ) = exp(total_nll / num_tokens)

`total_nll` is the negative log-likelihood summed over N = `num_tokens` predicted tokens, in nats (a float);
total_nll / num_tokens is the mean cross-entropy per token, the training loss. A model that hesitates evenly
between k tokens has perplexity k; a perfect model has 1. No torch here: `seqlearn.ngram` and
`seqlearn.training` both report their scores through `perplexity`.
"""

import math
import numbers

# exp(x) overflows a float past x = 709.78: a mean loss that large is a diverged model, reported as inf.
LARGEST_EXPONENT = 709


def perplexity(total_nll, num_tokens):
    """exp(total_nll / num_tokens) as a float; inf, not an OverflowError, for a mean loss past about 709.

    total_nll: summed -ln p over the tokens (float, nats). num_tokens: how many tokens (int, at least 1).
    A NaN loss gives NaN: a broken model is not reported as merely a bad one.
    """
    if isinstance(num_tokens, bool) or not isinstance(num_tokens, numbers.Integral):
        raise TypeError(f"num_tokens must be an int, got {type(num_tokens).__name__} {num_tokens!r}")
    if num_tokens < 1:
        raise ValueError(f"perplexity needs at least one token, got num_tokens={num_tokens}")
    mean_nll = total_nll / num_tokens
    if mean_nll >= LARGEST_EXPONENT:
        return math.inf
    return math.exp(mean_nll)
