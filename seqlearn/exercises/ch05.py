"""Checkers for the exercises of chapter 5, Language modelling.

Every exercise asks for a function, and every checker runs it on fresh random inputs (see
`seqlearn.exercises.build`) against the package's reference: `seqlearn.metrics.perplexity` and
`seqlearn.sampling.next_token_distribution`, or the formula the exercise derives.
"""

import math

import numpy as np

from seqlearn import metrics, sampling
from seqlearn.exercises import passed, require
from seqlearn.exercises.build import Case, Mistake, call, check_function


# Exercise 1: the chain rule. The last conditional is P(<eos> | the whole sentence).
def reference_probability(conditionals):
    return math.prod(conditionals)


def _conditionals_case(length):
    def make(rng):
        return {"conditionals": [float(p) for p in rng.uniform(0.05, 0.95, size=length)]}
    return Case(f"a sentence of {length - 1} words and <eos>" if length > 1 else "the empty sentence: <eos> alone",
                make)


PROBABILITY_CASES = [_conditionals_case(5), _conditionals_case(2), _conditionals_case(12), _conditionals_case(1)]

PROBABILITY_MISTAKES = [
    Mistake("the chain rule multiplies the conditional probabilities; it does not add them",
            lambda conditionals: sum(conditionals)),
    Mistake("that is their mean: the chain rule multiplies the conditional probabilities",
            lambda conditionals: sum(conditionals) / len(conditionals)),
    Mistake("the last factor, P(<eos> | the sentence), is left out: ending the sentence is an event too",
            lambda conditionals: math.prod(conditionals[:-1])),
    Mistake("that is the log-probability (the sum of the logs); the probability is the product itself",
            lambda conditionals: sum(math.log(p) for p in conditionals)),
]


def check_sentence_probability(probability):
    """Exercise 1: `probability(conditionals)` -> P(sentence) from the list of P(w_t | w_<t), <eos>'s last."""
    check_function(probability, reference_probability, PROBABILITY_CASES, PROBABILITY_MISTAKES, "probability")
    passed("P(w_1 ... w_T <eos>) = P(w_1) P(w_2 | w_1) ... P(<eos> | w_1 ... w_T), for any length.")


# Exercise 2 (build it): perplexity from per-token log-probabilities, the package's `metrics.perplexity`.
def reference_perplexity(log_probs):
    return metrics.perplexity(-float(np.sum(log_probs)), len(log_probs))


def _log_probs_case(M):
    def make(rng):
        return {"log_probs": np.log(rng.uniform(0.02, 1.0, size=M))}
    return Case(f"M={M} tokens", make)


PERPLEXITY_CASES = [_log_probs_case(7), _log_probs_case(1), _log_probs_case(30), _log_probs_case(2),
                    _log_probs_case(200)]

PERPLEXITY_MISTAKES = [
    Mistake("that uses the sum of the log-probabilities: perplexity averages them over the M tokens, so it does "
            "not grow with the length of the text",
            lambda log_probs: math.exp(-np.sum(log_probs))),
    Mistake("the sign is dropped: the log-probabilities are negative, and perplexity is exp of MINUS their mean",
            lambda log_probs: math.exp(np.mean(log_probs))),
    Mistake("base 2 and base e are mixed: the log-probabilities are natural logs, so use exp, not 2 **",
            lambda log_probs: 2.0 ** -np.mean(log_probs)),
    Mistake("that averages the probabilities: perplexity is exp of minus the mean of the LOG-probabilities",
            lambda log_probs: math.exp(-np.mean(np.exp(log_probs)))),
    Mistake("one over the mean probability is not the perplexity: average the log-probabilities, then exp",
            lambda log_probs: 1.0 / np.mean(np.exp(log_probs))),
]


def check_perplexity(perplexity):
    """Exercise 2 (build it): `perplexity(log_probs)`, log_probs (M,) natural logs -> exp(-mean), a float."""
    check_function(perplexity, reference_perplexity, PERPLEXITY_CASES, PERPLEXITY_MISTAKES, "perplexity")
    passed("exp of the mean negative log-probability per token: the loss in nats, exponentiated.")


# Exercise 3: a model that is right with probability p on half the tokens and q on the other half.
def reference_two_level(p, q):
    return metrics.perplexity(-(math.log(p) + math.log(q)), 2)


