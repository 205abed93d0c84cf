"""Regression tests for issue 17 in the scratch models (`architectures`, `attention`, `seq2seq`, `decoding`): each
example of the issue is refused, naming the argument, instead of giving a silent wrong answer or a raw traceback."""

import numpy as np
import pytest

from seqlearn.scratch import (
    attention_backward,
    attention_forward,
    beam_search,
    encode,
    encoder_decoder_generate,
    encoder_decoder_loss,
    generate,
    greedy_decode,
    init_attention_params,
    init_model_params,
    init_seq2seq_params,
    many_to_many_forward,
    many_to_many_loss,
    many_to_one_forward,
    many_to_one_loss,
    seq2seq_forward,
    seq2seq_loss,
    teacher_forcing_inputs,
)
from seqlearn.vocab import Vocab

RNG = np.random.default_rng(0)
P = init_model_params(3, 4, 3, RNG)  # D = O = 3: generate can feed its outputs back
X = RNG.normal(size=(2, 2, 3))
TARGETS = np.array([[0, 1], [2, 0]])
ENCODER = {k: v for k, v in init_model_params(3, 4, 1, RNG).items() if k in ("W_xh", "W_hh", "b_h")}
DECODER = init_model_params(4, 4, 3, RNG)  # reads its 3 classes and <bos>
VOCAB = Vocab(["a", "b"])  # <pad> 0, <unk> 1, <bos> 2, <eos> 3, a 4, b 5
S2S = init_seq2seq_params(5, 6, 3, RNG, attention="general")
SRC, SRC_LENGTHS = np.array([[0, 1], [2, 3]]), [2, 1]


def typo(params, key="b_h"):
    """The bias under a misspelt name: it used to be filtered out, and the model silently had no bias."""
    return {("b_hx" if k == key else k): v for k, v in params.items()}


@pytest.mark.parametrize("call", [
    lambda: many_to_many_forward(X, None, typo(P)),
    lambda: many_to_many_loss(X, TARGETS, typo(P)),
    lambda: many_to_one_forward(X, None, typo(P)),
    lambda: many_to_one_loss(X, TARGETS[0], typo(P)),
    lambda: generate(typo(P), 0, 3),
], ids=["many_to_many_forward", "many_to_many_loss", "many_to_one_forward", "many_to_one_loss", "generate"])
def test_a_misspelt_bias_is_refused_not_dropped(call):
    with pytest.raises(ValueError, match=r"params has unknown keys \['b_hx'\]"):
        call()


def test_a_misspelt_bias_is_refused_in_the_encoder_decoder():
    with pytest.raises(ValueError, match=r"decoder has unknown keys \['b_hx'\]"):
        encoder_decoder_loss(X, TARGETS, ENCODER, typo(DECODER))
    with pytest.raises(ValueError, match=r"decoder has unknown keys \['b_hx'\]"):
        encoder_decoder_generate(X, ENCODER, typo(DECODER), 2)
    with pytest.raises(ValueError, match=r"encoder has unknown keys \['b_hx'\]"):
        encoder_decoder_generate(X, typo(ENCODER), DECODER, 2)


def test_encode_refuses_a_misspelt_name_it_does_not_read():
    params = {("b_yy" if k == "b_y" else k): v for k, v in S2S.items()}
    with pytest.raises(ValueError, match=r"params has unknown keys \['b_yy'\]"):
        encode(SRC, SRC_LENGTHS, params)


def test_init_model_params_checks_its_arguments():
    with pytest.raises(TypeError, match="rng must be a np.random.Generator"):
        init_model_params(3, 4, 3, None)
    with pytest.raises(TypeError, match="O must be an int, got bool True"):
        init_model_params(3, 4, True, RNG)
    for init in (lambda: init_model_params(3, 4, 3, RNG, dtype=np.int64),
                 lambda: init_attention_params(3, 3, "general", RNG, dtype=np.int64),
                 lambda: init_seq2seq_params(5, 6, 3, RNG, dtype=np.int64),
                 lambda: teacher_forcing_inputs(TARGETS, 3, dtype=np.int64)):
        with pytest.raises(TypeError, match="dtype must be a floating"):
            init()


