"""The PyTorch sequence to sequence model (seqlearn.seq2seq_models) against its NumPy twin (seqlearn.scratch.seq2seq):
float64 logits, weights, loss and every gradient, teacher forcing, greedy decoding; converters, padding, errors."""


import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlearn.fit import fit, index_batches
from seqlearn.reversal import pad_pairs, reversal_pairs, reversal_vocab
from seqlearn.scratch import decoding
from seqlearn.scratch.attention import ATTENTION_SCORES
from seqlearn.scratch.seq2seq import decoder_io, init_seq2seq_params, seq2seq_forward, seq2seq_loss
from seqlearn.seq2seq_models import (
    Seq2Seq,
    greedy_decode,
    seq2seq_grads_from_torch,
    seq2seq_params_from_torch,
    seq2seq_params_to_torch,
    sequence_loss,
    teacher_forcing,
)
from seqlearn.vocab import Vocab

ATTENTIONS = (None, *ATTENTION_SCORES)
TARGETS = Vocab(list("abc"))  # <pad> <unk> <bos> <eos> a b c: V_tgt = 7, the NumPy loss's target vocabulary
PAD, BOS, EOS = (TARGETS.token_to_id[t] for t in ("<pad>", "<bos>", "<eos>"))
V_SRC, V_TGT = 5, len(TARGETS)


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models: on 2 shared cores a second torch thread only waits for the first. One thread, then the old one."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def batch(rng, N, T_x, L_max):
    """A random padded batch, time-major: src (T_x, N), src_lengths (N,), targets (L_max, N), target_lengths (N,);
    padding holds random ids, which must change nothing."""
    src_lengths = rng.integers(1, T_x + 1, N)
    src_lengths[0] = T_x
    target_lengths = rng.integers(0, L_max + 1, N)
    return (rng.integers(0, V_SRC, (T_x, N)), src_lengths, rng.integers(4, V_TGT, (L_max, N)), target_lengths)


def twins(attention, H, rng):
    """The NumPy params and a float64 Seq2Seq holding the same numbers."""
    params = init_seq2seq_params(V_SRC, V_TGT, H, rng, attention)
    return params, seq2seq_params_to_torch(params, Seq2Seq(V_SRC, V_TGT, H, attention).double())


def tensors(*arrays):
    return tuple(torch.from_numpy(np.asarray(a, dtype=np.int64)) for a in arrays)


