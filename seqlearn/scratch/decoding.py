"""Decoding: writing the output with a trained `seqlearn.scratch.seq2seq` model, greedily or by beam search.

At test time there is no target to feed the decoder. It reads <bos>, then its own previous token, one step at a
time, and each step gives the log-probabilities of the next token:

    log p(y_t | y_<t, x) = log_softmax(logits_t)          (N, V_tgt)
    log P(y | x) = sum_t log p(y_t | y_<t, x)             the whole output, <eos> included

Greedy decoding takes the most likely token at every step. It is fast, but a choice is never undone: a token
that looks best now can lead only to unlikely continuations. Beam search keeps the beam_width most likely
partial outputs (hypotheses) instead of one. Each step extends every hypothesis by every token of the vocabulary
(<eos> included), ranks all the candidates by log P, and keeps the beam_width best; a kept candidate that ends
in <eos> is finished, the others go on. One that reaches max_len tokens without <eos> is finished too (cut).
With beam_width 1 this is exactly greedy decoding.

Beam search is not exhaustive: there are V_tgt ** T outputs of T tokens, and a hypothesis pruned early is never
seen again, even if its continuations would have been the most likely ones. Only when nothing is ever pruned
(beam_width >= V_tgt ** max_len) does it find the most likely output; a wider beam usually, not always, helps.

Every token has a log-probability below 0, so log P favours short outputs. The length penalty of Wu et al.
(2016) divides it by a power of the length L (the tokens, with its <eos> if it has one):

    score = log P(y | x) / ((5 + L) / 6) ** length_penalty          0: plain log P; larger: longer outputs

Hypotheses are pruned by log P, and the finished one with the best score is returned. A NaN or inf
log-probability (NaN or inf in the params) stops greedy decoding and beam search with an error: argmax or a
ranking would otherwise pick it as if it were a number.
"""

import numpy as np

from seqlearn.checks import (
    check_finite,
    check_float_array,
    check_mask,
    check_nonnegative,
    check_positive_int,
    check_same_dtype,
)
from seqlearn.one_hot import one_hot
from seqlearn.scratch.gru import gru_step_forward
from seqlearn.scratch.model_checks import check_ids
from seqlearn.scratch.seq2seq import (
    ATTENTION_CHOICES,
    GRU_NAMES,
    check_seq2seq_params,
    check_target_vocab,
    encoder_forward,
    output_forward,
    param_shapes,
    part,
)
from seqlearn.vocab import BOS, EOS


