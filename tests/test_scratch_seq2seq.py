"""Sequence to sequence from scratch (seqlearn.scratch.seq2seq): finite differences on random shapes for every
attention, padding that changes nothing, each example's own s0, teacher forcing, and bad input refused."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlearn.gradcheck import grad_check
from seqlearn.scratch.attention import ATTENTION_SCORES
from seqlearn.scratch.seq2seq import (
    decoder_io,
    init_seq2seq_params,
    param_shapes,
    seq2seq_backward,
    seq2seq_forward,
    seq2seq_loss,
)
from seqlearn.vocab import Vocab

ATTENTIONS = (None, *ATTENTION_SCORES)
EXTENDED = np.finfo(np.longdouble).eps < 1e-18  # x86's 80-bit long double (or better)


def target_vocab(V_tgt):
    """A target Vocab of V_tgt ids: <pad>, <unk>, <bos>, <eos> (0 to 3), then V_tgt - 4 words."""
    return Vocab([f"w{i}" for i in range(V_tgt - 4)])


def padded_batch(rng, V, T, lengths):
    """ids (T, N) in [0, V): example j's first lengths[j] ids are real, the rest random padding."""
    return rng.integers(0, V, (T, len(lengths)))


def log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


@pytest.mark.parametrize("attention", ATTENTIONS)
def test_init_has_every_parameter_of_the_contract(attention):
    params = init_seq2seq_params(5, 7, 3, np.random.default_rng(0), attention=attention, dtype=np.float32)
    assert {name: p.shape for name, p in params.items()} == param_shapes(5, 7, 3, attention, A=3)
    assert all(p.dtype == np.float32 for p in params.values())
    assert sum(name.startswith("encoder.") for name in params) == 10 == sum(n.startswith("decoder.") for n in params)
    assert np.abs(params["W_y"]).max() <= 1 / np.sqrt(3)
    if attention is not None:
        assert params["W_c"].shape == (3, 6) and np.abs(params["W_c"]).max() <= 1 / np.sqrt(6)
    assert ("W_c" in params) == (attention is not None)


def extended_loss(src, src_lengths, targets, target_lengths, params, vocab, attention):
    """seq2seq_loss's value, computed by the same forward in np.longdouble."""
    decoder_inputs, predicted, mask = decoder_io(targets, target_lengths, vocab)
    extended = {name: p.astype(np.longdouble) for name, p in params.items()}
    logits, _, _ = seq2seq_forward(src, src_lengths, decoder_inputs, extended, attention)
    picked = np.take_along_axis(log_softmax(logits), predicted[..., None], axis=-1)[..., 0]
    return -(picked * mask).sum() / mask.sum()


@pytest.mark.skipif(not EXTENDED, reason="needs an extended-precision np.longdouble (x86 Linux has one)")
@pytest.mark.parametrize("attention", ATTENTIONS)
@settings(max_examples=5, deadline=None, derandomize=True)
@given(V_src=st.integers(5, 7), V_tgt=st.integers(5, 7), H=st.integers(2, 4), T_x=st.integers(1, 5),
       N=st.integers(1, 3), L_max=st.integers(0, 3), seed=st.integers(0, 2**16), data=st.data())
def test_loss_gradients_pass_finite_differences_on_random_shapes(attention, V_src, V_tgt, H, T_x, N, L_max, seed,
                                                                  data):
    """Some gradient entries of this deep model are as small as 1e-6 (the GRUs' W_hr, the additive score's W_q:
    effects of second order), while float64 central differences carry about 1e-10 of rounding noise, 1e-4
    relative to those. So the finite differences run the same forward in extended precision (about 1000 times
    less noise), and the parameters are drawn larger than the init's, so that fewer entries are that small."""
    rng = np.random.default_rng(seed)
    src_lengths = data.draw(st.lists(st.integers(1, T_x), min_size=N, max_size=N))
    target_lengths = data.draw(st.lists(st.integers(0, L_max), min_size=N, max_size=N))
    params = init_seq2seq_params(V_src, V_tgt, H, rng, attention=attention)
    params = {name: rng.normal(0, 0.5, p.shape) for name, p in params.items()}
    src, targets = padded_batch(rng, V_src, T_x, src_lengths), padded_batch(rng, V_tgt, L_max, target_lengths)
    args, vocab = (src, src_lengths, targets, target_lengths), target_vocab(V_tgt)
    loss, grads = seq2seq_loss(*args, params, vocab, attention)
    assert sorted(grads) == sorted(params)
    assert abs(loss - float(extended_loss(*args, params, vocab, attention))) < 1e-12
    report = grad_check(lambda: extended_loss(*args, params, vocab, attention), params, grads)
    assert report.passed(1e-6), report


