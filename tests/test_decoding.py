"""Decoding from scratch (seqlearn.scratch.decoding): one step is the forward's maths, greedy decoding stops at
<eos>, beam search is brute force when it prunes nothing and greedy at width 1, and bad input is refused."""

import itertools
import re

import numpy as np
import pytest

from seqlearn.scratch.attention import ATTENTION_SCORES
from seqlearn.scratch.decoding import beam_search, decoder_step, encode, greedy_decode
from seqlearn.scratch.seq2seq import init_seq2seq_params, seq2seq_forward
from seqlearn.vocab import Vocab

ATTENTIONS = (None, *ATTENTION_SCORES)
VOCAB = Vocab(["a", "b"])  # <pad> 0, <unk> 1, <bos> 2, <eos> 3, a 4, b 5
BOS, EOS = 2, 3


def log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def model(seed, attention, V_src=5, H=3, eos_bias=0.0):
    """A random model over VOCAB, its <eos> logit raised by eos_bias; and a random source of 1 to 4 ids."""
    rng = np.random.default_rng(seed)
    params = init_seq2seq_params(V_src, len(VOCAB), H, rng, attention=attention)
    params = {name: rng.normal(0, 1, p.shape) for name, p in params.items()}  # larger: sharper distributions
    params["b_y"][EOS] += eos_bias
    return params, rng.integers(0, V_src, int(rng.integers(1, 5)))


def log_prob(params, src_ids, tokens, attention, eos):
    """log P(tokens, then <eos> if eos) for one source, by teacher forcing through seq2seq_forward."""
    decoder_inputs = np.array([BOS, *tokens])[:, None]
    logits, _, _ = seq2seq_forward(src_ids[:, None], [len(src_ids)], decoder_inputs, params, attention)
    log_p = log_softmax(logits[:, 0])
    return sum(log_p[t, token] for t, token in enumerate(tokens)) + (log_p[len(tokens), EOS] if eos else 0.0)


@pytest.mark.parametrize("attention", ATTENTIONS)
def test_teacher_forced_steps_give_the_forwards_log_probabilities(attention):
    rng = np.random.default_rng(0)
    params = init_seq2seq_params(5, 6, 3, rng, attention=attention)
    src, src_lengths, decoder_inputs = rng.integers(0, 5, (4, 3)), [4, 2, 3], rng.integers(0, 6, (5, 3))
    logits, weights, _ = seq2seq_forward(src, src_lengths, decoder_inputs, params, attention)
    encoder_states, state, mask = encode(src, src_lengths, params)
    for t in range(5):
        log_probs, state, step_weights = decoder_step(decoder_inputs[t], state, encoder_states, mask, params,
                                                      attention)
        assert np.allclose(log_probs, log_softmax(logits[t]), atol=1e-12, rtol=0)
        assert (step_weights is None) == (attention is None)
        if attention is not None:
            assert np.allclose(step_weights, weights[t], atol=1e-12, rtol=0)


def test_greedy_stops_at_once_when_eos_is_certain_and_writes_max_len_tokens_when_it_never_comes():
    params, _ = model(0, "general")
    src, src_lengths = np.array([[0, 1], [2, 0], [3, 0]]), [3, 1]
    params["W_y"][:] = 0
    params["b_y"][:] = [0, 0, 0, 10, 0, 0]  # <eos> first, whatever the state
    outputs, weights = greedy_decode(src, src_lengths, params, VOCAB, 5, "general")
    assert outputs == [[], []] and [w.shape for w in weights] == [(1, 3), (1, 1)]
    params["b_y"][:] = [0, 0, 0, -10, 0, 10]  # "b" forever
    outputs, weights = greedy_decode(src, src_lengths, params, VOCAB, 5, "general")
    assert outputs == [[5] * 5, [5] * 5] and [w.shape for w in weights] == [(5, 3), (5, 1)]
    assert all(np.allclose(w.sum(axis=1), 1) for w in weights)


def test_greedy_stops_at_its_first_eos_and_never_exceeds_max_len():
    """Random models whose <eos> is likely enough: greedy's output is the argmax of every step when it reads its
    own output (teacher forcing), and then <eos>, unless it was cut at max_len."""
    stopped_early = 0
    for seed in range(30):
        params, src_ids = model(seed, "additive", eos_bias=1.0)
        (output,), (weights,) = greedy_decode(src_ids[:, None], [len(src_ids)], params, VOCAB, 6, "additive")
        assert len(output) <= 6 and EOS not in output
        assert weights.shape == (min(len(output) + 1, 6), len(src_ids))
        logits, _, _ = seq2seq_forward(src_ids[:, None], [len(src_ids)], np.array([BOS, *output])[:, None], params,
                                       "additive")
        expected = output + [EOS] if len(output) < 6 else output
        assert logits[:len(expected), 0].argmax(axis=-1).tolist() == expected
        stopped_early += 0 < len(output) < 6
    assert stopped_early > 0


