"""Chapter 9's models and their training loop: shapes, padding, directions, learning, early stopping, seeds, errors."""

import copy

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from seqlearn.applied_models import CharClassifier, CharTagger, Forecaster
from seqlearn.fit import evaluate_loss, fit, index_batches
from seqlearn.training import NonFiniteLossError


@pytest.fixture(autouse=True)
def one_thread():
    """These models are tiny: on 2 shared cores, torch's second thread only waits for the first (seconds become
    minutes while another job holds a core). One thread for this module's tests, then the old setting back."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def batches_of(inputs, targets, batch_size, shuffle=True):
    """A batches callable over time-major inputs x (T, N, ...) or (ids (T, N), lengths (N,)), targets (N, ...)."""
    def take(j):
        return ((inputs[0][:, j], inputs[1][j]) if isinstance(inputs, tuple) else inputs[:, j]), targets[j]
    batches = index_batches(np.arange(len(targets)), batch_size, take)
    return batches if shuffle else lambda rng=None: batches()


def tag_batches(ids, tags, batch_size):
    return index_batches(np.arange(ids.shape[1]), batch_size, lambda j: (ids[:, j], tags[:, j]))


def tag_loss(logits, tags):
    return F.cross_entropy(logits.flatten(0, 1), tags.flatten())


# --- the models -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_forecaster_maps_a_window_to_every_horizon_from_the_last_state(cell):
    torch.manual_seed(0)
    model = Forecaster(3, 8, horizon=4, cell=cell, num_layers=2)
    x = torch.randn(10, 5, 3)  # (T, N, F)
    y = model(x)
    assert y.shape == (5, 4) and y.dtype == torch.float32
    out, _ = model.rnn(x)
    torch.testing.assert_close(y, model.head(out[-1]))
    earlier = x.clone()
    earlier[0] += 1.0
    assert not torch.allclose(model(earlier), y)  # the first step reaches the answer through the state


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("embedding_dim", [None, 4])
def test_classifier_answers_from_each_sequences_own_last_step(cell, embedding_dim):
    torch.manual_seed(1)
    model = CharClassifier(6, 3, 8, embedding_dim=embedding_dim, cell=cell)
    short, long = torch.tensor([[1], [2], [3]]), torch.tensor([[4], [5], [1], [2], [3], [4], [5]])
    padded = torch.zeros(7, 2, dtype=torch.int64)  # pad id 0 after the short sequence ends
    padded[:3, 0], padded[:, 1] = short[:, 0], long[:, 0]
    logits = model(padded, torch.tensor([3, 7]))
    assert logits.shape == (2, 3)
    torch.testing.assert_close(logits[0], model(short)[0])  # padding changes nothing
    torch.testing.assert_close(logits[1], model(long, torch.tensor([7]))[0])
    other_padding = padded.clone()
    other_padding[3:, 0] = 5
    torch.testing.assert_close(model(other_padding, torch.tensor([3, 7])), logits)
    assert not torch.allclose(model(padded)[0], logits[0])  # reading the padding would differ


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_only_a_bidirectional_tagger_sees_the_future(cell):
    torch.manual_seed(2)
    ids = torch.randint(0, 5, (8, 3))
    for bidirectional, width in ((False, 6), (True, 12)):
        model = CharTagger(5, 4, 6, embedding_dim=3, cell=cell, bidirectional=bidirectional)
        logits = model(ids)
        assert logits.shape == (8, 3, 4) and model.head.in_features == width
        later = ids.clone()
        later[5] = (later[5] + 1) % 5  # change step 5 only
        changed = model(later)
        assert bidirectional == (not torch.allclose(changed[:5], logits[:5]))  # steps 0-4 see step 5 only backwards
        assert not torch.allclose(changed[5], logits[5])


def test_models_refuse_bad_inputs_with_messages():
    with pytest.raises(ValueError, match=r"x must be a \(T, N, F\) torch.float32 tensor, F = 3"):
        Forecaster(3, 4, 2)(torch.zeros(5, 2, 4))
    with pytest.raises(ValueError, match="transpose"):
        Forecaster(3, 4, 2)(torch.zeros(5, 3))
    with pytest.raises(ValueError, match=r"float32 tensor, F = 3, no axis empty; got shape .* and torch.float64"):
        Forecaster(3, 4, 2)(torch.zeros(5, 2, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"cell must be one of 'rnn', 'lstm', 'gru'; got 'transformer'"):
        Forecaster(3, 4, 2, cell="transformer")
    with pytest.raises(ValueError, match="dropout must be in"):
        CharTagger(5, 3, 4, dropout=1.0)
    model = CharClassifier(5, 2, 4)
    with pytest.raises(ValueError, match=r"ids must be in \[0, 4\], got values from 0 to 5"):
        model(torch.tensor([[0], [5]]))
    with pytest.raises(ValueError, match=r"ids must be a \(T, N\) int64 tensor, got shape \(3,\)"):
        model(torch.tensor([1, 2, 3]))
    with pytest.raises(ValueError, match=r"lengths must be in \[1, 2\], got values from 1 to 3"):
        model(torch.zeros(2, 2, dtype=torch.int64), torch.tensor([1, 3]))
    with pytest.raises(TypeError, match=r"lengths must be a \(N,\) torch.int64 tensor, got list"):
        model(torch.zeros(2, 2, dtype=torch.int64), [1, 2])
    with pytest.raises(TypeError, match="bidirectional must be True or False"):
        CharTagger(5, 3, 4, bidirectional=1)
    with pytest.raises(ValueError, match="num_classes must be at least 2, got 1"):
        CharClassifier(5, 1, 4)


# --- fit learns -------------------------------------------------------------------------------------------------

def sine_windows(n, lookback=12, phase=0.0):
    """Windows of a sine: x (lookback, n, 1) time-major, targets (n, 1) the next value."""
    t = np.arange(n + lookback) * 0.3 + phase
    series = np.sin(t).astype(np.float32)
    x = np.stack([series[i:i + lookback] for i in range(n)], axis=1)[:, :, None]
    return torch.as_tensor(x), torch.as_tensor(series[lookback:lookback + n, None])


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_forecaster_beats_persistence_on_a_sine(cell):
    torch.manual_seed(0)
    (x, y), (vx, vy) = sine_windows(96), sine_windows(48, phase=100.0)
    model = Forecaster(1, 12, 1, cell=cell)
    history = fit(model, F.mse_loss, batches_of(x, y, 16), batches_of(vx, vy, 48, shuffle=False),
                  epochs=25, lr=2e-2, seed=0, progress=False)
    persistence = F.mse_loss(vx[-1], vy).item()  # tomorrow = today
    assert history.val_loss[history.best_epoch] < persistence / 5
    assert len(history.train_loss) == len(history.val_loss) == 25 and not history.stopped_early


def classes_with_lengths(n, rng):
    """Class 0 sequences hold symbol 1 somewhere, class 1 symbol 2; the rest are 3s; padded with 0."""
    lengths = rng.integers(2, 9, n)
    labels = rng.integers(0, 2, n)
    ids = np.zeros((8, n), np.int64)
    for j in range(n):
        ids[:lengths[j], j] = 3
        ids[rng.integers(lengths[j]), j] = 1 + labels[j]
    return (torch.as_tensor(ids), torch.as_tensor(lengths)), torch.as_tensor(labels)


@pytest.mark.parametrize("cell", ["rnn", "gru"])
def test_classifier_separates_two_classes(cell):
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    (train, labels), (val, val_labels) = classes_with_lengths(128, rng), classes_with_lengths(64, rng)
    model = CharClassifier(4, 2, 12, cell=cell)
    history = fit(model, F.cross_entropy, batches_of(train, labels, 16), batches_of(val, val_labels, 64, False),
                  epochs=12, lr=2e-2, seed=0, progress=False)
    with torch.no_grad():
        accuracy = (model(*val).argmax(1) == val_labels).float().mean().item()
    assert accuracy > 0.95 and history.val_loss[history.best_epoch] < 0.2


def next_character_tags(n, rng, T=8, V=4):
    """Tag each character with the next one (the last with V, "end"): only the right context tells."""
    ids = rng.integers(0, V, (T, n))
    tags = np.concatenate([ids[1:], np.full((1, n), V)])
    return torch.as_tensor(ids), torch.as_tensor(tags)


def test_only_the_bidirectional_tagger_learns_the_next_character():
    rng = np.random.default_rng(0)
    (ids, tags), (val_ids, val_tags) = next_character_tags(128, rng), next_character_tags(64, rng)
    accuracy = {}
    for bidirectional in (False, True):
        torch.manual_seed(0)
        model = CharTagger(4, 5, 12, cell="gru", bidirectional=bidirectional)
        fit(model, tag_loss, tag_batches(ids, tags, 16), tag_batches(val_ids, val_tags, 64), epochs=15, lr=2e-2,
            seed=0, progress=False)
        with torch.no_grad():
            accuracy[bidirectional] = (model(val_ids).argmax(-1) == val_tags).float().mean().item()
    assert accuracy[True] > 0.95 and accuracy[False] < 0.5  # chance is 1/4 on all but the last step


# --- fit: early stopping, seeds, errors --------------------------------------------------------------------------

def test_early_stopping_restores_the_best_weights():
    """Validation asks for the opposite of training, so it gets worse as training goes on: stop, go back."""
    torch.manual_seed(0)
    (x, y) = sine_windows(64)
    model = Forecaster(1, 8, 1, cell="gru")
    val = batches_of(x, -y, 64, shuffle=False)
    history = fit(model, F.mse_loss, batches_of(x, y, 16), val, epochs=30, lr=2e-2, patience=3, seed=0,
                  progress=False)
    assert history.stopped_early and len(history.val_loss) == history.best_epoch + 4
    assert history.val_loss[history.best_epoch] == min(history.val_loss) < history.val_loss[-1]
    assert evaluate_loss(model, F.mse_loss, val) == pytest.approx(history.val_loss[history.best_epoch], rel=1e-6)


def test_the_same_seed_gives_the_same_run_and_the_global_state_is_untouched():
    torch.manual_seed(0)
    rng = np.random.default_rng(1)
    (ids, tags), (val_ids, val_tags) = next_character_tags(48, rng), next_character_tags(16, rng)
    model = CharTagger(4, 5, 8, embedding_dim=4, bidirectional=True, dropout=0.3)
    runs = []
    for seed in (0, 0, 1):
        copied = copy.deepcopy(model)
        before = torch.get_rng_state()
        history = fit(copied, tag_loss, tag_batches(ids, tags, 8), tag_batches(val_ids, val_tags, 16), epochs=3,
                      lr=1e-2, seed=seed, progress=False)
        assert torch.equal(torch.get_rng_state(), before)
        runs.append((history, copied.state_dict()))
    (h0, w0), (h1, w1), (h2, _) = runs
    assert h0 == h1 and all(torch.equal(w0[k], w1[k]) for k in w0)
    assert h0.train_loss != h2.train_loss  # another seed: another order and other dropout masks


def test_fit_refuses_bad_arguments_with_messages():
    model = Forecaster(1, 4, 1)
    x, y = sine_windows(8)
    good = dict(model=model, loss_fn=F.mse_loss, train_batches=batches_of(x, y, 4),
                val_batches=batches_of(x, y, 8, False), epochs=1, lr=1e-2, seed=0, progress=False)
    for change, error, message in [
        (dict(model="net"), TypeError, "model must be a torch.nn.Module, got str"),
        (dict(loss_fn=None), TypeError, r"loss_fn must be callable \(a function\), got NoneType"),
        (dict(train_batches=[(x, y)]), TypeError, r"train_batches must be callable \(a function\), got list"),
        (dict(epochs=0), ValueError, "epochs must be at least 1, got 0"),
        (dict(epochs=2.0), TypeError, "epochs must be an int, got float"),
        (dict(lr=-1.0), ValueError, "lr must be a positive finite number, got -1.0"),
        (dict(clip=0), ValueError, "clip must be a positive max norm or None, got 0"),
        (dict(patience=-1), ValueError, "patience must be at least 0, got -1"),
        (dict(seed=-3), ValueError, "seed must be at least 0, got -3"),
        (dict(progress="no"), TypeError, "progress must be True or False"),
        (dict(device="tpu"), ValueError, "device must be None, 'cpu', 'cuda' or a torch.device"),
        (dict(train_batches=lambda rng: iter([])), ValueError, r"train_batches\(rng\) yielded no batch"),
        (dict(val_batches=lambda: [x]), ValueError, r"val_batches\(\) must yield \(inputs, targets\) pairs"),
        (dict(train_batches=lambda rng: [(x.numpy(), y)]), TypeError, r"must yield tensors"),
    ]:
        with pytest.raises(error, match=message):
            fit(**{**good, **change})
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'seed'"):
        fit(model, F.mse_loss, good["train_batches"], good["val_batches"], epochs=1, lr=1e-2)
    with pytest.raises(NonFiniteLossError, match="at epoch 0 after 0 batches"):
        fit(**{**good, "loss_fn": lambda out, target: out.sum() * float("nan")})


def test_index_batches_cover_every_example_once_shuffled_only_with_an_rng():
    seen = []
    batches = index_batches(np.array([5, 3, 8, 1, 9]), 2, lambda j: (j, j))
    in_order = [x.tolist() for x, _ in batches()]
    assert in_order == [[5, 3], [8, 1], [9]]  # the given order, the last batch shorter
    for seed in range(3):
        seen.append([i for x, _ in batches(np.random.default_rng(seed)) for i in x.tolist()])
        assert sorted(seen[-1]) == [1, 3, 5, 8, 9]
    assert any(order != [5, 3, 8, 1, 9] for order in seen)
    assert next(iter(batches()))[0].dtype == torch.int64


@pytest.mark.parametrize("args, error, message", [
    (([], 2, tuple), ValueError, "indices must hold at least one example, got none"),
    (([0.5, 1.0], 2, tuple), TypeError, "indices must hold integers, got dtype float64"),
    (([[0, 1]], 2, tuple), ValueError, "indices must have 1 dimension"),
    (([0, 1], 0, tuple), ValueError, "batch_size must be at least 1, got 0"),
    (([0, 1], 2, "x[:, j]"), TypeError, "take must be a function from an int64 tensor"),
])
def test_index_batches_refuse_bad_arguments(args, error, message):
    with pytest.raises(error, match=message):
        index_batches(*args)