@pytest.mark.parametrize("attention", ATTENTIONS)
def test_padded_source_and_target_ids_change_nothing(attention):
    rng = np.random.default_rng(1)
    params, vocab = init_seq2seq_params(6, 7, 3, rng, attention=attention), target_vocab(7)
    src_lengths, target_lengths = [5, 2, 3], [1, 4, 0]
    src, targets = padded_batch(rng, 6, 5, src_lengths), padded_batch(rng, 7, 4, target_lengths)
    loss, grads = seq2seq_loss(src, src_lengths, targets, target_lengths, params, vocab, attention)
    for j, (L_src, L_tgt) in enumerate(zip(src_lengths, target_lengths, strict=True)):
        src[L_src:, j] = rng.integers(0, 6, 5 - L_src)  # new padding
        targets[L_tgt:, j] = rng.integers(0, 7, 4 - L_tgt)
    again, again_grads = seq2seq_loss(src, src_lengths, targets, target_lengths, params, vocab, attention)
    assert abs(again - loss) < 1e-12
    for name in params:
        assert np.allclose(again_grads[name], grads[name], atol=1e-12, rtol=0), name


@pytest.mark.parametrize("attention", ATTENTIONS)
def test_each_example_starts_from_its_own_last_real_state(attention):
    """A padded example in a batch computes exactly what it computes alone, unpadded."""
    rng = np.random.default_rng(2)
    params, src_lengths = init_seq2seq_params(6, 7, 4, rng, attention=attention), np.array([5, 2, 3])
    src, decoder_inputs = padded_batch(rng, 6, 5, src_lengths), rng.integers(0, 7, (4, 3))
    logits, weights, _ = seq2seq_forward(src, src_lengths, decoder_inputs, params, attention)
    for j, L in enumerate(src_lengths):
        alone, alone_weights, _ = seq2seq_forward(src[:L, j:j + 1], [L], decoder_inputs[:, j:j + 1], params,
                                                  attention)
        assert np.allclose(logits[:, j:j + 1], alone, atol=1e-12, rtol=0)
        if attention is not None:
            assert np.allclose(weights[:, j:j + 1, :L], alone_weights, atol=1e-12, rtol=0)
            assert np.all(weights[:, j, L:] == 0)  # the padded keys get exactly nothing
    whole = seq2seq_forward(src, [5, 5, 5], decoder_inputs, params, attention)[0]  # padding read as words
    assert not np.allclose(whole[:, 1], logits[:, 1])


def test_decoder_io_shifts_the_targets_and_masks_the_padding():
    vocab = target_vocab(8)  # <pad> 0, <unk> 1, <bos> 2, <eos> 3, words 4 to 7
    targets = np.array([[5, 6, 7], [7, 6, 7], [4, 7, 7]])
    decoder_inputs, predicted, mask = decoder_io(targets, [3, 1, 0], vocab)
    assert decoder_inputs.tolist() == [[2, 2, 2], [5, 6, 0], [7, 0, 0], [4, 0, 0]]
    assert predicted.tolist() == [[5, 6, 3], [7, 3, 0], [4, 0, 0], [3, 0, 0]]
    assert mask.tolist() == [[True] * 3, [True, True, False], [True, False, False], [True, False, False]]
    assert decoder_io(np.zeros((0, 2), int), [0, 0], vocab)[1].tolist() == [[3, 3]]  # <eos> alone


@pytest.mark.parametrize("attention", [None, "additive"])
def test_loss_is_the_mean_over_the_real_tokens_and_backward_gets_its_gradient(attention):
    rng = np.random.default_rng(3)
    params, vocab = init_seq2seq_params(5, 6, 3, rng, attention=attention), target_vocab(6)
    src, targets, src_lengths, target_lengths = rng.integers(0, 5, (3, 2)), rng.integers(0, 6, (2, 2)), [3, 1], [2, 0]
    loss, grads = seq2seq_loss(src, src_lengths, targets, target_lengths, params, vocab, attention)
    decoder_inputs, predicted, mask = decoder_io(targets, target_lengths, vocab)
    logits, _, cache = seq2seq_forward(src, src_lengths, decoder_inputs, params, attention)
    log_p = np.take_along_axis(log_softmax(logits), predicted[..., None], axis=-1)[..., 0]
    assert abs(loss - (-log_p[mask].sum() / 4)) < 1e-12  # 2 + 1 tokens, then 0 + 1: four predictions
    probs = np.exp(log_softmax(logits))
    dlogits = (probs - np.eye(6)[predicted]) * mask[..., None] / 4
    assert all(np.allclose(g, grads[name], atol=1e-14) for name, g in seq2seq_backward(dlogits, cache).items())
    message = "dlogits must have shape (T_y, N, V_tgt) = (3, 2, 6), got (3, 2, 5)"
    with pytest.raises(ValueError, match=re.escape(message)):
        seq2seq_backward(np.zeros((3, 2, 5)), cache)


RNG = np.random.default_rng(0)
P = init_seq2seq_params(5, 6, 3, RNG, attention="general")
P_NONE = init_seq2seq_params(5, 6, 3, RNG)
VOCAB = target_vocab(6)
SRC, LENGTHS, DEC = RNG.integers(0, 5, (4, 3)), [4, 2, 1], RNG.integers(0, 6, (3, 3))
TARGETS, TARGET_LENGTHS = RNG.integers(4, 6, (2, 3)), [2, 0, 1]
ATT = "general"


