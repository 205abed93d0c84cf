"""The many-to-one classifier and its recall-task training loop: shapes, the keep-the-state bias, learning, errors."""

import numpy as np
import pytest
import torch

import seqlearn.classifier
from seqlearn.classifier import SequenceClassifier, accuracy, train_recall
from seqlearn.tasks import recall_task
from seqlearn.training import NonFiniteLossError


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_time_major_ids_to_one_logit_row_per_sequence(cell):
    torch.manual_seed(0)
    model = SequenceClassifier(7, 5, 3, cell=cell)
    ids = torch.randint(0, 7, (9, 4))  # (T, N)
    logits = model(ids)
    assert logits.shape == (4, 3) and logits.dtype == torch.float32
    out, _ = model.rnn(torch.nn.functional.one_hot(ids, 7).float())  # the answer comes from the last state only
    torch.testing.assert_close(logits, model.head(out[-1]))
    changed = ids.clone()
    changed[:-1] = (changed[:-1] + 1) % 7
    assert not torch.allclose(model(changed), logits)  # earlier steps matter, through the state


def test_relu_nonlinearity_reaches_torch():
    assert SequenceClassifier(4, 3, 2, nonlinearity="relu").rnn.nonlinearity == "relu"
    assert SequenceClassifier(4, 3, 2).rnn.nonlinearity == "tanh"


@pytest.mark.parametrize("cell, gates", [("lstm", 4), ("gru", 3)])
def test_keep_bias_lands_on_the_second_gate_block_only(cell, gates):
    H = 6
    torch.manual_seed(1)
    plain = SequenceClassifier(5, H, 2, cell=cell)
    torch.manual_seed(1)
    kept = SequenceClassifier(5, H, 2, cell=cell, keep_bias=2.5)
    assert kept.rnn.bias_ih_l0.shape == (gates * H,)
    difference = (kept.rnn.bias_ih_l0 - plain.rnn.bias_ih_l0).detach()
    expected = torch.zeros(gates * H)
    expected[H:2 * H] = 2.5  # LSTM (i, f, g, o): the forget gate; GRU (r, z, n): the update gate
    torch.testing.assert_close(difference, expected)
    for (name, a), (_, b) in zip(plain.state_dict().items(), kept.state_dict().items(), strict=True):
        if name != "rnn.bias_ih_l0":
            assert torch.equal(a, b), name


def test_keep_bias_makes_the_lstm_keep_its_cell():
    """With a large forget bias and no input, the cell state is carried almost unchanged: f = sigmoid(bias)."""
    torch.manual_seed(2)
    model = SequenceClassifier(3, 4, 2, cell="lstm", keep_bias=8.0)
    with torch.no_grad():
        model.rnn.weight_ih_l0.zero_()
        model.rnn.weight_hh_l0.zero_()
        f = torch.sigmoid(model.rnn.bias_ih_l0[4:8] + model.rnn.bias_hh_l0[4:8])
    c0 = torch.randn(1, 1, 4)
    _, (_, c1) = model.rnn(torch.zeros(1, 1, 3), (torch.zeros(1, 1, 4), c0))
    i, g = (torch.sigmoid(model.rnn.bias_ih_l0[:4] + model.rnn.bias_hh_l0[:4]),
            torch.tanh(model.rnn.bias_ih_l0[8:12] + model.rnn.bias_hh_l0[8:12]))
    torch.testing.assert_close(c1[0, 0], (f * c0[0, 0] + i * g).detach())
    assert (f > 0.999).all()


def test_a_vanilla_rnn_learns_a_short_delay_quickly():
    torch.manual_seed(0)
    model = SequenceClassifier(16, 32, 8)
    result = train_recall(model, delay=5, steps=200, rng=np.random.default_rng(0))
    assert result.accuracy > 0.95  # chance is 1/8
    assert len(result.losses) == 200 and result.losses[-1] < result.losses[0]


def test_training_depends_only_on_the_initial_weights_and_the_rng():
    runs = []
    for _ in range(2):
        torch.manual_seed(3)
        model = SequenceClassifier(6, 8, 3, cell="gru", keep_bias=1.0)
        runs.append(train_recall(model, delay=4, steps=5, rng=np.random.default_rng(5), eval_size=50,
                                 length=9))
    assert runs[0] == runs[1]


def test_accuracy_is_the_fraction_of_argmax_hits():
    torch.manual_seed(4)
    model = SequenceClassifier(10, 8, 4, cell="lstm")
    ids, targets = recall_task(200, 3, np.random.default_rng(0), num_symbols=4, num_distractors=6)
    with torch.no_grad():
        predicted = model(torch.as_tensor(ids)).argmax(1).numpy()
    assert accuracy(model, ids, targets) == pytest.approx((predicted == targets).mean())
    assert accuracy(model, torch.as_tensor(ids), torch.as_tensor(targets)) == accuracy(model, ids, targets)
    assert model.training  # left as it was found