def _two_level_case(label, draw):
    def make(rng):
        p, q = draw(rng)
        return {"p": float(p), "q": float(q)}
    return Case(label, make)


TWO_LEVEL_CASES = [
    _two_level_case("p and q between 0 and 1", lambda rng: rng.uniform(0.02, 1.0, size=2)),
    _two_level_case("p = 1 (certain on half of the tokens)", lambda rng: (1.0, rng.uniform(0.02, 0.9))),
    _two_level_case("p = q = 1/V, a uniform model", lambda rng: (1 / rng.integers(2, 100),) * 2),
    _two_level_case("p and q far apart", lambda rng: (rng.uniform(0.5, 1.0), rng.uniform(0.001, 0.01))),
]

TWO_LEVEL_MISTAKES = [
    Mistake("that is one over the mean probability: perplexity averages the LOG-probabilities, then exponentiates",
            lambda p, q: 2 / (p + q)),
    Mistake("that is the mean of 1/p and 1/q: perplexity averages the log-probabilities, not their inverses",
            lambda p, q: (1 / p + 1 / q) / 2),
    Mistake("that is the cross-entropy (the mean of -ln p, in nats); the perplexity is its exponential",
            lambda p, q: -(math.log(p) + math.log(q)) / 2),
    Mistake("that sums the two log-probabilities: the mean over the tokens divides by how many there are",
            lambda p, q: 1 / (p * q)),
]


def check_two_level_perplexity(two_level_perplexity):
    """Exercise 3: `two_level_perplexity(p, q)` -> the perplexity of a model that gives the true next token
    probability p on half of the tokens of a text and q on the other half."""
    check_function(two_level_perplexity, reference_two_level, TWO_LEVEL_CASES, TWO_LEVEL_MISTAKES,
                   "two_level_perplexity")
    passed("1 / sqrt(p q), one over the geometric mean. With p = q = 1/V it is V: a perplexity of k means the "
           "model hesitates as much as between k equally likely tokens.")


# Exercise 4: the most distinct n-grams a text can hold.
def reference_distinct_ngrams(V, n, M):
    return min(V**n, M - n + 1)


def _ngram_case(label, V, n, extra):
    """V, n, and how far M reaches past n, each a (low, high) range, both ends included."""
    def make(rng):
        v, k = int(rng.integers(V[0], V[1] + 1)), int(rng.integers(n[0], n[1] + 1))
        return {"V": v, "n": k, "M": k + int(rng.integers(extra[0], extra[1] + 1))}
    return Case(label, make)


NGRAM_CASES = [
    _ngram_case("a text shorter than the table of n-grams", (20, 30), (5, 7), (10, 1_000_000)),
    _ngram_case("a long text, a small table", (2, 4), (2, 3), (200, 10_000)),
    _ngram_case("n = 1", (5, 30), (1, 1), (100, 1_000)),
    _ngram_case("M = n, a single window", (3, 30), (2, 7), (0, 0)),
    _ngram_case("a character-level text", (28, 28), (4, 6), (100_000, 200_000)),
]

