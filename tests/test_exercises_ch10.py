import itertools

import numpy as np
import pytest
from build_it import assert_build_it, message

from seqlearn.exercises import WrongAnswer, ch10
from seqlearn.scratch import decoding
from seqlearn.scratch.seq2seq import init_seq2seq_params
from seqlearn.vocab import BOS, EOS, Vocab


def masked_softmax(scores, mask):
    weights = np.zeros_like(scores)
    for t in range(scores.shape[0]):
        for n in range(scores.shape[1]):
            real = mask[:, n]  # the keys of example n that are not padding
            e = np.exp(scores[t, n, real] - scores[t, n, real].max())
            weights[t, n, real] = e / e.sum()
    return weights


def test_masked_softmax():
    assert_build_it(ch10.check_masked_softmax, masked_softmax, ch10.reference_masked_softmax, ch10.SOFTMAX_CASES,
                    ch10.SOFTMAX_MISTAKES)


def dot_attention(queries, keys, mask):
    q, k = queries.transpose(1, 0, 2), keys.transpose(1, 0, 2)  # batch-major: (N, T_q, H), (N, T_k, H)
    weights = masked_softmax((q @ k.transpose(0, 2, 1)).transpose(1, 0, 2), mask)  # scores (T_q, N, T_k)
    context = (weights.transpose(1, 0, 2) @ k).transpose(1, 0, 2)
    return context, weights


def test_dot_attention():
    assert_build_it(ch10.check_dot_attention, dot_attention, ch10.reference_dot_attention, ch10.ATTENTION_CASES,
                    ch10.ATTENTION_MISTAKES)


def dot_attention_backward(dcontext, queries, keys, weights):
    dqueries, dkeys = np.zeros_like(queries), np.zeros_like(keys)
    for n in range(queries.shape[1]):
        a, q, k, dc = weights[:, n], queries[:, n], keys[:, n], dcontext[:, n]  # (T_q, T_k), (T_q, H), (T_k, H)
        da = dc @ k.T  # the context is a @ k
        de = a * (da - np.sum(a * da, axis=1, keepdims=True))  # through the softmax of each query's row
        dqueries[:, n] = de @ k
        dkeys[:, n] = a.T @ dc + de.T @ q  # as values, and through the scores
    return dqueries, dkeys


def test_dot_attention_backward():
    assert_build_it(ch10.check_dot_attention_backward, dot_attention_backward, ch10.reference_dot_attention_backward,
                    ch10.BACKWARD_CASES, ch10.BACKWARD_MISTAKES)


def test_dot_attention_backward_is_gradient_checked():
    ch10.gradient_check_attention(dot_attention_backward)
    with pytest.raises(WrongAnswer, match="fails the finite-difference check: the gradient of keys is off"):
        ch10.gradient_check_attention(lambda *args: (dot_attention_backward(*args)[0], 2 * dot_attention_backward(
            *args)[1]))


@pytest.mark.parametrize("cases", [ch10.SOFTMAX_CASES, ch10.ATTENTION_CASES, ch10.BACKWARD_CASES])
def test_attention_cases_hold_the_edge_cases_they_name(cases):
    rng = np.random.default_rng(0)
    masks = [kwargs["mask"] if "mask" in kwargs else kwargs["weights"][0].T > 0
             for kwargs in (case.make(rng) for case in cases)]
    T_k, N = masks[0].shape  # the first case separates every mistake: some keys padded, N > 1, T_k != N
    assert not masks[0].all() and N > 1 and T_k != N
    assert min(m.shape[0] for m in masks) == 1 and min(m.shape[1] for m in masks) == 1  # T_k = 1 and N = 1
    assert any(m.sum(axis=0).min() == 1 < m.shape[0] for m in masks)  # an example with a single real key
    assert all(m.any(axis=0).all() for m in masks)


