import math

import numpy as np
import pytest
import torch

from seqlearn.models import RNNLanguageModel
from seqlearn.training import (
    CheckpointError,
    NonFiniteLossError,
    cosine_learning_rate,
    evaluate_perplexity,
    load_checkpoint,
    perplexity_from_loss,
    save_checkpoint,
    train_language_model,
)

V = 7


def periodic_ids(n=600):
    return np.tile(np.arange(V), n // V + 1)[:n]  # 0 1 2 ... 6 0 1 2 ...: perfectly predictable


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("stateful", [True, False])
def test_learns_a_periodic_sequence(cell, stateful):
    torch.manual_seed(0)
    model = RNNLanguageModel(V, 16, cell=cell, embedding_dim=8 if cell == "gru" else None)
    ids = periodic_ids()
    history = train_language_model(model, ids, ids[:200], epochs=15, lr=1e-2, batch_size=4, num_steps=10,
                                   stateful=stateful, progress=False)
    assert history.val_perplexity[history.best_epoch] < 1.2  # from V=7 at the start
    assert len(history.train_perplexity) == len(history.val_perplexity) == 15


def test_an_untrained_uniform_model_has_perplexity_v():
    model = RNNLanguageModel(V, 4, cell="rnn")
    with torch.no_grad():
        model.head.weight.zero_()
        model.head.bias.zero_()
    assert evaluate_perplexity(model, periodic_ids(), batch_size=2, num_steps=5) == pytest.approx(V)


def test_early_stopping_keeps_the_best_weights():
    torch.manual_seed(0)
    model = RNNLanguageModel(V, 8, cell="rnn")
    rng = np.random.default_rng(0)
    noise, val = rng.integers(0, V, 400), rng.integers(0, V, 200)  # unlearnable: validation soon stops improving
    history = train_language_model(model, noise, val, epochs=50, lr=3e-2, batch_size=4,
                                   num_steps=10, patience=2, progress=False)
    assert history.stopped_early and len(history.val_perplexity) < 50
    assert history.val_perplexity[history.best_epoch] == min(history.val_perplexity)
    # the model handed back is the best one, not the last one
    assert evaluate_perplexity(model, val, 4, 10) == pytest.approx(min(history.val_perplexity), rel=1e-6)


def test_time_budget_stops_inside_an_epoch():
    model = RNNLanguageModel(V, 8, cell="rnn")
    history = train_language_model(model, periodic_ids(6000), periodic_ids(), epochs=100, batch_size=2,
                                   num_steps=5, max_seconds=1e-9, progress=False)
    assert len(history.val_perplexity) == 1  # one (partial) epoch, evaluated, then stop


def test_cosine_schedule_falls_from_lr_to_zero():
    torch.manual_seed(0)
    model = RNNLanguageModel(V, 8, cell="rnn")
    ids = periodic_ids(2000)
    history = train_language_model(model, ids, ids[:200], epochs=4, lr=1e-2, batch_size=4, num_steps=10,
                                   lr_schedule="cosine", progress=False)
    rates = history.learning_rate  # the rate used by each epoch's last batch
    # the end of epoch 2 of 4 is half-way: half the rate (up to a batch, as the random offset varies)
    assert rates[1] == pytest.approx(cosine_learning_rate(1e-2, 0.5), rel=0.05)
    assert rates == sorted(rates, reverse=True) and rates[-1] < 1e-4


@pytest.mark.parametrize("progress, factor", [(0.0, 1.0), (0.5, 0.5), (1.0, 0.0), (1.7, 0.0), (-1.0, 1.0)])
def test_cosine_learning_rate(progress, factor):
    assert cosine_learning_rate(0.2, progress) == pytest.approx(0.2 * factor, abs=1e-15)


def test_input_dropout_acts_only_in_training():
    torch.manual_seed(0)
    model = RNNLanguageModel(V, 8, embedding_dim=6, input_dropout=0.5)
    ids = torch.as_tensor(periodic_ids(20).reshape(10, 2))
    model.eval()
    assert torch.equal(model(ids)[0], model(ids)[0])
    model.train()
    assert not torch.equal(model(ids)[0], model(ids)[0])


def test_a_huge_finite_loss_gives_an_infinite_perplexity_not_an_overflow():
    assert perplexity_from_loss(math.log(28)) == pytest.approx(28)
    assert perplexity_from_loss(5000.0) == math.inf
    model = RNNLanguageModel(V, 4, cell="rnn")
    with torch.no_grad():
        model.head.bias.copy_(torch.arange(V) * 1e4)  # finite, but every target but the last is e^-10000 likely
    assert evaluate_perplexity(model, periodic_ids(), batch_size=2, num_steps=5) == math.inf


def test_non_finite_loss_stops_with_a_clear_message():
    model = RNNLanguageModel(V, 8, cell="lstm")
    with torch.no_grad():
        model.head.bias[0] = math.inf
    with pytest.raises(NonFiniteLossError, match=r"loss became nan at epoch 0 after 0 batches.*Clip them"):
        train_language_model(model, periodic_ids(), periodic_ids(), epochs=1, batch_size=4, num_steps=10, clip=None,
                             progress=False)


def test_checkpoint_round_trip_is_exact(tmp_path):
    model = RNNLanguageModel(V, 8, cell="gru", num_layers=2, embedding_dim=5, dropout=0.1)
    save_checkpoint(model, tmp_path / "m.pt")
    loaded = load_checkpoint(tmp_path / "m.pt")
    assert loaded.config == model.config
    for (k, a), (k2, b) in zip(model.state_dict().items(), loaded.state_dict().items(), strict=True):
        assert k == k2 and torch.equal(a, b)


def test_corrupt_checkpoint_is_refused(tmp_path):
    model = RNNLanguageModel(V, 8)
    save_checkpoint(model, tmp_path / "m.pt")
    data = (tmp_path / "m.pt").read_bytes()
    (tmp_path / "m.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="m.pt is not a readable checkpoint"):
        load_checkpoint(tmp_path / "m.pt")


def test_foreign_checkpoint_is_refused(tmp_path):
    torch.save(RNNLanguageModel(V, 8).state_dict(), tmp_path / "bare.pt")
    with pytest.raises(CheckpointError, match="not a seqlearn language-model checkpoint: expected format"):
        load_checkpoint(tmp_path / "bare.pt")


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: RNNLanguageModel(V, 8, cell="transformer"), ValueError, "cell must be one of 'rnn', 'lstm', 'gru'"),
        (lambda: RNNLanguageModel(V, 8, dropout=1.0), ValueError, r"dropout must be in \[0, 1\), got 1.0"),
        (lambda: RNNLanguageModel(V, 8, input_dropout=-0.1), ValueError,
         r"input_dropout must be in \[0, 1\), got -0.1"),
        (lambda: train_language_model(RNNLanguageModel(V, 8), periodic_ids(), periodic_ids(), epochs=1,
                                      lr_schedule="linear"), ValueError, "lr_schedule must be one of None, 'cosine'"),
        (lambda: train_language_model(RNNLanguageModel(V, 8), periodic_ids(), periodic_ids(), epochs=1,
                                      lr_schedule="cosine", lr_decay=0.5), ValueError, "lr_decay or lr_schedule"),
        (lambda: RNNLanguageModel(V, 8)(torch.zeros(3, 2)), ValueError, r"\(T, N\) int64 tensor, got shape \(3, 2\)"),
        (lambda: RNNLanguageModel(V, 8)(torch.full((3, 2), V)), ValueError, r"ids must be in \[0, 6\], got values"),
        (lambda: train_language_model(RNNLanguageModel(V, 8), periodic_ids(), periodic_ids(), epochs=1, clip=0),
         ValueError, "clip must be a positive max norm or None, got 0"),
        (lambda: train_language_model(RNNLanguageModel(V, 8), periodic_ids(), periodic_ids(), epochs=1,
                                      lr_decay=1.5), ValueError, r"lr_decay must be in \(0, 1\) or None, got 1.5"),
        (lambda: train_language_model(RNNLanguageModel(V, 8), periodic_ids(), periodic_ids(), epochs=1,
                                      weight_decay=-0.1), ValueError, "weight_decay must be at least 0, got -0.1"),
    ],
)
def test_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()