NGRAM_MISTAKES = [
    Mistake("that is every possible n-gram, but a text of M tokens has only M - n + 1 windows of n tokens",
            lambda V, n, M: V**n),
    Mistake("a text has M - n + 1 windows, but there are only V ** n different n-grams to fill them with",
            lambda V, n, M: M - n + 1),
    Mistake("each of the n positions holds any of the V tokens: V choices, n times over (not n choices V times)",
            lambda V, n, M: min(n**V, M - n + 1)),
    Mistake("count the windows: the first starts at token 1, the last n - 1 tokens before the end",
            lambda V, n, M: min(V**n, M)),
    Mistake("the windows overlap: one starts at every token, not at every n-th one",
            lambda V, n, M: min(V**n, M // n)),
]


def check_max_distinct_ngrams(max_distinct_ngrams):
    """Exercise 4: `max_distinct_ngrams(V, n, M)` -> the largest number of different n-grams that a text of M
    tokens (M >= n) over a vocabulary of V can contain, an int."""
    check_function(max_distinct_ngrams, reference_distinct_ngrams, NGRAM_CASES, NGRAM_MISTAKES,
                   "max_distinct_ngrams")
    passed("min(V ** n, M - n + 1): once V ** n passes the length of the text, the text, not V ** n, bounds what "
           "a model can store, and each stored n-gram is seen fewer times.")


# Exercise 5 (build it): the sampling rule's distribution, the package's `sampling.next_token_distribution`.
def reference_distribution(logits, temperature, top_k):
    return sampling.next_token_distribution(logits, temperature, top_k)


def _logits_case(label, V, temperature, top_k, centre=0.0, scale=2.0):
    def make(rng):
        return {"logits": centre + scale * rng.normal(size=V), "temperature": temperature, "top_k": top_k}
    return Case(label, make)


# The first case tells every catalogued mistake apart; the ones after it are edge cases.
DISTRIBUTION_CASES = [
    _logits_case("V=10, temperature 0.7, top_k=3", 10, 0.7, 3),
    _logits_case("V=6, temperature 2, top_k=None", 6, 2.0, None),
    _logits_case("V=12, temperature 1, top_k=1", 12, 1.0, 1),
    _logits_case("V=8, temperature 1.5, top_k=8 (k = V)", 8, 1.5, 8),
    _logits_case("V=4, temperature 0.9, top_k=6 (k > V)", 4, 0.9, 6),
    _logits_case("V=1, temperature 1.2, top_k=None", 1, 1.2, None),
    _logits_case("logits around 1000, V=7, temperature 0.5, top_k=2", 7, 0.5, 2, centre=1000.0),
    _logits_case("V=30, temperature 0.3, top_k=5", 30, 0.3, 5),
]


def _top_k(z, top_k, largest=True):
    z = np.array(z, dtype=float)
    if top_k is not None and top_k < z.size:
        order = np.argsort(-z if largest else z, kind="stable")
        z[order[top_k:]] = -np.inf
    return z


def _softmax(z):
    p = np.exp(z - z.max())
    return p / p.sum()


def _naive_softmax(logits, temperature, top_k):
    with np.errstate(over="ignore", invalid="ignore"):
        p = np.exp(_top_k(logits / temperature, top_k))
        return p / p.sum()


OVERFLOW = Mistake("exp overflows on large logits (inf / inf is nan): subtract the largest logit before exp, "
                   "which leaves the softmax unchanged", _naive_softmax)


def _filter_after_normalising(logits, temperature, top_k):
    p = _softmax(logits / temperature)
    return np.where(np.isfinite(_top_k(logits / temperature, top_k)), p, 0.0)


DISTRIBUTION_MISTAKES = [
    OVERFLOW,
    Mistake("top-k: the k kept probabilities must sum to 1; zero the others first, then normalise (or normalise "
            "again after zeroing)", _filter_after_normalising),
    Mistake("the temperature divides the logits: softmax(logits / temperature), sharper below 1",
            lambda logits, temperature, top_k: _softmax(_top_k(logits * temperature, top_k))),
    Mistake("top_k is ignored: keep only the k largest logits, the others get probability exactly 0",
            lambda logits, temperature, top_k: _softmax(logits / temperature)),
    Mistake("that keeps the k SMALLEST logits: top-k keeps the k most likely tokens",
            lambda logits, temperature, top_k: _softmax(_top_k(logits / temperature, top_k, largest=False))),
]


def check_next_token_distribution(next_token_distribution):
    """Exercise 5 (build it): `next_token_distribution(logits, temperature, top_k)`, logits (V,) float64 ->
    probabilities (V,) after the temperature and top-k (None, or keep the k largest logits)."""
    require(callable(next_token_distribution), f"expected a function, got {type(next_token_distribution).__name__}")
    require(next_token_distribution is not sampling.next_token_distribution,
            "that is the package's own next_token_distribution: write yours")
    check_function(next_token_distribution, reference_distribution, DISTRIBUTION_CASES, DISTRIBUTION_MISTAKES,
                   "next_token_distribution")
    logits = 3 * np.random.default_rng().normal(size=9)  # the comparison allows 1e-8: "exactly 0" is checked here
    p = np.asarray(call(next_token_distribution, {"logits": logits, "temperature": 1.0, "top_k": 2},
                        "next_token_distribution"))
    require(np.all(p[np.argsort(logits)[:-2]] == 0), "the tokens outside the top k must get probability exactly 0 "
            "(give their logits -inf), not merely a small one")
    passed("softmax(logits / temperature) over the k largest logits, zero elsewhere, safe for any logits.")
