import copy
import math

import numpy as np
import pytest
import torch

import seqlearn.training
from seqlearn.batching import sequential_batches
from seqlearn.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from seqlearn.models import RNNLanguageModel, evaluating
from seqlearn.training import (
    NonFiniteLossError,
    cosine_learning_rate,
    evaluate_perplexity,
    scheduled_learning_rate,
    token_log_probs,
    train_language_model,
    training_step,
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
    assert evaluate_perplexity(model, periodic_ids()) == pytest.approx(V)


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
    assert evaluate_perplexity(model, val) == pytest.approx(min(history.val_perplexity), rel=1e-6)


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
    model = RNNLanguageModel(V, 4, cell="rnn")
    with torch.no_grad():
        model.head.bias.copy_(torch.arange(V) * 1e4)  # finite, but every target but the last is e^-10000 likely
    assert evaluate_perplexity(model, periodic_ids()) == math.inf


def test_non_finite_loss_stops_with_a_clear_message():
    model = RNNLanguageModel(V, 8, cell="lstm")
    with torch.no_grad():
        model.head.bias[0] = math.inf
    with pytest.raises(NonFiniteLossError, match=r"loss became nan at epoch 0 after 0 batches: the run diverged.*"
                                                 r"Clip the gradients \(clip=1.0\) or lower the learning rate"):
        train_language_model(model, periodic_ids(), periodic_ids(), epochs=1, batch_size=4, num_steps=10, clip=None,
                             progress=False)


def test_checkpoint_round_trip_is_exact(tmp_path):
    model = RNNLanguageModel(V, 8, cell="gru", num_layers=2, embedding_dim=5, dropout=0.1)
    save_checkpoint(model, tmp_path / "m.pt")
    loaded = load_checkpoint(tmp_path / "m.pt")
    assert loaded.config == model.config
    for (k, a), (k2, b) in zip(model.state_dict().items(), loaded.state_dict().items(), strict=True):
        assert k == k2 and torch.equal(a, b)


def test_loading_a_checkpoint_leaves_the_global_random_state_alone(tmp_path):
    save_checkpoint(RNNLanguageModel(V, 8, cell="lstm"), tmp_path / "m.pt")
    before = torch.random.get_rng_state()
    load_checkpoint(tmp_path / "m.pt")  # builds a model, whose random initial weights are then overwritten
    assert torch.equal(torch.random.get_rng_state(), before)


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


def test_the_global_torch_random_state_is_left_as_it_was():
    """Dropout draws from a generator seeded with `seed`, not from the caller's: the same run from any state."""
    ids = periodic_ids(400)
    runs = []
    for caller_seed in (1, 2):
        torch.manual_seed(0)
        model = RNNLanguageModel(V, 8, cell="lstm", embedding_dim=4, dropout=0.5, input_dropout=0.3)
        torch.manual_seed(caller_seed)
        before = torch.random.get_rng_state()
        history = train_language_model(model, ids, ids[:200], epochs=2, batch_size=4, num_steps=10, seed=3,
                                       progress=False)
        assert torch.equal(torch.random.get_rng_state(), before)
        runs.append((history.train_perplexity, history.val_perplexity, [p.clone() for p in model.parameters()]))
    assert runs[0][:2] == runs[1][:2]
    assert all(torch.equal(a, b) for a, b in zip(runs[0][2], runs[1][2], strict=True))


def test_the_run_draws_the_stream_of_torch_manual_seed():
    """The same numbers as the old `torch.manual_seed(seed)` inside the loop, on which stored outputs rely."""
    ids = periodic_ids(300)
    torch.manual_seed(0)
    model = RNNLanguageModel(V, 8, cell="rnn", dropout=0.5)
    start = copy.deepcopy(model.state_dict())
    train_language_model(model, ids, ids[:100], epochs=1, batch_size=4, num_steps=10, seed=5, lr_schedule="cosine",
                         progress=False)
    reference = RNNLanguageModel(V, 8, cell="rnn", dropout=0.5)
    reference.load_state_dict(start)
    optimizer = torch.optim.AdamW(reference.parameters(), lr=2e-3, weight_decay=0.0)
    rng, state, total_batches = np.random.default_rng(5), None, (len(ids) - 1) // 4 // 10
    torch.manual_seed(5)
    for done, (X, Y) in enumerate(sequential_batches(ids, 4, 10, rng)):
        optimizer.param_groups[0]["lr"] = cosine_learning_rate(2e-3, done / total_batches)
        logits, state = reference(torch.as_tensor(X), None if state is None else state.detach())
        loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), torch.as_tensor(Y).flatten())
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(reference.parameters(), 1.0)
        optimizer.step()
    for a, b in zip(model.parameters(), reference.parameters(), strict=True):
        assert torch.equal(a, b)