@pytest.mark.parametrize("attention", ATTENTIONS)
def test_greedy_on_a_batch_equals_greedy_on_each_example_alone(attention):
    params, _ = model(1, attention, eos_bias=0.5)
    rng = np.random.default_rng(1)
    src, src_lengths = rng.integers(0, 5, (5, 3)), [5, 2, 3]
    outputs, weights = greedy_decode(src, src_lengths, params, VOCAB, 7, attention)
    for j, L in enumerate(src_lengths):
        alone, alone_weights = greedy_decode(src[:L, j:j + 1], [L], params, VOCAB, 7, attention)
        assert outputs[j] == alone[0]
        if attention is None:
            assert weights is None and alone_weights is None
        else:
            assert np.allclose(weights[j], alone_weights[0], atol=1e-12, rtol=0)


def brute_force(params, src_ids, max_len, length_penalty, attention):
    """Score every possible output: each sequence of 0 to max_len - 1 tokens then <eos>, and each of exactly
    max_len tokens without <eos> (cut). All V ** max_len sequences run through seq2seq_forward at once, as one
    batch, and their prefixes give the shorter outputs."""
    V = len(VOCAB)
    every = np.array(list(itertools.product(range(V), repeat=max_len))).T  # (max_len, M)
    M = every.shape[1]
    decoder_inputs = np.vstack([np.full((1, M), BOS), every])
    logits, _, _ = seq2seq_forward(np.repeat(src_ids[:, None], M, axis=1), np.full(M, len(src_ids)), decoder_inputs,
                                   params, attention)
    log_p = log_softmax(logits)  # (max_len + 1, M, V)
    prefix = np.cumsum(np.take_along_axis(log_p[:max_len], every[..., None], axis=-1)[..., 0], axis=0)
    prefix = np.vstack([np.zeros(M), prefix])  # prefix[L, m]: log P of sequence m's first L tokens
    candidates = {}  # (tokens, ends in <eos>) -> (log P, L)
    for m in range(M):
        tokens = every[:, m].tolist()
        for L in range(max_len + 1):
            if EOS in tokens[:L]:
                break  # an output ends at its first <eos>: none comes earlier
            if L < max_len:
                candidates[(tuple(tokens[:L]), True)] = (prefix[L, m] + log_p[L, m, EOS], L + 1)
            else:
                candidates[(tuple(tokens), False)] = (prefix[max_len, m], max_len)
    scores = {key: lp / ((5 + L) / 6) ** length_penalty for key, (lp, L) in candidates.items()}
    (tokens, _), score = max(scores.items(), key=lambda item: item[1])
    return list(tokens), score


@pytest.mark.parametrize("attention", ATTENTIONS)
def test_a_beam_that_prunes_nothing_finds_the_brute_force_best(attention):
    lengths = set()
    for seed, eos_bias, length_penalty in itertools.product(range(12), (-1.0, 0.0, 1.0), (0.0, 0.6, 1.0)):
        params, src_ids = model(seed, attention, eos_bias=eos_bias)
        ids, score = beam_search(src_ids, params, VOCAB, len(VOCAB) ** 3, 3, length_penalty, attention)
        expected_ids, expected_score = brute_force(params, src_ids, 3, length_penalty, attention)
        assert ids == expected_ids and abs(score - expected_score) < 1e-10, (seed, eos_bias, length_penalty)
        lengths.add(len(ids))
    assert len(lengths) >= 2  # the answers are not all of one length


def test_a_beam_that_prunes_nothing_finds_the_brute_force_best_of_four_tokens():
    params, src_ids = model(7, "additive", eos_bias=-2.0)
    ids, score = beam_search(src_ids, params, VOCAB, len(VOCAB) ** 4, 4, 0.6, "additive")
    expected_ids, expected_score = brute_force(params, src_ids, 4, 0.6, "additive")
    assert ids == expected_ids and abs(score - expected_score) < 1e-10


@pytest.mark.parametrize("attention", ATTENTIONS)
def test_a_beam_of_width_one_is_greedy(attention):
    for seed in range(6):
        params, src_ids = model(seed, attention, eos_bias=0.5)
        (greedy,), _ = greedy_decode(src_ids[:, None], [len(src_ids)], params, VOCAB, 6, attention)
        ids, score = beam_search(src_ids, params, VOCAB, 1, 6, 0.0, attention)
        assert ids == greedy
        assert abs(score - log_prob(params, src_ids, greedy, attention, eos=len(greedy) < 6)) < 1e-10


def test_a_wider_beam_can_find_a_more_likely_output_than_greedy():
    """Greedy commits to the best first token; a beam of 2 or 3 can keep a second-best one that leads on to a
    more likely whole output. Search random models for such a case."""
    for seed in range(200):
        params, src_ids = model(seed, None, eos_bias=0.5)
        _, greedy_score = beam_search(src_ids, params, VOCAB, 1, 5)
        for width in (2, 3):
            ids, score = beam_search(src_ids, params, VOCAB, width, 5)
            if score > greedy_score + 1e-9:
                assert abs(score - log_prob(params, src_ids, ids, None, eos=len(ids) < 5)) < 1e-10
                return
    pytest.fail("no seed in 200 where a beam of 2 or 3 beats greedy")