def test_a_refused_init_draws_nothing():
    rng = np.random.default_rng(1)
    before = rng.bit_generator.state
    with pytest.raises(TypeError, match="dtype"):
        init_seq2seq_params(5, 6, 3, rng, dtype=np.int64)
    assert rng.bit_generator.state == before


@pytest.mark.parametrize("call, message", [
    (lambda: many_to_many_loss(X, TARGETS, P, mask=np.zeros((2, 2), bool)),
     r"mask must be True somewhere \(a real position\), got all False"),
    (lambda: many_to_many_loss(X[:0], TARGETS[:0], P), r"x must not be empty"),
    (lambda: many_to_many_loss(X[:, :0], TARGETS[:, :0], P), r"x must not be empty"),
    (lambda: many_to_one_loss(X[:, :0], TARGETS[0, :0], P), r"x must not be empty"),
    (lambda: encoder_decoder_loss(X, TARGETS[:0], ENCODER, DECODER), r"targets must hold at least one step"),
    (lambda: encoder_decoder_loss(X[:, :0], TARGETS[:, :0], ENCODER, DECODER), r"x must not be empty"),
    (lambda: seq2seq_loss(SRC[:, :0], [], np.zeros((1, 0), int), [], S2S, VOCAB, "general"),
     r"must hold at least one example \(N >= 1\)"),
], ids=["all-False mask", "T=0", "N=0", "many_to_one N=0", "encoder_decoder T_y=0", "encoder_decoder N=0",
        "seq2seq N=0"])
def test_a_loss_over_zero_tokens_is_an_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("call", [
    lambda: many_to_many_loss(X, TARGETS, P | {"b_y": np.array([np.nan, 0.0, 0.0])}),
    lambda: many_to_one_loss(X, TARGETS[0], P | {"b_y": np.array([np.inf, 0.0, 0.0])}),
    lambda: encoder_decoder_loss(X, TARGETS, ENCODER, DECODER | {"b_y": np.array([0.0, np.nan, 0.0])}),
    lambda: seq2seq_loss(SRC, SRC_LENGTHS, np.array([[4, 5], [5, 4]]), [2, 1], S2S | {"b_y": np.full(6, np.nan)},
                         VOCAB, "general"),
], ids=["many_to_many", "many_to_one", "encoder_decoder", "seq2seq"])
def test_a_non_finite_logit_is_refused_by_the_loss(call):
    with pytest.raises(ValueError, match="logits must be finite"):
        call()


def test_a_non_finite_input_is_refused_by_the_loss_even_where_tanh_would_hide_it():
    x = X.copy()
    x[0, 0, 0] = np.inf  # tanh(inf) = 1: the logits would be finite, the loss a number
    with pytest.raises(ValueError, match=r"x must be finite, got .*inf.* at position \(0, 0, 0\)"):
        many_to_one_loss(x, TARGETS[0], P)


def test_the_forward_passes_propagate_nan():
    x = X.copy()
    x[0, 0, 0] = np.nan
    logits, _, _ = many_to_many_forward(x, None, P)
    assert np.isnan(logits[:, 0]).all() and np.isfinite(logits[:, 1]).all()


def test_decoding_refuses_non_finite_log_probabilities():
    bad = S2S | {"b_y": np.full(6, np.nan)}
    with pytest.raises(ValueError, match="log_probs must be finite"):
        greedy_decode(SRC, SRC_LENGTHS, bad, VOCAB, 3, "general")
    with pytest.raises(ValueError, match="log_probs must be finite"):
        beam_search(SRC[:, 0], bad, VOCAB, 2, 3, attention="general")


