import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from seqlearn.models import RNNLanguageModel
from seqlearn.sampling import generate_ids, next_token_distribution, sample_next

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


def test_generate_ids_is_seeded_and_stops():
    torch.manual_seed(0)
    model = RNNLanguageModel(6, 8, cell="gru")
    a = generate_ids(model, [0, 1], 20, rng=np.random.default_rng(3))
    assert a == generate_ids(model, [0, 1], 20, rng=np.random.default_rng(3)) and len(a) == 20
    greedy = generate_ids(model, [0], 10)
    stopped = generate_ids(model, [0], 10, stop_id=greedy[1])
    assert stopped[-1] == greedy[1] and len(stopped) <= 2
    assert model.training  # left as it was found


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: next_token_distribution([1.0, 2.0], temperature=-1), ValueError, "temperature must be positive"),
        (lambda: next_token_distribution([1.0, 2.0], top_k=0), ValueError, "top_k must be at least 1, got 0"),
        (lambda: next_token_distribution([[1.0, 2.0]]), ValueError, r"logits must be a non-empty vector \(V,\)"),
        (lambda: sample_next([1.0, 2.0], rng=1), TypeError, "rng must be a np.random.Generator or None"),
        (lambda: generate_ids(RNNLanguageModel(4, 3), [], 5), ValueError, "prefix_ids needs at least one id"),
    ],
)
def test_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()