def test_all_infinite_validation_keeps_the_last_weights_and_says_no_best_epoch():
    """Every prediction of a validation token underflows to probability 0: no epoch is better than inf."""
    model = RNNLanguageModel(V, 4, cell="rnn")
    with torch.no_grad():
        model.head.bias.copy_(torch.arange(V) * 1e4)
    with pytest.warns(RuntimeWarning, match="no epoch reached a finite validation perplexity"):
        history = train_language_model(model, periodic_ids(), periodic_ids(), epochs=2, lr=1e-3, batch_size=4,
                                       num_steps=10, progress=False)
    assert history.val_perplexity == [math.inf, math.inf] and history.best_epoch == -1
    assert not history.stopped_early
    # the last weights, not the initial ones: one more (identical) evaluation reproduces the last epoch's
    assert model.head.bias[0] != 0.0 and evaluate_perplexity(model, periodic_ids()) == math.inf


@pytest.mark.parametrize("bad", [math.inf, math.nan])
def test_no_finite_validation_perplexity_keeps_the_last_weights(monkeypatch, bad):
    seen = []

    def never_finite(model, *args, **kwargs):
        seen.append({k: v.clone() for k, v in model.state_dict().items()})
        return bad

    monkeypatch.setattr(seqlearn.training, "evaluate_perplexity", never_finite)
    torch.manual_seed(0)
    model = RNNLanguageModel(V, 6, cell="gru")
    with pytest.warns(RuntimeWarning, match="the model keeps its last weights and history.best_epoch is -1"):
        history = train_language_model(model, periodic_ids(), periodic_ids(), epochs=3, lr=1e-2, batch_size=4,
                                       num_steps=10, patience=2, progress=False)
    assert history.best_epoch == -1 and history.stopped_early and len(history.val_perplexity) == 2
    assert all(torch.equal(v, seen[-1][k]) for k, v in model.state_dict().items())  # the last epoch's weights
    assert not all(torch.equal(v, seen[0][k]) for k, v in model.state_dict().items())


def test_evaluating_restores_every_modules_mode_even_after_an_error():
    model = RNNLanguageModel(V, 4, embedding_dim=3, input_dropout=0.5)
    model.train()
    model.input_dropout.eval()  # a mixed state, restored module by module
    with pytest.raises(RuntimeError, match="the body failed"):
        with evaluating(model):
            assert not any(m.training for m in model.modules())
            raise RuntimeError("the body failed")
    assert model.training and model.rnn.training and not model.input_dropout.training
    model.eval()
    with evaluating(model):
        pass
    assert not model.training


def test_evaluate_perplexity_restores_the_training_mode():
    model = RNNLanguageModel(V, 4, dropout=0.5)
    evaluate_perplexity(model, periodic_ids())
    assert model.training


def test_training_step_clips_steps_and_refuses_a_non_finite_loss():
    torch.manual_seed(0)
    w = torch.nn.Parameter(torch.tensor([3.0, 4.0]))
    optimizer = torch.optim.SGD([w], lr=1.0)
    loss = training_step(optimizer, 10 * (w ** 2).sum() / 2, clip=1.0)  # gradient 10 w = (30, 40), norm 50
    assert loss == pytest.approx(125.0)
    torch.testing.assert_close(w.detach(), torch.tensor([3.0 - 0.6, 4.0 - 0.8]))  # stepped by the clipped (0.6, 0.8)
    with pytest.raises(NonFiniteLossError, match=r"loss became inf at step 7: the run diverged.*\(lr=1.0\)"):
        training_step(optimizer, w.sum() * math.inf, where="at step 7")


