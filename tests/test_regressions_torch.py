"""Regression tests for issue 17 in the PyTorch modules: each example the issue lists, refused with a message that
names the argument, before anything changes (or, where the issue asked for it, the result now said out loud)."""

import math

import numpy as np
import pytest
import torch
from torch.nn import functional as F

import seqlearn.training
from seqlearn.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from seqlearn.classifier import SequenceClassifier, train_recall
from seqlearn.fit import fit, index_batches
from seqlearn.models import RNNLanguageModel, evaluating
from seqlearn.training import (
    NonFiniteLossError,
    cosine_learning_rate,
    evaluate_perplexity,
    seeded_torch,
    train_language_model,
    training_step,
)

V = 5


def ids_of(n):
    return np.arange(n) % V


def lm_call(**change):
    """train_language_model on tiny arguments that work, but for those changed."""
    torch.manual_seed(0)
    args = dict(model=RNNLanguageModel(V, 4, cell="rnn"), train_ids=ids_of(41), val_ids=ids_of(41), epochs=1,
                batch_size=4, num_steps=10, progress=False)
    args.update(change)
    return lambda: train_language_model(args.pop("model"), args.pop("train_ids"), args.pop("val_ids"), **args)


# --- train_language_model --------------------------------------------------------------------------------------

def test_no_finite_validation_perplexity_returns_the_history_and_says_so(monkeypatch):
    """It ended in `TypeError: Expected state_dict to be dict-like, got NoneType`, losing the history."""
    monkeypatch.setattr(seqlearn.training, "evaluate_perplexity", lambda *a, **k: math.inf)  # NaN is an error
    with pytest.warns(RuntimeWarning, match="no epoch reached a finite validation perplexity.*best_epoch is -1"):
        history = lm_call(epochs=2)()
    assert history.best_epoch == -1 and len(history.val_perplexity) == 2 and len(history.train_perplexity) == 2


def test_batch_size_zero_is_refused_not_a_zero_division():
    with pytest.raises(ValueError, match="batch_size must be at least 1, got 0"):
        lm_call(batch_size=0)()


@pytest.mark.parametrize("change, message", [
    (dict(val_ids=ids_of(41) + 1), "val_ids must hold ids from 0 to 4, got values from 1 to 5"),
    (dict(val_ids=ids_of(41).astype(float)), "val_ids must hold integers"),
    (dict(val_context=np.array([0, 9])), "val_context must hold ids from 0 to 4, got values from 0 to 9"),
])
def test_bad_validation_ids_are_refused_before_the_first_batch(monkeypatch, change, message):
    steps = []
    monkeypatch.setattr(seqlearn.training, "training_step", lambda *a: steps.append(a))
    with pytest.raises((ValueError, TypeError), match=message):
        lm_call(**change)()
    assert steps == []  # noticed before any training, not after a full epoch


@pytest.mark.parametrize("change, error, message", [
    (dict(patience=-1), ValueError, "patience must be at least 0, got -1"),
    (dict(patience=1.5), TypeError, "patience must be an int, got float 1.5"),
    (dict(max_seconds=-1.0), ValueError, "max_seconds must be a positive number of seconds or None, got -1.0"),
    (dict(max_seconds=math.inf), ValueError, "max_seconds must be a positive number of seconds or None, got inf"),
    (dict(stateful="no"), TypeError, "stateful must be True or False, got str 'no'"),
    (dict(progress=0), TypeError, "progress must be True or False, got int 0"),
])
def test_patience_max_seconds_and_flags_are_refused(change, error, message):
    with pytest.raises(error, match=message):
        lm_call(**change)()


@pytest.mark.parametrize("name", ["lr", "clip", "seed", "weight_decay", "max_seconds", "lr_decay", "patience"])
def test_true_is_not_a_number_for_training(name):
    with pytest.raises(TypeError, match=f"{name} must be .*, got bool True"):
        lm_call(**{name: True})()