def test_a_state_that_overflows_stops_training_with_a_clear_error():
    """A ReLU RNN with W_hh = 3 I multiplies its state by 3 every step: 3^100 overflows float32."""
    torch.manual_seed(0)
    model = SequenceClassifier(16, 8, 8, nonlinearity="relu")
    with torch.no_grad():
        model.rnn.weight_hh_l0.copy_(3 * torch.eye(8))
        model.rnn.bias_ih_l0.fill_(1.0)
    with pytest.raises(NonFiniteLossError, match=r"loss became nan at step 0: the run diverged"):
        train_recall(model, delay=100, steps=3, rng=np.random.default_rng(0), clip=None, optimizer="sgd")


def test_train_recall_leaves_the_global_torch_random_state_alone():
    torch.manual_seed(0)
    model = SequenceClassifier(6, 8, 3, cell="lstm")
    before = torch.random.get_rng_state()
    train_recall(model, delay=3, steps=5, rng=np.random.default_rng(0), eval_size=20)
    assert torch.equal(torch.random.get_rng_state(), before)


def test_every_batch_goes_through_the_shared_training_step(monkeypatch):
    calls = []
    original = seqlearn.classifier.training_step
    monkeypatch.setattr(seqlearn.classifier, "training_step", lambda *a: calls.append(a[2:]) or original(*a))
    result = train_recall(SequenceClassifier(6, 8, 3), delay=3, steps=4, rng=np.random.default_rng(0), clip=None,
                          eval_size=20)
    assert calls == [(None, f"at step {step}") for step in range(4)] and len(result.losses) == 4


MODEL = SequenceClassifier(5, 4, 3)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: SequenceClassifier(5, 4, 3, cell="rnn", keep_bias=1.0), ValueError,
         "keep_bias is for cell='lstm' .* a vanilla RNN has no gate"),
        (lambda: SequenceClassifier(5, 4, 3, cell="lstm", nonlinearity="relu"), ValueError,
         "nonlinearity='relu' is for cell='rnn' only"),
        (lambda: SequenceClassifier(5, 4, 3, cell="transformer"), ValueError,
         "cell must be one of 'rnn', 'lstm', 'gru'"),
        (lambda: SequenceClassifier(5, 4, 3, nonlinearity="sigmoid"), ValueError, "nonlinearity must be one of"),
        (lambda: SequenceClassifier(5, 4, 1), ValueError, "num_classes must be at least 2, got 1"),
        (lambda: SequenceClassifier(5, 0, 3), ValueError, "hidden_size must be at least 1, got 0"),
        (lambda: MODEL(torch.zeros(3, 2)), ValueError, r"ids must be a \(T, N\) int64 tensor, got shape \(3, 2\) and "
                                                       "torch.float32"),
        (lambda: MODEL(torch.zeros(3, dtype=torch.int64)), ValueError, r"ids must be a \(T, N\) int64 tensor"),
        (lambda: MODEL(np.zeros((3, 2), np.int64)), TypeError, "ids must be a .* tensor, got ndarray"),
        (lambda: MODEL(torch.full((3, 2), 5)), ValueError, r"ids must be in \[0, 4\], got values from 5 to 5"),
        (lambda: MODEL(torch.zeros(0, 2, dtype=torch.int64)), ValueError, "at least one step and one sequence"),
        (lambda: accuracy(MODEL, np.zeros((3, 2), np.int64), np.zeros(3, np.int64)), ValueError,
         r"targets must have shape \(N,\) = \(2,\)"),
        (lambda: accuracy(MODEL, np.zeros((3, 2), np.int64), np.array([0, 3])), ValueError,
         r"targets must be in \[0, 2\], got values from 0 to 3"),
        (lambda: accuracy(MODEL, np.zeros((3, 2)), np.zeros(2, np.int64)), TypeError, "ids must hold integers"),
        (lambda: accuracy(MODEL, np.zeros(3, np.int64), np.zeros(3, np.int64)), ValueError,
         r"ids must have 2 dimension\(s\), got shape \(3,\)"),
        (lambda: train_recall(torch.nn.RNN(5, 4), 3, 10, np.random.default_rng(0)), TypeError,
         "model must be a SequenceClassifier, got RNN"),
        (lambda: train_recall(SequenceClassifier(3, 4, 3), 3, 10, np.random.default_rng(0)), ValueError,
         "needs more inputs than classes, for the distractors: num_inputs=3, num_classes=3"),
        (lambda: train_recall(MODEL, 0, 10, np.random.default_rng(0)), ValueError, "delay must be at least 1, got 0"),
        (lambda: train_recall(MODEL, 3, 10, 0), TypeError, "rng must be a np.random.Generator"),
        (lambda: train_recall(MODEL, 3, 0, np.random.default_rng(0)), ValueError, "steps must be at least 1, got 0"),
        (lambda: train_recall(MODEL, 3, 10, np.random.default_rng(0), clip=0), ValueError,
         "clip must be a positive max norm or None, got 0"),
        (lambda: train_recall(MODEL, 3, 10, np.random.default_rng(0), lr=-1), ValueError, "lr must be positive"),
        (lambda: train_recall(MODEL, 3, 10, np.random.default_rng(0), optimizer="rmsprop"), ValueError,
         "optimizer must be one of 'adam', 'sgd'"),
        (lambda: train_recall(MODEL, 3, 10, np.random.default_rng(0), length=3), ValueError,
         r"length must be at least delay \+ 1 = 4"),
    ],
)
def test_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()