def beam_search(next_log_probs, eos_id, beam_width, max_len):
    beam, finished = [([], 0.0)], []
    for step in range(max_len):
        candidates = [(tokens + [token], log_p + lp) for tokens, log_p in beam
                      for token, lp in enumerate(next_log_probs(tuple(tokens)))]
        beam = []
        for tokens, log_p in sorted(candidates, key=lambda c: c[1], reverse=True)[:beam_width]:
            if tokens[-1] == eos_id:
                finished.append((tokens[:-1], log_p))
            elif step == max_len - 1:
                finished.append((tokens, log_p))
            else:
                beam.append((tokens, log_p))
        if not beam:
            break
    return max(finished, key=lambda f: f[1])


def test_beam_search():
    assert_build_it(ch10.check_beam_search, beam_search, ch10.reference_beam_search, ch10.BEAM_CASES,
                    ch10.BEAM_MISTAKES)


def test_a_beam_that_prunes_nothing_finds_the_most_likely_output():
    kwargs = ch10.BEAM_CASES[3].make(np.random.default_rng(0))
    model, eos, width, max_len = kwargs.values()
    V = len(model(()))
    assert width >= V ** max_len

    def log_p(tokens):
        return sum(model(tokens[:i])[t] for i, t in enumerate(tokens))
    words = [(*w, eos) for L in range(max_len) for w in itertools.product(range(1, V), repeat=L)]
    outputs = words + list(itertools.product(range(1, V), repeat=max_len))  # ended by <eos>, or cut
    best = max(outputs, key=log_p)
    tokens, score = ch10.reference_beam_search(*kwargs.values())
    assert tokens == [t for t in best if t != eos] and score == pytest.approx(log_p(best), abs=1e-12)


def seq2seq_model(src, params, vocab):
    """next_log_probs(prefix) of a seq2seq model with general attention, reading the source ids src (T_x,)."""
    encoder_states, s0, mask = decoding.encode(src[:, None], [len(src)], params)

    def next_log_probs(prefix):
        state = s0
        for token in (vocab.token_to_id[BOS], *prefix):  # <bos>, then the prefix, one step at a time
            log_probs, state, _ = decoding.decoder_step(np.array([token]), state, encoder_states, mask, params,
                                                        "general")
        return log_probs[0]
    return next_log_probs


def test_reference_beam_search_agrees_with_the_package_on_a_seq2seq_model():
    vocab = Vocab(["a", "b"])
    params = init_seq2seq_params(5, len(vocab), 4, np.random.default_rng(18), attention="general")
    params = {name: 3 * p for name, p in params.items()}  # sharper distributions than the initial, nearly uniform
    answers = set()
    for src in ([1, 4, 2], [3], [2, 2, 4, 1, 3]):
        next_log_probs = seq2seq_model(np.array(src), params, vocab)
        for width in (1, 2, 3, 6 ** 3):
            ids, score = decoding.beam_search(np.array(src), params, vocab, width, 3, 0.0, attention="general")
            tokens, log_p = ch10.reference_beam_search(next_log_probs, vocab.token_to_id[EOS], width, 3)
            assert tokens == ids and log_p == pytest.approx(score, abs=1e-10), (src, width)
            answers.add(tuple(tokens))
    assert () in answers and any(0 < len(a) < 3 for a in answers) and any(len(a) == 3 for a in answers)  # all kinds


@pytest.mark.parametrize("checker, wrong", [
    (ch10.check_masked_softmax, lambda scores, mask: (scores, mask)),
    (ch10.check_dot_attention, lambda queries, keys, mask: queries),  # the context alone, no weights
    (ch10.check_dot_attention_backward, lambda dcontext, queries, keys, weights: {"dqueries": queries, "dkeys": keys}),
    (ch10.check_beam_search, lambda next_log_probs, eos_id, beam_width, max_len: [1, 2]),  # tokens, no log P
    (ch10.check_beam_search, lambda next_log_probs, eos_id, beam_width, max_len: "a b"),
    (ch10.check_beam_search, None),
    (ch10.check_masked_softmax, None),
])
def test_checkers_reject_an_answer_of_the_wrong_type(checker, wrong):
    text = message(checker, wrong)
    assert "parts" in text or "expected an array" in text or "shape" in text or "expected a function" in text