def test_a_refused_argument_changes_nothing():
    torch.manual_seed(0)
    model = RNNLanguageModel(V, 4, dropout=0.2)
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    before = torch.random.get_rng_state()
    with pytest.raises(ValueError, match="val_context"):
        train_language_model(model, ids_of(41), ids_of(41), epochs=1, batch_size=4, num_steps=10, progress=False,
                             val_context=np.array([-1]))
    assert torch.equal(torch.random.get_rng_state(), before) and model.training
    assert all(torch.equal(v, weights[k]) for k, v in model.state_dict().items())


def test_a_non_finite_loss_is_reported():
    model = RNNLanguageModel(V, 4, cell="lstm")
    with torch.no_grad():
        model.head.bias[0] = math.inf
    with pytest.raises(NonFiniteLossError, match="loss became nan at epoch 0 after 0 batches"):
        lm_call(model=model, clip=None)()


def test_a_nan_model_has_no_perplexity():
    model = RNNLanguageModel(V, 4, cell="gru")
    with torch.no_grad():
        model.head.bias[1] = math.nan
    with pytest.raises(NonFiniteLossError, match="log-probability of token 0 of ids is nan"):
        evaluate_perplexity(model, ids_of(20))


# --- training_step, schedules, seeded_torch ----------------------------------------------------------------------

def test_training_step_refuses_before_touching_the_gradients_or_the_weights():
    w = torch.nn.Parameter(torch.tensor([3.0, 4.0]))
    optimizer = torch.optim.SGD([w], lr=0.1)
    for clip, error, message in [(True, TypeError, "clip must be positive .*, got bool True"),
                                 (math.nan, ValueError, "clip must be positive .*, got nan")]:
        with pytest.raises(error, match=message):
            training_step(optimizer, (w ** 2).sum(), clip=clip)
        assert w.grad is None and torch.equal(w.detach(), torch.tensor([3.0, 4.0]))
    with pytest.raises(TypeError, match="loss must be a scalar tensor that requires grad"):
        training_step(optimizer, 1.0)


def test_cosine_learning_rate_refuses_true_and_nan():
    with pytest.raises(TypeError, match="lr must be positive .*, got bool True"):
        cosine_learning_rate(True, 0.5)
    with pytest.raises(ValueError, match="progress must be a finite number"):
        cosine_learning_rate(0.1, math.nan)


def test_context_managers_check_at_the_call():
    with pytest.raises(ValueError, match="seed must be at least 0, got -1"):
        seeded_torch(-1, "cpu")  # not only when the `with` block is entered
    with pytest.raises(TypeError, match="model must be a torch.nn.Module, got NoneType"):
        evaluating(None)


# --- checkpoint ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("part", ["config", "state_dict"])
def test_a_checkpoint_without_its_config_or_weights_is_a_checkpoint_error(tmp_path, part):
    """The right format tag but a missing part raised KeyError or TypeError."""
    save_checkpoint(RNNLanguageModel(V, 4), tmp_path / "m.pt")
    saved = torch.load(tmp_path / "m.pt", weights_only=True)
    del saved[part]
    torch.save(saved, tmp_path / "m.pt")
    with pytest.raises(CheckpointError, match="m.pt is a damaged checkpoint: its 'config' and 'state_dict' must be"):
        load_checkpoint(tmp_path / "m.pt")


def test_a_checkpoint_whose_config_builds_no_model_is_a_checkpoint_error(tmp_path):
    save_checkpoint(RNNLanguageModel(V, 4), tmp_path / "m.pt")
    saved = torch.load(tmp_path / "m.pt", weights_only=True)
    saved["config"]["colour"] = "red"
    torch.save(saved, tmp_path / "m.pt")
    with pytest.raises(CheckpointError, match="damaged checkpoint: its config .* does not build a model"):
        load_checkpoint(tmp_path / "m.pt")


def test_saving_a_model_the_checkpoint_cannot_rebuild_writes_nothing(tmp_path):
    """save_checkpoint on a classifier wrote a file that load_checkpoint could not load."""
    with pytest.raises(TypeError, match="model must be an RNNLanguageModel .*, got SequenceClassifier"):
        save_checkpoint(SequenceClassifier(5, 4, 3), tmp_path / "c.pt")
    assert not (tmp_path / "c.pt").exists()


