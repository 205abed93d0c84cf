import collections
import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from seqlearn.ngram import NGramModel, total_sentence_probability

CORPUS = [[0, 1, 2, 1, 2, 3, 1, 2, 0, 4], [2, 1, 2, 2, 3]]
V = 6  # id 5 never occurs


def occurrences(gram):
    """Brute force: how often the tuple `gram` occurs contiguously inside one stream of CORPUS."""
    n = len(gram)
    return sum(tuple(s[i:i + n]) == gram for s in CORPUS for i in range(len(s) - n + 1))


def level_counts(h, top):
    """{x: count of (h, x)}: plain counts at the top order, continuation counts (distinct tokens seen before
    (h, x)) below it, by scanning the corpus."""
    if top:
        return {x: occurrences(h + (x,)) for x in range(V)}
    return {x: sum(occurrences((v,) + h + (x,)) > 0 for v in range(V)) for x in range(V)}


def modified_discounts(m, top):
    """Chen & Goodman's D1, D2, D3+ for order m, from count-of-counts over every one of the V^m possible m-grams."""
    n = {k: 0 for k in range(1, 5)}
    for gram in itertools.product(range(V), repeat=m):
        c = level_counts(gram[:-1], top)[gram[-1]]
        if c in n:
            n[c] += 1
    y = n[1] / (n[1] + 2 * n[2])
    raw = [k - (k + 1) * y * n[k + 1] / n[k] if n[k] else 0.75 * k for k in (1, 2, 3)]
    return [min(max(d, 0.01 * k), 0.99 * k) for k, d in zip((1, 2, 3), raw, strict=True)]


def kn_reference(w, h, order, D=0.75, top=True):
    """Interpolated Kneser–Ney written straight from the formula, by scanning the corpus each time.
    D: one discount, or "modified" (D1, D2, D3+ per order and table, from `modified_discounts`)."""
    count = level_counts(h, top)
    lower = 1 / V if len(h) == 0 else kn_reference(w, h[1:], order, D, top=False)
    total = sum(count.values())
    if total == 0:
        return lower
    ds = modified_discounts(len(h) + 1, top) if D == "modified" else [D, D, D]
    discount = {x: ds[min(c, 3) - 1] if c else 0 for x, c in count.items()}
    return max(count[w] - discount[w], 0) / total + sum(discount.values()) / total * lower


@pytest.mark.parametrize("discount", [0.75, 0.4, "modified"])
@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_kneser_ney_matches_brute_force_reference(order, discount):
    model = NGramModel(order, V, discount=discount).fit(CORPUS)
    test = [[1, 2, 3, 1, 5, 2], [4, 0, 1]]
    log_p, n = 0.0, 0
    for s in test:
        for t, w in enumerate(s):
            h = tuple(s[max(0, t - order + 1):t])
            ref = kn_reference(w, h, order, discount)
            assert model.next_distribution(list(h))[w] == pytest.approx(ref, rel=1e-12)
            log_p += math.log(ref)
            n += 1
    assert model.perplexity(test) == pytest.approx(math.exp(-log_p / n), rel=1e-12)


@pytest.mark.parametrize("order", [2, 3])
def test_modified_discounts_follow_the_count_of_counts(order):
    model = NGramModel(order, V, discount="modified").fit(CORPUS)
    for m in range(1, order + 1):
        assert model.discounts[("count", m)] == pytest.approx(modified_discounts(m, top=True), rel=1e-12)
    for m in range(1, order):
        assert model.discounts[("continuation", m)] == pytest.approx(modified_discounts(m, top=False), rel=1e-12)


def test_modified_discounts_unclipped_on_a_longer_stream():
    zipf = 1 / np.arange(1, 9) / (1 / np.arange(1, 9)).sum()  # 8 tokens, the k-th with probability ~ 1/k
    stream = np.random.default_rng(0).choice(8, size=400, p=zipf)
    model = NGramModel(3, 8, discount="modified").fit(stream)
    n = collections.Counter(c for followers in model.counts[3].values() for c in followers.values())
    assert all(n[k] > 0 for k in range(1, 5))
    y = n[1] / (n[1] + 2 * n[2])
    expected = [1 - 2 * y * n[2] / n[1], 2 - 3 * y * n[3] / n[2], 3 - 4 * y * n[4] / n[3]]
    assert model.discounts[("count", 3)] == pytest.approx(expected, rel=1e-12)
    assert 0 < expected[0] < 1 < expected[1] < 2 < expected[2] < 3  # no clipping was needed