@settings(max_examples=30)
@given(attention=st.sampled_from(ATTENTIONS), N=st.integers(1, 4), T_x=st.integers(1, 6), L_max=st.integers(1, 5),
       H=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_loss_logits_weights_and_every_gradient_match_the_numpy_model(attention, N, T_x, L_max, H, seed):
    rng = np.random.default_rng(seed)
    params, model = twins(attention, H, rng)
    src, src_lengths, targets, target_lengths = batch(rng, N, T_x, L_max)
    decoder_inputs, predicted, mask = decoder_io(targets, target_lengths, TARGETS)
    logits, weights, _ = seq2seq_forward(src, src_lengths, decoder_inputs, params, attention)
    loss, grads = seq2seq_loss(src, src_lengths, targets, target_lengths, params, TARGETS, attention)

    t_src, t_len, t_dec, t_pred = tensors(src, src_lengths, decoder_inputs, predicted)
    t_logits, t_weights = model(t_src, t_len, t_dec)
    t_loss = sequence_loss(t_logits, t_pred, torch.from_numpy(mask))
    t_loss.backward()
    np.testing.assert_allclose(t_logits.detach().numpy(), logits, rtol=0, atol=1e-12)
    if attention is None:
        assert weights is None and t_weights is None
    else:
        np.testing.assert_allclose(t_weights.detach().numpy(), weights, rtol=0, atol=1e-12)
    assert abs(t_loss.item() - loss) < 1e-10
    t_grads = seq2seq_grads_from_torch(model)
    assert sorted(t_grads) == sorted(grads) == sorted(params)
    for name, grad in grads.items():
        np.testing.assert_allclose(t_grads[name], grad, rtol=0, atol=1e-10, err_msg=name)


@settings(max_examples=25)
@given(N=st.integers(1, 5), L_max=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_teacher_forcing_matches_the_numpy_decoder_io(N, L_max, seed):
    rng = np.random.default_rng(seed)
    _, _, targets, target_lengths = batch(rng, N, 1, L_max)
    expected = decoder_io(targets, target_lengths, TARGETS)
    got = teacher_forcing(*tensors(targets, target_lengths), BOS, EOS, PAD)
    for g, e in zip(got, expected, strict=True):
        assert np.array_equal(g.numpy(), e)
    assert got[0].dtype == got[1].dtype == torch.int64 and got[2].dtype == torch.bool


def test_teacher_forcing_layout():
    targets = torch.tensor([[4, 5], [6, 0]])  # example 0: "4 6", example 1: "5"
    decoder_inputs, predicted, mask = teacher_forcing(targets, torch.tensor([2, 1]), bos_id=2, eos_id=3, pad_id=0)
    assert decoder_inputs.T.tolist() == [[2, 4, 6], [2, 5, 0]]
    assert predicted.T.tolist() == [[4, 6, 3], [5, 3, 0]]
    assert mask.T.tolist() == [[True, True, True], [True, True, False]]


def test_sequence_loss_is_the_mean_over_real_tokens():
    torch.manual_seed(0)
    logits, predicted = torch.randn(4, 3, 6), torch.randint(0, 6, (4, 3))
    mask = torch.tensor([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=torch.bool)
    nll = -torch.log_softmax(logits, -1).gather(-1, predicted[..., None])[..., 0]
    assert torch.isclose(sequence_loss(logits, predicted, mask), nll[mask].sum() / 6)


@pytest.mark.parametrize("attention", ATTENTIONS)
def test_converters_round_trip_exactly(attention):
    rng = np.random.default_rng(1)
    params, model = twins(attention, 3, rng)
    back = seq2seq_params_from_torch(model)
    assert sorted(back) == sorted(params) and all(np.array_equal(back[k], params[k]) for k in params)
    torch.manual_seed(2)
    original = Seq2Seq(V_SRC, V_TGT, 3, attention).double()  # nn.GRU's own init: two nonzero biases for r and z
    copied = seq2seq_params_to_torch(seq2seq_params_from_torch(original), Seq2Seq(V_SRC, V_TGT, 3, attention).double())
    src, src_lengths, targets, target_lengths = batch(rng, 3, 4, 3)
    inputs = (*tensors(src, src_lengths), teacher_forcing(*tensors(targets, target_lengths), BOS, EOS, PAD)[0])
    with torch.no_grad():
        for a, b in zip(original(*inputs), copied(*inputs), strict=True):
            assert (a is None and b is None) or torch.allclose(a, b, rtol=0, atol=1e-14)


@pytest.mark.parametrize("attention", ATTENTIONS)
def test_each_example_is_what_it_would_be_alone(attention):
    """s0 from each example's own last step and masked keys: padding, and what is batched alongside, change nothing."""
    rng = np.random.default_rng(3)
    _, model = twins(attention, 4, rng)
    src, src_lengths, targets, target_lengths = tensors(*batch(rng, 4, 6, 4))
    decoder_inputs = teacher_forcing(targets, target_lengths, BOS, EOS, PAD)[0]
    with torch.no_grad():
        logits, weights = model(src, src_lengths, decoder_inputs)
        for j in range(4):
            L = int(src_lengths[j])
            alone, alone_weights = model(src[:L, j:j + 1], src_lengths[j:j + 1], decoder_inputs[:, j:j + 1])
            assert torch.allclose(alone, logits[:, j:j + 1], rtol=0, atol=1e-13)
            if attention is not None:
                assert torch.allclose(alone_weights, weights[:, j:j + 1, :L], rtol=0, atol=1e-13)
                assert (weights[:, j, L:] == 0).all()


@pytest.mark.parametrize("attention", ATTENTIONS)
def test_greedy_decode_matches_the_numpy_greedy_decode(attention):
    rng = np.random.default_rng(4)
    params = {name: 4 * p for name, p in init_seq2seq_params(V_SRC, V_TGT, 6, rng, attention).items()}  # varied
    model = Seq2Seq(V_SRC, V_TGT, 6, attention).double()
    src, src_lengths, _, _ = batch(rng, 12, 5, 1)
    for shift in np.arange(-4, 4, 0.25):  # <eos> made likelier until the examples stop after different numbers of steps
        shifted = params | {"b_y": params["b_y"] + shift * (np.arange(V_TGT) == EOS)}
        outputs, rows = decoding.greedy_decode(src, src_lengths, shifted, TARGETS, 6, attention)
        if len({len(out) for out in outputs}) >= 3:
            break
    assert len({len(out) for out in outputs}) >= 3
    decoded = greedy_decode(seq2seq_params_to_torch(shifted, model), *tensors(src, src_lengths), BOS, EOS, max_len=6)
    assert decoded.ids.shape == (6, 12) and decoded.lengths.tolist() == [len(out) for out in outputs]
    for j, out in enumerate(outputs):
        L = len(out)
        assert decoded.ids[:L, j].tolist() == out and (decoded.ids[L:, j] == EOS).all()
        if attention is None:
            assert decoded.weights is None and rows is None
        else:
            steps = rows[j].shape[0]  # the steps it took, <eos> included
            np.testing.assert_allclose(decoded.weights[:steps, j, :src_lengths[j]].numpy(), rows[j], atol=1e-12)
            assert (decoded.weights[steps:, j] == 0).all() and (decoded.weights[:, j, src_lengths[j]:] == 0).all()


def test_greedy_decode_stops_at_eos_and_reads_its_own_output():
    torch.manual_seed(5)
    model = Seq2Seq(V_SRC, V_TGT, 4, "general")
    src, src_lengths = torch.randint(0, V_SRC, (3, 2)), torch.tensor([3, 2])
    with torch.no_grad():
        model.W_y.bias[EOS] = -1e4  # never <eos>: every example runs to max_len
        decoded = greedy_decode(model, src, src_lengths, BOS, EOS, 5)
        assert decoded.lengths.tolist() == [5, 5] and (decoded.ids != EOS).all()
        logits, weights = model(src, src_lengths, torch.cat([torch.full((1, 2), BOS), decoded.ids[:-1]]))
        assert torch.equal(logits.argmax(-1), decoded.ids) and torch.allclose(weights, decoded.weights)
        model.W_y.bias[EOS] = 1e4  # <eos> at once: lengths 0, and the loop ends after one step
        decoded = greedy_decode(model, src, src_lengths, BOS, EOS, 5)
        assert decoded.lengths.tolist() == [0, 0] and (decoded.ids == EOS).all()
        assert torch.allclose(decoded.weights[0].sum(-1), torch.ones(2)) and (decoded.weights[1:] == 0).all()
    assert model.training  # greedy_decode evaluates, then leaves the mode as it was


def test_fit_trains_it_on_reversal():
    vocab = reversal_vocab()
    pad, bos, eos = (vocab.token_to_id[t] for t in ("<pad>", "<bos>", "<eos>"))
    data = pad_pairs(reversal_pairs(256, 2, 4, np.random.default_rng(0)), vocab)
    src, src_lengths, targets, target_lengths = tensors(*data)
    decoder_inputs, predicted, _ = teacher_forcing(targets, target_lengths, bos, eos, pad)
    batches = index_batches(np.arange(256), 32, lambda j: ((src[:, j], src_lengths[j], decoder_inputs[:, j]),
                                                           predicted[:, j]))
    torch.manual_seed(0)
    model = Seq2Seq(len(vocab), len(vocab), 32, "dot")
    history = fit(model, lambda out, y: sequence_loss(out[0], y, y != pad), batches, lambda: batches(), epochs=15,
                  lr=1e-2, seed=0, progress=False, device="cpu")
    assert history.val_loss[history.best_epoch] < 0.2 * history.val_loss[0]


@pytest.mark.parametrize("call, error, message", [
    (lambda m, s, n, d: m(s.double(), n, d), ValueError, r"src must be a \(T_x, N\) torch.int64 tensor, no axis empty; "
                                                         r"got shape \(3, 2\) and torch.float64"),
    (lambda m, s, n, d: m(s + V_SRC, n, d), ValueError, r"src must be in \[0, 4\], got values from 5"),
    (lambda m, s, n, d: m(s, n, d[:, :1]), ValueError, r"src \(T_x, N\) and decoder_inputs \(T_y, N\) need the same "
                                                       r"N, got \(3, 2\) and \(4, 1\)"),
    (lambda m, s, n, d: m(s, n.int(), d), ValueError, r"src_lengths must be a \(N,\) torch.int64 tensor, N = 2, no "
                                                      r"axis empty; got shape \(2,\) and torch.int32"),
    (lambda m, s, n, d: m(s, torch.tensor([0, 3]), d), ValueError, r"src_lengths must be in \[1, 3\], got values "
                                                                   "from 0 to 3"),
    (lambda m, s, n, d: m(s, torch.tensor([4, 3]), d), ValueError, r"src_lengths must be in \[1, 3\]"),
    (lambda m, s, n, d: Seq2Seq(5, 7, 4, "cosine"), ValueError, "attention must be one of None, 'dot'"),
    (lambda m, s, n, d: Seq2Seq(5, 0, 4), ValueError, "tgt_vocab_size must be at least 1, got 0"),
    (lambda m, s, n, d: greedy_decode(m, s, n, 7, EOS, 5), ValueError, r"bos_id must be a target id in \[0, 6\], "
                                                                       "got 7"),
    (lambda m, s, n, d: greedy_decode(m, s, n, BOS, EOS, 0), ValueError, "max_len must be at least 1, got 0"),
    (lambda m, s, n, d: greedy_decode(m, s, n[:1], BOS, EOS, 5), ValueError,
     r"src_lengths must be a \(N,\) torch.int64 tensor, N = 2"),
    (lambda m, s, n, d: teacher_forcing(d, torch.tensor([4, 5]), BOS, EOS, PAD), ValueError,
     r"target_lengths must be in \[0, 4\], got values from 4 to 5"),
    (lambda m, s, n, d: teacher_forcing(d[0], n, BOS, EOS, PAD), ValueError,
     r"targets must be a \(L, N\) torch.int64 tensor, no axis empty; got shape \(2,\)"),
    (lambda m, s, n, d: teacher_forcing(d, n, -1, EOS, PAD), ValueError, "bos_id must be at least 0, got -1"),
    (lambda m, s, n, d: sequence_loss(torch.zeros(4, 2, 7), d, torch.zeros(4, 2, dtype=torch.bool)), ValueError,
     "mask must be True somewhere"),
    (lambda m, s, n, d: sequence_loss(torch.zeros(4, 2, 7), d[:3], d[:3] > 0), ValueError,
     r"predicted must be a \(T_y, N\) torch.int64 tensor, T_y = 4, N = 2, no axis empty; got shape \(3, 2\)"),
    (lambda m, s, n, d: sequence_loss(torch.zeros(4, 2, 7), d, d), ValueError,
     r"mask must be a \(T_y, N\) torch.bool tensor, T_y = 4, N = 2, no axis empty; got shape \(4, 2\) and "
     "torch.int64"),
    (lambda m, s, n, d: seq2seq_params_to_torch({"W_y": np.zeros((7, 4))}, m), ValueError,
     r"params is missing .*'W_c'.*; it has \['W_y'\]"),
    (lambda m, s, n, d: seq2seq_params_to_torch(seq2seq_params_from_torch(m) | {"W_c": np.zeros((4, 4), np.float32)},
                                                m),
     ValueError, r"W_c must have shape \(4, 8\), got \(4, 4\)"),
])
def test_bad_input_is_refused_with_a_message(call, error, message):
    torch.manual_seed(0)
    model = Seq2Seq(V_SRC, V_TGT, 4, "general")
    src, src_lengths, decoder_inputs = torch.randint(0, V_SRC, (3, 2)), torch.tensor([3, 1]), torch.full((4, 2), BOS)
    with pytest.raises(error, match=message):
        call(model, src, src_lengths, decoder_inputs)