def test_every_batch_goes_through_the_shared_training_step(monkeypatch):
    calls = []
    original = seqlearn.training.training_step
    monkeypatch.setattr(seqlearn.training, "training_step", lambda *a: calls.append(a[2:]) or original(*a))
    train_language_model(RNNLanguageModel(V, 4), periodic_ids(210), periodic_ids(), epochs=2, batch_size=4,
                         num_steps=10, clip=0.5, progress=False)
    assert calls == [(0.5, f"at epoch {e} after {b} batches") for e in range(2) for b in range(5)]


def test_scheduled_learning_rate_follows_batches_or_the_clock_whichever_is_further():
    assert scheduled_learning_rate(0.1, 0, 10) == pytest.approx(0.1)
    assert scheduled_learning_rate(0.1, 5, 10) == pytest.approx(0.05)
    assert scheduled_learning_rate(0.1, 5, 10, seconds=9.0, max_seconds=10.0) == pytest.approx(
        cosine_learning_rate(0.1, 0.9))
    assert scheduled_learning_rate(0.1, 9, 10, seconds=1.0, max_seconds=10.0) == pytest.approx(
        cosine_learning_rate(0.1, 0.9))
    assert scheduled_learning_rate(0.1, 0, 0) == pytest.approx(0.1)  # no batches at all: no division by zero


def test_a_bad_argument_is_refused_before_anything_happens():
    model = RNNLanguageModel(V, 8, dropout=0.3)
    weights = [p.clone() for p in model.parameters()]
    state = torch.random.get_rng_state()
    with pytest.raises(ValueError, match="val_ids must hold at least"):
        train_language_model(model, periodic_ids(), periodic_ids(5), epochs=1, batch_size=4, num_steps=10,
                             device="meta", progress=False)
    assert torch.equal(torch.random.get_rng_state(), state) and model.training
    assert all(p.device.type == "cpu" and torch.equal(p, w) for p, w in zip(model.parameters(), weights, strict=True))