def test_a_narrow_beam_can_miss_the_most_likely_output():
    """Beam search is not exhaustive: a hypothesis pruned early is never seen again."""
    for seed in range(200):
        params, src_ids = model(seed, "dot", eos_bias=-0.5)
        best_ids, best = brute_force(params, src_ids, 3, 0.0, "dot")
        ids, score = beam_search(src_ids, params, VOCAB, 2, 3, attention="dot")
        if score < best - 1e-9:
            assert ids != best_ids
            return
    pytest.fail("no seed in 200 where a beam of 2 misses the brute-force best")


PARAMS, SRC_IDS = model(0, None)


@pytest.mark.parametrize("change, error, message", [
    (dict(beam_width=0), ValueError, "beam_width must be at least 1, got 0"),
    (dict(beam_width=1.5), TypeError, "beam_width must be an int, got float 1.5"),
    (dict(max_len=0), ValueError, "max_len must be at least 1, got 0"),
    (dict(length_penalty=-0.5), ValueError, "length_penalty must be a finite number >= 0, got -0.5"),
    (dict(length_penalty=float("inf")), ValueError, "length_penalty must be a finite number >= 0, got inf"),
    (dict(src_ids=SRC_IDS[:, None]), ValueError, f"src_ids must have 1 dimension(s), got shape ({len(SRC_IDS)}, 1)"),
    (dict(src_ids=np.array([], int)), ValueError, "src_ids must hold at least one id on each axis, got shape (0,)"),
    (dict(src_ids=np.array([9])), ValueError, "src_ids must hold ids in [0, 4] (V = 5), got 9 at (0,)"),
    (dict(vocab=Vocab(["a", "b", "c"], reserved=("<pad>", "<unk>", "<bos>"))), ValueError,
     "vocab (the target side's) must contain '<pad>', '<bos>' and '<eos>'; it lacks ['<eos>']"),
    (dict(vocab=Vocab(["a"])), ValueError, "len(vocab) must equal V_tgt = 6 (the rows of W_y), got 5"),
    (dict(attention="general"), ValueError, "params for attention='general' is missing"),
])
def test_beam_search_refuses_bad_input(change, error, message):
    args = dict(src_ids=SRC_IDS, params=PARAMS, vocab=VOCAB, beam_width=2, max_len=3) | change
    with pytest.raises(error, match=re.escape(message)):
        beam_search(**args)


@pytest.mark.parametrize("call, error, message", [
    (lambda: greedy_decode(SRC_IDS[:, None], [len(SRC_IDS)], PARAMS, VOCAB, 0), ValueError,
     "max_len must be at least 1, got 0"),
    (lambda: greedy_decode(SRC_IDS[:, None], [0], PARAMS, VOCAB, 3), ValueError, "src_lengths must be in [1, "),
    (lambda: greedy_decode(SRC_IDS[:, None], [1], PARAMS, Vocab([], reserved=("<pad>", "<unk>", "<eos>")), 3),
     ValueError, "it lacks ['<bos>']"),
    (lambda: decoder_step(np.array([2, 6]), np.zeros((2, 3)), np.zeros((1, 2, 3)), np.ones((1, 2), bool), PARAMS),
     ValueError, "prev_ids must hold ids in [0, 5] (V = 6), got 6 at (1,)"),
    (lambda: decoder_step(np.array([2, 2]), np.zeros((2, 4)), np.zeros((1, 2, 3)), np.ones((1, 2), bool), PARAMS),
     ValueError, "state must have shape (N, H) = (2, 3), got (2, 4)"),
    (lambda: decoder_step(np.array([2, 2]), np.zeros((2, 3), np.float32), np.zeros((1, 2, 3)), np.ones((1, 2), bool),
                          PARAMS), TypeError, "state must have the params' dtype float64, got float32"),
    (lambda: decoder_step(np.array([2, 2]), np.zeros((2, 3)), np.zeros((1, 3, 3)), np.ones((1, 2), bool), PARAMS),
     ValueError, "encoder_states must have shape (T_x, N, H) = (1, 2, 3), got (1, 3, 3)"),
    (lambda: decoder_step(np.array([2, 2]), np.zeros((2, 3)), np.zeros((1, 2, 3)), np.ones((1, 2)), PARAMS),
     TypeError, "mask must be a bool NumPy array (T_x, N), True at the real positions, got dtype float64"),
    (lambda: encode(SRC_IDS[:, None], [1], {"W_y": np.zeros((6, 3))}), ValueError,
     "params is missing ['encoder.W_xr', 'encoder.W_hr', "),
])
def test_greedy_decoder_step_and_encode_refuse_bad_input(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()