# --- RNNLanguageModel.forward --------------------------------------------------------------------------------------

def test_forward_refuses_a_numpy_array_an_empty_sequence_and_a_lone_lstm_state():
    model = RNNLanguageModel(V, 4, cell="lstm")
    with pytest.raises(TypeError, match="ids must be a .* int64 tensor, got ndarray"):  # was AttributeError: dim
        model(np.zeros((3, 2), np.int64))
    with pytest.raises(ValueError, match=r"ids must hold at least one step and one sequence, got shape \(0, 2\)"):
        model(torch.zeros(0, 2, dtype=torch.int64))  # was a torch RuntimeError
    h = torch.zeros(1, 2, 4)
    with pytest.raises(TypeError, match=r"state must be None or a pair \(h, c\) of tensors for cell='lstm', got "
                                        "Tensor"):
        model(torch.zeros(3, 2, dtype=torch.int64), h)  # was IndexError
    with pytest.raises(ValueError, match=r"state must hold tensors of shape \(num_layers, N, H\) = \(1, 2, 4\)"):
        model(torch.zeros(3, 2, dtype=torch.int64), (h[:, :1], h[:, :1]))


# --- fit, classifier -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("change, error, message", [
    (dict(lr=True), TypeError, "lr must be a positive finite number, got bool True"),
    (dict(clip=True), TypeError, "clip must be a positive max norm or None, got bool True"),
    (dict(seed=True), TypeError, "seed must be an int, got bool True"),
    (dict(patience=0.5), TypeError, "patience must be an int, got float 0.5"),
    (dict(progress="no"), TypeError, "progress must be True or False, got str 'no'"),
])
def test_fit_refuses_true_as_a_number_and_words_as_flags(change, error, message):
    x, y = torch.zeros(3, 4, 1), torch.zeros(4, 1)
    batches = index_batches(np.arange(4), 2, lambda j: (x[:, j], y[j]))
    model = torch.nn.Linear(1, 1)
    with pytest.raises(error, match=message):
        fit(model, F.mse_loss, batches, lambda: batches(), **{"epochs": 1, "lr": 1e-2, "seed": 0, **change})


def test_index_batches_checks_its_rng_at_the_call_and_refuses_negative_indices():
    batches = index_batches(np.arange(4), 2, lambda j: (j, j))
    with pytest.raises(TypeError, match="rng must be a np.random.Generator or None"):
        batches(0)  # not at the first next()
    with pytest.raises(ValueError, match="indices must be at least 0, got -1"):
        index_batches(np.array([0, -1]), 2, lambda j: (j, j))


def test_train_recall_refuses_true_and_a_short_length_before_drawing():
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    model = SequenceClassifier(5, 4, 3)
    model.eval()
    with pytest.raises(TypeError, match="lr must be positive .*, got bool True"):
        train_recall(model, 2, 1, rng, lr=True)
    with pytest.raises(ValueError, match=r"length must be at least delay \+ 1 = 3, got 2"):
        train_recall(model, 2, 1, rng, length=2)
    assert rng.bit_generator.state == state and not model.training


def test_save_checkpoint_refuses_a_missing_folder_and_leaves_no_partial_file(tmp_path, monkeypatch):
    """Found by review: a missing folder gave a raw torch RuntimeError, and a failure part-way could destroy an
    older checkpoint at the same path."""
    model = RNNLanguageModel(5, 4, cell="rnn")
    with pytest.raises(ValueError, match="path must be in an existing folder"):
        save_checkpoint(model, tmp_path / "no-such-folder" / "m.pt")
    target = tmp_path / "m.pt"
    save_checkpoint(model, target)
    before = target.read_bytes()

    def broken_save(obj, f):
        f.write(b"half")
        raise RuntimeError("disk full")
    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(CheckpointError, match="could not write the checkpoint .*disk full"):
        save_checkpoint(model, target)
    assert target.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["m.pt"]