def lm(**kwargs):
    """A call of train_language_model with good arguments, but for those given."""
    arguments = dict(model=RNNLanguageModel(V, 8), train_ids=periodic_ids(), val_ids=periodic_ids(), epochs=1,
                     batch_size=4, num_steps=10, progress=False)
    arguments.update(kwargs)
    return lambda: train_language_model(arguments.pop("model"), arguments.pop("train_ids"),
                                        arguments.pop("val_ids"), **arguments)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lm(model="lstm"), TypeError, "model must be a torch.nn.Module, got str"),
        (lm(epochs=0), ValueError, "epochs must be at least 1, got 0"),
        (lm(epochs=2.0), TypeError, "epochs must be an int, got float 2.0"),
        (lm(batch_size=0), ValueError, "batch_size must be at least 1, got 0"),
        (lm(num_steps=-3), ValueError, "num_steps must be at least 1, got -3"),
        (lm(lr=0), ValueError, "lr must be a positive finite number, got 0"),
        (lm(lr=math.inf), ValueError, "lr must be a positive finite number, got inf"),
        (lm(lr="fast"), TypeError, "lr must be a positive finite number, got str 'fast'"),
        (lm(clip=-1.0), ValueError, "clip must be a positive max norm or None, got -1.0"),
        (lm(clip=True), TypeError, "clip must be a positive max norm or None, got bool True"),
        (lm(weight_decay=math.nan), ValueError, "weight_decay must be at least 0, got nan"),
        (lm(patience=-1), ValueError, "patience must be at least 0, got -1"),
        (lm(patience=1.5), TypeError, "patience must be an int, got float 1.5"),
        (lm(max_seconds=0), ValueError, "max_seconds must be a positive number of seconds or None, got 0"),
        (lm(stateful=1), TypeError, "stateful must be True or False, got int 1"),
        (lm(stateful="yes"), TypeError, "stateful must be True or False, got str 'yes'"),
        (lm(progress=None), TypeError, "progress must be True or False, got NoneType None"),
        (lm(seed=-1), ValueError, "seed must be at least 0, got -1"),
        (lm(seed=None), TypeError, "seed must be an int, got NoneType None"),
        (lm(device="gpu7"), ValueError, "device must be None, 'cpu', 'cuda' or a torch.device, got 'gpu7'"),
        pytest.param(lm(device="cuda"), ValueError, "device is cuda, but torch sees no CUDA GPU here",
                     marks=pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")),
        (lm(val_ids=[]), ValueError, r"val_ids must hold at least batch_size \* num_steps \+ 1 = 41 tokens for one "
                                     "batch, got 0"),
        (lm(train_ids=periodic_ids(40)), ValueError, "train_ids must hold at least .* = 41 tokens .*, got 40"),
        (lm(train_ids=periodic_ids().astype(float)), TypeError, "train_ids must hold integers, got dtype float64"),
        (lm(val_ids=np.zeros((50, 2), int)), ValueError, r"val_ids must have 1 dimension\(s\), got shape \(50, 2\)"),
        (lm(val_ids=periodic_ids() + 1), ValueError, "val_ids must hold ids from 0 to 6, got values from 1 to 7"),
        (lm(train_ids=periodic_ids() - 1), ValueError, "train_ids must hold ids from 0 to 6, got values from -1 to 5"),
    ],
)
def test_bad_training_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("chunk", [1, 7, 1000])
def test_token_log_probs_scores_every_token_of_one_stream(cell, chunk):
    torch.manual_seed(0)
    model = RNNLanguageModel(V, 5, cell=cell, dropout=0.5).double()
    ids, context = np.random.default_rng(1).integers(0, V, 40), np.array([3, 1, 4])
    scored = token_log_probs(model, ids, context, chunk=chunk)
    assert scored.shape == (40,) and scored.dtype == np.float64
    # Reference: the whole text in one forward pass (dropout off), each next token's log-softmax.
    model.eval()
    stream = torch.as_tensor(np.concatenate([context, ids]))
    with torch.no_grad():
        logits, _ = model(stream[:-1, None])
    expected = torch.log_softmax(logits[:, 0], -1).gather(1, stream[1:, None])[:, 0].numpy()[len(context) - 1:]
    assert np.allclose(scored, expected, atol=1e-12)
    assert model.training is False  # left as it was: eval() above
    assert len(token_log_probs(model, ids)) == 39  # no context: ids[0] is read, not predicted
    assert evaluate_perplexity(model, ids, context) == pytest.approx(math.exp(-scored.mean()))


@pytest.mark.parametrize("call, message", [
    (lambda m: token_log_probs(m, np.array([1])), "need at least 2 tokens to predict one"),
    (lambda m: token_log_probs(m, np.array([[1, 2]])), r"ids must have 1 dimension\(s\), got shape \(1, 2\)"),
    (lambda m: token_log_probs(m, np.array([1, 2]), context=np.array([0.5])), "context must hold integers"),
    (lambda m: token_log_probs(m, np.array([1, 2]), chunk=0), "chunk must be at least 1"),
])
def test_token_log_probs_bad_inputs(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call(RNNLanguageModel(V, 4))


def test_validation_reads_its_context_first():
    torch.manual_seed(0)
    model = RNNLanguageModel(V, 6, cell="gru")
    train, val = periodic_ids(400), periodic_ids(200)
    history = train_language_model(model, train, val, epochs=1, batch_size=4, num_steps=10, progress=False,
                                   val_context=train[-50:])
    assert history.val_perplexity[0] == pytest.approx(evaluate_perplexity(model, val, train[-50:]), rel=1e-9)
    assert history.val_perplexity[0] != pytest.approx(evaluate_perplexity(model, val), rel=1e-9)