@pytest.mark.parametrize("call, message", [
    (lambda: beam_search(SRC[:, 0], S2S, VOCAB, True, 3, attention="general"), "beam_width must be an int, got bool"),
    (lambda: beam_search(SRC[:, 0], S2S, VOCAB, 2, True, attention="general"), "max_len must be an int, got bool"),
    (lambda: beam_search(SRC[:, 0], S2S, VOCAB, 2, 3, True, "general"), "length_penalty must be .*, got bool"),
    (lambda: greedy_decode(SRC, SRC_LENGTHS, S2S, VOCAB, True, "general"), "max_len must be an int, got bool"),
    (lambda: generate(P, 0, True), "steps must be an int, got bool"),
    (lambda: generate(P, True, 3), "start_id must hold integers, got dtype bool"),
    (lambda: generate(P, 0, 3, greedy=1), "greedy must be True or False, got int 1"),
    (lambda: encoder_decoder_generate(X, ENCODER, DECODER, True), "steps must be an int, got bool"),
    (lambda: teacher_forcing_inputs(TARGETS, True), "num_classes must be an int, got bool"),
    (lambda: init_attention_params(3, 3, "additive", RNG, A=True), "A must be an int, got bool"),
], ids=["beam_width", "max_len", "length_penalty", "greedy max_len", "steps", "start_id", "greedy", "generate steps",
        "num_classes", "A"])
def test_a_bool_is_not_a_number(call, message):
    with pytest.raises(TypeError, match=message):
        call()


@pytest.mark.parametrize("call, message", [
    (lambda: seq2seq_forward(np.array([[2**63 + 5], [1]], np.uint64), [2], np.array([[2]]), S2S, "general"),
     "src must be ids below 2\\*\\*63"),
    (lambda: beam_search(np.array([2**63 + 5], np.uint64), S2S, VOCAB, 2, 3, attention="general"),
     "src_ids must be ids below 2\\*\\*63"),
    (lambda: generate(P, np.uint64(2**63 + 5), 3), "start_id must be ids below 2\\*\\*63"),
    (lambda: many_to_many_loss(X, np.array([[0, 1], [2, 2**63 + 5]], np.uint64), P), "targets must be ids below"),
    (lambda: many_to_many_loss(X, np.array([[0, 1], [2, 3]]), P), r"targets must be ids in \[0, 2\]"),
    (lambda: generate(P, 0, 3, stop_id=3), r"stop_id must be ids in \[0, 2\]"),  # it would never stop
    (lambda: seq2seq_forward(SRC, SRC_LENGTHS, np.array([[2, 6]]), S2S, "general"),
     r"decoder_inputs must hold ids in \[0, 5\]"),
    (lambda: seq2seq_forward(SRC, SRC_LENGTHS, np.zeros((0, 2), int), S2S, "general"),
     "decoder_inputs must hold at least one id on each axis"),
], ids=["src uint64", "src_ids uint64", "start_id uint64", "targets uint64", "targets out of range",
        "stop_id out of range", "decoder_inputs out of range", "decoder_inputs T_y=0"])
def test_ids_out_of_range_or_that_would_wrap_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_attention_refuses_a_foreign_cache_and_a_missing_upstream_gradient():
    queries = RNG.normal(size=(2, 2, 3))
    context, _, cache = attention_forward(queries, queries, None, {}, "dot")
    with pytest.raises(TypeError, match="cache must be the cache that attention_forward returned, got tuple"):
        attention_backward(context, tuple(cache))
    with pytest.raises(TypeError, match=r"dcontext must be a NumPy array \(T_q, N, H_k\), got None"):
        attention_backward(None, cache)


def test_scaled_dot_attention_keeps_float32():
    """np.sqrt of an int is a float64 scalar, which NumPy 2 lets upcast a float32 array."""
    queries = RNG.normal(size=(2, 2, 3)).astype(np.float32)
    context, weights, cache = attention_forward(queries, queries, None, {}, "scaled_dot")
    assert context.dtype == weights.dtype == np.float32
    assert all(g.dtype == np.float32 for g in attention_backward(context, cache)[:2])
    assert init_attention_params(3, 3, "general", RNG, dtype=np.float32)["W_a"].dtype == np.float32