@pytest.mark.parametrize("order", [2, 3])
def test_every_distribution_sums_to_one_with_modified_discounts(order):
    model = NGramModel(order, V, discount="modified").fit(CORPUS)
    for h in itertools.product(range(V), repeat=order - 1):
        assert model.next_distribution(list(h)).sum() == pytest.approx(1, abs=1e-12)


def test_a_context_predicts_the_first_tokens_of_a_stream():
    model = NGramModel(3, V).fit(CORPUS)
    stream, context = [2, 1, 2], [0, 1]
    scored = model.token_log_probs(stream, context)
    assert scored.shape == (3,)
    assert scored[0] == pytest.approx(math.log(model.next_distribution([0, 1])[2]))
    assert scored[1] == pytest.approx(math.log(model.next_distribution([1, 2])[1]))
    whole = model.token_log_probs(context + stream)
    assert np.allclose(whole[2:], scored)  # the same tokens, predicted from the same text before them
    assert model.perplexity(stream, context) == pytest.approx(math.exp(-scored.mean()))


def test_add_k_formula():
    model = NGramModel(2, V, smoothing="add_k", k=0.5).fit(CORPUS)
    # context (1,): followed by 2 four times in CORPUS, c(1 .) = 4
    assert model.next_distribution([1])[2] == pytest.approx((4 + 0.5) / (4 + 0.5 * V))


@given(st.integers(1, 5), st.sampled_from(["kneser_ney", "add_k"]),
       st.lists(st.integers(0, V - 1), max_size=6))
def test_distribution_over_the_vocabulary_sums_to_one(order, smoothing, context):
    p = NGramModel(order, V, smoothing=smoothing).fit(CORPUS).next_distribution(context)
    assert p.shape == (V,) and (p > 0).all()
    assert p.sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("smoothing", ["kneser_ney", "add_k"])
def test_a_model_that_saw_nothing_is_uniform_with_perplexity_v(smoothing):
    model = NGramModel(3, V, smoothing=smoothing).fit([[]])
    assert model.perplexity([[0, 1, 2, 3, 4, 5, 5]]) == pytest.approx(V)


def test_stored_ngrams_grow_with_order():
    stream = np.random.default_rng(0).integers(0, V, size=500)
    stored = NGramModel(5, V).fit(stream).stored_ngrams()
    assert stored[0] == V and stored == sorted(stored)


def test_sampling_is_seeded_and_stops_at_the_stop_id():
    model = NGramModel(3, V).fit(CORPUS)
    a = model.sample([0], 50, np.random.default_rng(1), stop_id=4)
    b = model.sample([0], 50, np.random.default_rng(1), stop_id=4)
    assert a == b and a[0] == 0 and len(a) <= 51
    assert 4 not in a[:-1]


def test_sampling_at_temperature_one_draws_from_the_model_itself():
    """The one sampling rule reproduces the plain draw rng.choice(V, p=P(. | context)), token for token."""
    model = NGramModel(3, V).fit(CORPUS)
    for seed in range(20):
        reference, rng = [0], np.random.default_rng(seed)
        for _ in range(30):
            reference.append(int(rng.choice(V, p=model.next_distribution(reference))))
        assert model.sample([0], 30, np.random.default_rng(seed)) == reference


@pytest.mark.parametrize("smoothing", ["kneser_ney", "add_k"])
def test_greedy_sampling_takes_the_most_likely_next_id(smoothing):
    model = NGramModel(2, V, smoothing=smoothing).fit(CORPUS)
    greedy = [1]
    for _ in range(8):
        greedy.append(int(np.argmax(model.next_distribution(greedy))))
    assert model.sample([1], 8, None) == greedy
    assert model.sample([1], 8, np.random.default_rng(0), temperature=0) == greedy
    assert model.sample([1], 8, np.random.default_rng(0), temperature=3.0, top_k=1) == greedy


