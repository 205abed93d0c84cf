"""The one sampling rule (greedy, temperature, top-k) and the generators that use it."""

import subprocess
import sys

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import seqlearn.models
from seqlearn.models import RNNLanguageModel, generate_ids
from seqlearn.sampling import next_token_distribution, sample_next
from seqlearn.scratch.output import softmax

LOGITS = hnp.arrays(np.float64, st.integers(2, 12), elements=st.floats(-5, 5), unique=True)


@given(LOGITS, st.integers(0, 2**32 - 1))
def test_temperature_towards_zero_is_greedy(logits, seed):
    gap = np.sort(logits)[-1] - np.sort(logits)[-2]
    tiny = gap / 1000  # exp(-1000): the runner-up is never drawn
    rng = np.random.default_rng(seed)
    assert all(sample_next(logits, rng, temperature=tiny) == np.argmax(logits) for _ in range(20))
    assert sample_next(logits, rng, temperature=0) == np.argmax(logits)


@given(LOGITS, st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_top_k_never_emits_outside_the_top_k(logits, k, seed):
    allowed = set(np.argsort(-logits)[:k].tolist())
    rng = np.random.default_rng(seed)
    draws = {sample_next(logits, rng, temperature=2.0, top_k=k) for _ in range(100)}
    assert draws <= allowed
    p = next_token_distribution(logits, top_k=k)
    assert np.count_nonzero(p) == min(k, logits.size) and p.sum() == pytest.approx(1.0)


def test_temperature_one_is_the_models_distribution():
    logits = np.log(np.array([0.1, 0.2, 0.7]))
    np.testing.assert_allclose(next_token_distribution(logits), [0.1, 0.2, 0.7])
    flat = next_token_distribution(logits, temperature=100.0)
    assert flat.max() - flat.min() < 0.02  # high temperature: nearly uniform


@given(hnp.arrays(np.float64, st.integers(1, 30), elements=st.floats(-30, 30)), st.integers(0, 2**32 - 1))
def test_a_draw_is_rng_choice_from_the_softmax_exactly(logits, seed):
    """Temperature 1, no top-k: the same draws, and the same rng consumption, as rng.choice(V, p=softmax(z)),
    with the from-scratch softmax, so `seqlearn.scratch.generate` may call sample_next and keep its draws."""
    ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
    p = softmax(logits[None])[0]
    for _ in range(5):
        assert sample_next(logits, ours) == int(theirs.choice(logits.size, p=p))
    assert ours.bit_generator.state == theirs.bit_generator.state


def test_rng_none_and_temperature_zero_are_greedy_top_k_one_too():
    logits = np.array([0.3, 2.0, -1.0, 1.9])
    assert sample_next(logits, None) == sample_next(logits, None, temperature=5.0) == 1
    rng = np.random.default_rng(0)
    assert {sample_next(logits, rng, temperature=0) for _ in range(20)} == {1}
    assert {sample_next(logits, rng, temperature=3.0, top_k=1) for _ in range(50)} == {1}
    assert len({sample_next(logits, rng) for _ in range(200)}) > 1  # a real draw otherwise


def test_sampling_and_metrics_import_without_torch():
    """The NumPy package (seqlearn.scratch) uses the sampling rule, so it must not pull in torch."""
    code = ("import sys; sys.modules['torch'] = None; "  # any `import torch` now raises ImportError
            "import seqlearn.sampling, seqlearn.metrics; print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr


def test_generate_ids_is_seeded_and_stops():
    torch.manual_seed(0)
    model = RNNLanguageModel(6, 8, cell="gru")
    a = generate_ids(model, [0, 1], 20, rng=np.random.default_rng(3))
    assert a == generate_ids(model, [0, 1], 20, rng=np.random.default_rng(3)) and len(a) == 20
    greedy = generate_ids(model, [0], 10)
    stopped = generate_ids(model, [0], 10, stop_id=greedy[1])
    assert stopped[-1] == greedy[1] and len(stopped) <= 2
    assert model.training  # left as it was found


def test_generate_ids_chooses_every_token_with_sample_next(monkeypatch):
    torch.manual_seed(0)
    model = RNNLanguageModel(6, 8, cell="lstm")
    calls = []

    def spy(logits, rng, temperature, top_k):
        calls.append((logits.shape, rng, temperature, top_k))
        return sample_next(logits, rng, temperature, top_k)

    monkeypatch.setattr(seqlearn.models, "sample_next", spy)
    rng = np.random.default_rng(0)
    ids = generate_ids(model, [0, 1], 7, rng=rng, temperature=0.5, top_k=2)
    assert len(ids) == 7 and calls == [((6,), rng, 0.5, 2)] * 7


def test_generate_ids_top_k_one_is_greedy():
    torch.manual_seed(1)
    model = RNNLanguageModel(9, 8, cell="gru", dropout=0.5)
    greedy = generate_ids(model, [2], 15)
    assert generate_ids(model, [2], 15, rng=np.random.default_rng(4), temperature=2.0, top_k=1) == greedy
    assert generate_ids(model, [2], 15, rng=np.random.default_rng(4), temperature=0) == greedy


def test_generate_ids_restores_the_mode_when_sampling_fails():
    model = RNNLanguageModel(6, 4)
    with pytest.raises(ValueError, match="top_k must be at least 1, got 0"):
        generate_ids(model, [0], 5, rng=np.random.default_rng(0), top_k=0)
    assert model.training


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: next_token_distribution([1.0, 2.0], temperature=-1), ValueError, "temperature must be positive"),
        (lambda: next_token_distribution([1.0, 2.0], top_k=0), ValueError, "top_k must be at least 1, got 0"),
        (lambda: next_token_distribution([[1.0, 2.0]]), ValueError, r"logits must be a non-empty vector \(V,\)"),
        (lambda: sample_next([1.0, 2.0], rng=1), TypeError, "rng must be a np.random.Generator or None"),
        (lambda: sample_next([1.0, 2.0], 1, temperature=0), TypeError, "rng must be a np.random.Generator or None"),
        (lambda: sample_next([1.0, 2.0], None, temperature=-1), ValueError,
         r"temperature must be at least 0 \(0 means greedy\), got -1"),
        (lambda: sample_next([1.0, 2.0], None, top_k=0), ValueError, "top_k must be at least 1, got 0"),
        (lambda: sample_next(np.zeros((2, 3)), None), ValueError, r"logits must be a non-empty vector \(V,\)"),
        (lambda: sample_next([], np.random.default_rng(0)), ValueError, r"logits must be a non-empty vector"),
        (lambda: sample_next([1.0, np.nan], None), ValueError, "index 1 is nan"),
        (lambda: sample_next([np.inf, 0.0], None), ValueError, "index 0 is inf"),
        (lambda: sample_next([-np.inf, -np.inf], None), ValueError, "every logit is -inf"),
        (lambda: sample_next("abc", None), TypeError, "logits must be numbers, got str"),
        (lambda: sample_next([True, False], None), TypeError, "logits must be numbers, got list of dtype bool"),
        (lambda: sample_next([1.0, 2.0], np.random.default_rng(0), temperature=True), TypeError,
         "temperature must be at least 0"),
        (lambda: next_token_distribution([1.0, 2.0], temperature=0), ValueError, "temperature must be positive here"),
        (lambda: generate_ids(RNNLanguageModel(4, 3), [], 5), ValueError, "prefix_ids needs at least one id"),
        (lambda: generate_ids(RNNLanguageModel(4, 3), [0], 5, rng=3), TypeError, "rng must be a np.random.Generator"),
        (lambda: generate_ids(RNNLanguageModel(4, 3), [0], 0), ValueError, "steps must be at least 1, got 0"),
    ],
)
def test_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()