def log_softmax(logits):
    """log p along the last axis; subtracting the max changes nothing but prevents overflow."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def encode(src, src_lengths, params):
    """src (T_x, N) ids, src_lengths (N,) in [1, T_x] -> encoder_states (T_x, N, H), s0 (N, H) (each example's
    state at its last real step), mask (T_x, N) bool (True at the real source positions)."""
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    # Only the encoder's params are read here, but a misspelt name anywhere is refused, whatever the attention.
    unknown = sorted(set(params).difference(*(param_shapes(1, 1, 1, a, 1) for a in ATTENTION_CHOICES)))
    if unknown:
        raise ValueError(f"params has unknown keys {unknown}; seqlearn.scratch.seq2seq.param_shapes lists the names")
    missing = [f"encoder.{name}" for name in GRU_NAMES if f"encoder.{name}" not in params]
    if missing:
        raise ValueError(f"params is missing {missing}")
    for name in GRU_NAMES:  # one dtype: the one-hot source takes encoder.W_xr's
        check_float_array(f"encoder.{name}", params[f"encoder.{name}"])
        check_same_dtype(f"encoder.{name}", params[f"encoder.{name}"], params["encoder.W_xr"].dtype, "encoder.W_xr")
    encoder_states, s0, mask, _ = encoder_forward(src, src_lengths, params)
    return encoder_states, s0, mask


def decoder_step(prev_ids, state, encoder_states, mask, params, attention=None):
    """One step of the decoder, the maths of `seq2seq_forward` at one time step t:

        s_t = GRU_dec step(one_hot(prev_ids), state);   with attention c_t, a_t = attention(s_t, h, mask) and
        o_t = tanh([s_t; c_t] @ W_c.T + b_c), else o_t = s_t;   log_probs = log_softmax(o_t @ W_y.T + b_y)

    prev_ids (N,) ids, the tokens just read (<bos> first); state (N, H), the decoder's state; encoder_states
    (T_x, N, H) and mask (T_x, N) from `encode` -> log_probs (N, V_tgt) of the next token, the new state (N, H),
    weights (N, T_x) over the source, or None without attention.
    """
    _, V_tgt, H = check_seq2seq_params(params, attention)
    prev_ids = check_ids("prev_ids", prev_ids, V_tgt, ndim=1)
    N, dtype = len(prev_ids), params["W_y"].dtype
    state = check_float_array("state", state, ndim=2, dims="(N, H)")
    encoder_states = check_float_array("encoder_states", encoder_states, ndim=3, dims="(T_x, N, H)")
    T_x = encoder_states.shape[0]
    for name, array, shape, dims in (("state", state, (N, H), "(N, H)"),
                                     ("encoder_states", encoder_states, (T_x, N, H), "(T_x, N, H)")):
        if array.shape != shape:  # N from prev_ids, H from params
            raise ValueError(f"{name} must have shape {dims} = {shape}, got {array.shape}")
        if array.dtype != dtype:
            raise TypeError(f"{name} must have the params' dtype {dtype}, got {array.dtype}")
    check_mask("mask", mask, (T_x, N), "(T_x, N)", per_example=True)  # each example: a real source position
    x = one_hot(prev_ids, V_tgt, dtype=dtype)
    state, _, _ = gru_step_forward(x, state, part(params, "decoder", GRU_NAMES))
    logits, weights, _ = output_forward(state[None], encoder_states, mask, params, attention)  # one time step
    return log_softmax(logits[0]), state, None if weights is None else weights[0]


def _choosable(log_probs):
    """Decoding turns log-probabilities into choices, so NaN or inf must stop it: argmax would pick a NaN."""
    try:
        return check_finite("log_probs", log_probs)
    except ValueError as error:
        raise ValueError(f"{error}; a NaN or inf in params (or an overflow) reached the decoder") from None


def check_decoding(params, vocab, max_len, attention):
    """What greedy decoding and beam search check: params, the target vocabulary, max_len >= 1.
    Returns V_src and the ids of <bos> and <eos>."""
    V_src, V_tgt, _ = check_seq2seq_params(params, attention)
    check_target_vocab(vocab, V_tgt)
    check_positive_int("max_len", max_len)
    return V_src, vocab.token_to_id[BOS], vocab.token_to_id[EOS]


def greedy_decode(src, src_lengths, params, vocab, max_len, attention=None):
    """The most likely token at every step. src (T_x, N) ids, src_lengths (N,) -> outputs, weights.

    outputs: N lists of ids, without <eos>: example j stops at its first <eos>, or after max_len tokens.
    weights: N arrays (steps taken, src_lengths[j]), one row per decoder step (the step that wrote <eos>
    included), or None without attention.
    """
    _, bos, eos = check_decoding(params, vocab, max_len, attention)
    encoder_states, state, mask = encode(src, src_lengths, params)
    N, lengths = state.shape[0], mask.sum(axis=0)
    outputs, rows, running = [[] for _ in range(N)], [[] for _ in range(N)], np.ones(N, bool)
    prev_ids = np.full(N, bos)
    for _ in range(max_len):
        log_probs, state, weights = decoder_step(prev_ids, state, encoder_states, mask, params, attention)
        prev_ids = _choosable(log_probs).argmax(axis=-1)  # the most likely token; it is also the next step's input
        for j in np.flatnonzero(running):  # an example that has finished keeps running, but is not read
            if weights is not None:
                rows[j].append(weights[j, :lengths[j]])
            if prev_ids[j] == eos:
                running[j] = False
            else:
                outputs[j].append(int(prev_ids[j]))
        if not running.any():
            break
    return outputs, None if attention is None else [np.array(r) for r in rows]


def beam_search(src_ids, params, vocab, beam_width, max_len, length_penalty=0.0, attention=None):
    """Beam search for ONE source, src_ids (T_x,) ids -> (ids, score): the best finished hypothesis's ids
    (without <eos>) and its score, log P / ((5 + L) / 6) ** length_penalty. Ties: the first found."""
    V_src, bos, eos = check_decoding(params, vocab, max_len, attention)
    check_positive_int("beam_width", beam_width)
    check_nonnegative("length_penalty", length_penalty)
    src_ids = check_ids("src_ids", src_ids, V_src, ndim=1)  # at least one token
    encoder_states, states, mask = encode(src_ids[:, None], [len(src_ids)], params)
    beam = [([], 0.0)]  # the unfinished hypotheses: (tokens, log P); states (len(beam), H) are their decoder's
    finished = []  # (tokens without <eos>, log P, L)
    for step in range(1, max_len + 1):
        B = len(beam)  # the hypotheses are decoded together, as a batch of B copies of the source
        prev_ids = np.array([tokens[-1] if tokens else bos for tokens, _ in beam])
        log_probs, states, _ = decoder_step(prev_ids, states, np.repeat(encoder_states, B, axis=1),
                                            np.repeat(mask, B, axis=1), params, attention)
        # (B, V_tgt): log P of each candidate
        totals = np.array([log_p for _, log_p in beam])[:, None] + _choosable(log_probs)
        best = np.argsort(-totals, axis=None, kind="stable")[:beam_width]  # stable: ties keep the first
        kept = []
        for b, token in zip(*np.unravel_index(best, totals.shape), strict=True):
            tokens, log_p = beam[b][0], float(totals[b, token])
            if token == eos:
                finished.append((tokens, log_p, len(tokens) + 1))
            elif step == max_len:
                finished.append((tokens + [int(token)], log_p, max_len))  # cut: no room for <eos>
            else:
                kept.append((b, tokens + [int(token)], log_p))
        if not kept:
            break
        beam, states = [(tokens, log_p) for _, tokens, log_p in kept], states[[b for b, _, _ in kept]]
    scores = [log_p / ((5 + L) / 6) ** length_penalty for _, log_p, L in finished]
    i = int(np.argmax(scores))  # the first of the best
    return finished[i][0], float(scores[i])