def test_top_k_sampling_stays_in_the_top_k():
    model = NGramModel(2, V).fit(CORPUS)
    out = model.sample([1], 200, np.random.default_rng(0), top_k=2)
    for previous, token in zip(out, out[1:], strict=False):
        assert token in np.argsort(-model.next_distribution([previous]), kind="stable")[:2]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: NGramModel(0, V), ValueError, "order must be at least 1, got 0"),
        (lambda: NGramModel(2, V, smoothing="witten_bell"), ValueError, "smoothing must be one of"),
        (lambda: NGramModel(2, V, discount=1.0), ValueError, r"discount must be a number in \(0, 1\) or 'modified'"),
        (lambda: NGramModel(2, V, discount="kn"), ValueError, r"discount must be .* got 'kn'"),
        (lambda: NGramModel(2, V).fit(CORPUS).perplexity(CORPUS, context=[1]), ValueError,
         "a context goes with a single stream, got 2 streams"),
        (lambda: NGramModel(2, V).fit([0, 6]), ValueError, r"streams must be ids in \[0, 5\] \(vocab_size=6\); got 6"),
        (lambda: NGramModel(2, V).fit([0.5, 1.0]), TypeError, "must hold integers"),
        (lambda: NGramModel(2, V).next_distribution([0]), RuntimeError, "not fitted yet"),
        (lambda: NGramModel(2, V).fit(CORPUS).sample([0], 3, rng=1), TypeError, "rng must be a np.random.Generator"),
        (lambda: NGramModel(2, V).fit(CORPUS).sample([0], 3, None, top_k=0), ValueError, "top_k must be at least 1"),
        (lambda: NGramModel(2, V).fit(CORPUS).sample([0], 3, None, temperature=-0.5), ValueError,
         "temperature must be at least 0"),
        (lambda: NGramModel(2, V).fit(CORPUS).perplexity([[]]), ValueError, "at least one token"),
    ],
)
def test_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()


def enumerated_total(model, bos, eos, words, max_length):
    """Brute force: the sum of P(<bos> w_1 .. w_T <eos>) over every sentence of 0..max_length words."""
    total = 0.0
    for length in range(max_length + 1):
        for sentence in itertools.product(words, repeat=length):
            ids = [bos, *sentence, eos]
            total += math.prod(model.next_distribution(ids[t - 1:t])[ids[t]] for t in range(1, len(ids)))
    return total


def test_total_sentence_probability_is_the_limit_of_the_enumeration():
    # Words 1, 2; <bos> = 0, <eos> = 3; tokens 4 and 5 are never seen, yet smoothing predicts them (mass lost).
    model = NGramModel(2, V).fit([[0, 1, 2, 3], [0, 2, 3], [0, 1, 1, 2, 3], [0, 3]])
    exact = total_sentence_probability(model, 0, 3, [1, 2])
    partial = [enumerated_total(model, 0, 3, [1, 2], n) for n in range(12)]
    assert all(a < b for a, b in zip(partial, partial[1:], strict=False)) and partial[-1] < exact
    assert exact - partial[-1] < 1e-3 * exact  # the enumeration closes in on the solve
    lost = 1 - exact
    assert lost > 0.05  # the mass given to 0, 4 and 5 as next tokens never reaches <eos>


def test_a_model_that_predicts_only_words_and_eos_sums_to_one():
    class OnlyWords:  # a bigram whose next token is always a word or <eos>, chosen with fixed probabilities
        order, vocab_size = 2, 4

        def next_distribution(self, context):
            return np.array([0.0, 0.5, 0.3, 0.2]) if context[-1] != 0 else np.array([0.0, 0.6, 0.4, 0.0])

    assert total_sentence_probability(OnlyWords(), 0, 3, [1, 2]) == pytest.approx(1, abs=1e-12)


def test_total_sentence_probability_bad_inputs():
    with pytest.raises(ValueError, match="needs a bigram model .* got order 3"):
        total_sentence_probability(NGramModel(3, V).fit(CORPUS), 0, 3, [1, 2])
    with pytest.raises(ValueError, match="be ids not among the words"):
        total_sentence_probability(NGramModel(2, V).fit(CORPUS), 0, 3, [1, 3])