def forward(**change):
    args = dict(src=SRC, src_lengths=LENGTHS, decoder_inputs=DEC, params=P, attention=ATT) | change
    return seq2seq_forward(**args)


def loss(**change):
    args = dict(src=SRC, src_lengths=LENGTHS, targets=TARGETS, target_lengths=TARGET_LENGTHS, params=P, vocab=VOCAB,
                attention=ATT) | change
    return seq2seq_loss(**args)


@pytest.mark.parametrize("call, error, message", [
    (lambda: forward(src_lengths=[4, 2]), ValueError,
     "src_lengths must have shape (N,) = (3,) to match src (T_x, N) = (4, 3), got (2,)"),
    (lambda: forward(src_lengths=[4, 0, 1]), ValueError, "src_lengths must be in [1, 4], got 0 for example 1"),
    (lambda: forward(src_lengths=[5, 2, 1]), ValueError, "src_lengths must be in [1, 4], got 5 for example 0"),
    (lambda: forward(src_lengths=[4.0, 2.0, 1.0]), TypeError, "src_lengths must hold integers, got dtype float64"),
    (lambda: forward(decoder_inputs=DEC[:, :2]), ValueError,
     "mismatched source/target batch sizes: src has N = 3, decoder_inputs (T_y, N) has N = 2"),
    (lambda: loss(targets=TARGETS[:, :2], target_lengths=[2, 0]), ValueError,
     "mismatched source/target batch sizes: src has N = 3, decoder_inputs (T_y, N) has N = 2"),
    (lambda: loss(target_lengths=[2, 0]), ValueError,
     "target_lengths must have shape (N,) = (3,) to match targets (L_max, N) = (2, 3), got (2,)"),
    (lambda: loss(target_lengths=[2, 3, 0]), ValueError, "target_lengths must be in [0, 2], got 3 for example 1"),
    (lambda: forward(src=np.where(np.arange(4)[:, None] == 1, 7, SRC)), ValueError,
     "src must hold ids in [0, 4] (V = 5), got 7 at (1, 0)"),
    (lambda: forward(src=SRC.astype(float)), TypeError, "src must hold integers, got dtype float64"),
    (lambda: forward(src=SRC[0]), ValueError, "src must have 2 dimension(s), got shape (3,)"),
    (lambda: forward(decoder_inputs=np.full((2, 3), -1)), ValueError,
     "decoder_inputs must hold ids in [0, 5] (V = 6), got -1 at (0, 0)"),
    (lambda: forward(decoder_inputs=np.full((2, 3), 6)), ValueError,
     "decoder_inputs must hold ids in [0, 5] (V = 6), got 6 at (0, 0)"),
    (lambda: loss(targets=np.full((2, 3), 9)), ValueError, "targets must hold ids in [0, 5] (V = 6), got 9 at (0, 0)"),
    (lambda: loss(vocab=Vocab(["a", "b", "c"], reserved=("<pad>", "<unk>", "<bos>"))), ValueError,
     "vocab (the target side's) must contain '<pad>', '<bos>' and '<eos>'; it lacks ['<eos>']"),
    (lambda: loss(vocab=target_vocab(7)), ValueError, "len(vocab) must equal V_tgt = 6 (the rows of W_y), got 7"),
    (lambda: loss(vocab=["<pad>"]), TypeError, "vocab must be a seqlearn.vocab.Vocab of the target side, got list"),
    (lambda: forward(params=P_NONE), ValueError,
     "params for attention='general' is missing ['W_c', 'attention.W_a', 'b_c'] and has unexpected []"),
    (lambda: forward(attention=None), ValueError,
     "params for attention=None is missing [] and has unexpected ['W_c', 'attention.W_a', 'b_c']"),
    (lambda: forward(attention="additive"), ValueError,
     "params for attention='additive' is missing ['attention.W_k', 'attention.W_q', 'attention.b_a', "
     "'attention.v_a'] and has unexpected ['attention.W_a']"),
    (lambda: forward(params=P | {"W_c": np.zeros((3, 5))}), ValueError, "W_c must have shape (3, 6), got (3, 5)"),
    (lambda: forward(params=P | {"encoder.W_xz": np.zeros((3, 4))}), ValueError,
     "encoder.W_xz must have shape (3, 5), got (3, 4)"),
    (lambda: forward(params=P | {"b_y": np.zeros(6, np.float32)}), TypeError,
     "b_y must have W_y's dtype float64, got float32"),
    (lambda: forward(attention="cosine"), ValueError,
     "attention must be one of None, 'dot', 'scaled_dot', 'general', 'additive'; got 'cosine'"),
    (lambda: init_seq2seq_params(5, 6, 0, RNG), ValueError, "H must be at least 1, got 0"),
    (lambda: decoder_io(TARGETS, TARGET_LENGTHS, Vocab(["a"], reserved=("<unk>", "<bos>", "<eos>"))), ValueError,
     "it lacks ['<pad>']"),
])
def test_bad_input_is_refused_with_a_message(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()
