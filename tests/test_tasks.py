import numpy as np
import pytest

from seqlearn.one_hot import one_hot
from seqlearn.tasks import recall_task


def test_same_seed_same_batch_and_different_seeds_differ():
    a_ids, a_targets = recall_task(50, 10, np.random.default_rng(7))
    b_ids, b_targets = recall_task(50, 10, np.random.default_rng(7))
    np.testing.assert_array_equal(a_ids, b_ids)
    np.testing.assert_array_equal(a_targets, b_targets)
    c_ids, c_targets = recall_task(50, 10, np.random.default_rng(8))
    assert not np.array_equal(a_ids, c_ids)
    assert not np.array_equal(a_targets, c_targets)


def test_shapes_and_dtypes_are_time_major():
    ids, targets = recall_task(6, 9, np.random.default_rng(0), num_symbols=3, num_distractors=2)
    assert ids.shape == (10, 6) and ids.dtype == np.int64  # (T = delay + 1, N)
    assert targets.shape == (6,) and targets.dtype == np.int64
    assert one_hot(ids, 3 + 2).shape == (10, 6, 5)  # the (T, N, D) input


def test_the_target_is_the_symbol_at_step_0_and_nowhere_else():
    ids, targets = recall_task(2000, 5, np.random.default_rng(1), num_symbols=4, num_distractors=3)
    np.testing.assert_array_equal(ids[0], targets)
    assert set(np.unique(targets)) == {0, 1, 2, 3}  # every symbol is used
    assert set(np.unique(ids[1:])) == {4, 5, 6}  # distractors only, each of them, never a symbol


def test_the_batch_depends_only_on_the_rng():
    rng = np.random.default_rng(2)
    first = recall_task(4, 3, rng)
    second = recall_task(4, 3, rng)  # the generator moved on: a new batch
    assert not np.array_equal(first[0], second[0])


def test_default_length_is_unchanged_by_naming_it():
    """length=None is delay + 1, and the same draws as before `length` existed: the symbol, then distractors."""
    a = recall_task(30, 6, np.random.default_rng(3))
    b = recall_task(30, 6, np.random.default_rng(3), length=7)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    rng = np.random.default_rng(3)
    targets = rng.integers(0, 8, 30)
    np.testing.assert_array_equal(a[0], np.concatenate([targets[None], rng.integers(8, 16, (6, 30))]))


@pytest.mark.parametrize("delay, length", [(1, 2), (3, 10), (9, 10), (5, 40)])
def test_a_longer_sequence_puts_the_symbol_delay_steps_before_the_end(delay, length):
    ids, targets = recall_task(500, delay, np.random.default_rng(4), num_symbols=4, num_distractors=3,
                               length=length)
    assert ids.shape == (length, 500) and ids.dtype == np.int64
    at = length - 1 - delay
    np.testing.assert_array_equal(ids[at], targets)
    others = np.delete(ids, at, axis=0)
    assert set(np.unique(others)) == {4, 5, 6}  # distractors before and after the symbol, never a symbol
    if at > 0:
        assert set(np.unique(ids[:at])) == {4, 5, 6}


def test_a_longer_sequence_is_deterministic_for_a_seed():
    a = recall_task(20, 4, np.random.default_rng(9), length=12)
    b = recall_task(20, 4, np.random.default_rng(9), length=12)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(n=0), ValueError, "n must be at least 1, got 0"),
        (dict(n=-3), ValueError, "n must be at least 1, got -3"),
        (dict(n=2.0), TypeError, "n must be an int, got float 2.0"),
        (dict(delay=0), ValueError, "delay must be at least 1, got 0"),
        (dict(delay=1.5), TypeError, "delay must be an int, got float 1.5"),
        (dict(rng=42), TypeError, r"rng must be a np.random.Generator \(np.random.default_rng\(seed\)\), got int"),
        (dict(rng=None), TypeError, "rng must be a np.random.Generator .* got NoneType"),
        (dict(num_symbols=1), ValueError, "num_symbols must be at least 2, got 1"),
        (dict(num_distractors=0), ValueError, "num_distractors must be at least 1, got 0"),
        (dict(length=3), ValueError, r"length must be at least delay \+ 1 = 4 .*got length=3"),
        (dict(length=0), ValueError, "length must be at least 1, got 0"),
        (dict(length=5.0), TypeError, "length must be an int, got float 5.0"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    arguments = dict(n=4, delay=3, rng=np.random.default_rng(0)) | kwargs
    with pytest.raises(error, match=message):
        recall_task(**arguments)
