import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from seqlearn.batching import pad_batch, random_batches, sequential_batches


@given(st.integers(1, 4), st.integers(1, 5), st.integers(0, 30), st.integers(0, 2**32 - 1))
def test_sequential_batches_continue_each_column(batch_size, num_steps, extra, seed):
    ids = np.arange(batch_size * num_steps + 1 + extra)
    batches = list(sequential_batches(ids, batch_size, num_steps, rng=np.random.default_rng(seed)))
    assert batches
    for X, Y in batches:
        assert X.shape == Y.shape == (num_steps, batch_size)
        np.testing.assert_array_equal(Y, X + 1)  # targets are the next token
    stream = np.concatenate([X for X, _ in batches], axis=0)  # (L, N): each column must be contiguous
    assert (np.diff(stream, axis=0) == 1).all()


@given(st.integers(1, 4), st.integers(1, 5), st.integers(0, 30), st.integers(0, 2**32 - 1))
def test_next_batch_column_j_starts_where_column_j_ended(batch_size, num_steps, extra, seed):
    """Time-major (T, N): column j of batch k+1 starts with the token after the last of column j in batch k."""
    ids = np.arange(batch_size * num_steps * 4 + 1 + extra)  # at least three batches after the random offset
    batches = list(sequential_batches(ids, batch_size, num_steps, rng=np.random.default_rng(seed)))
    assert len(batches) >= 3
    for (X, Y), (X_next, _) in zip(batches[:-1], batches[1:], strict=True):
        for j in range(batch_size):
            assert X_next[0, j] == X[-1, j] + 1  # the next batch's column j starts where this column j ended
            assert X_next[0, j] == Y[-1, j]  # which is the last target of this column: no token skipped


@given(st.integers(1, 4), st.integers(1, 5), st.integers(0, 30), st.integers(0, 2**32 - 1))
def test_random_batches_are_disjoint_windows(batch_size, num_steps, extra, seed):
    ids = np.arange(batch_size * num_steps * 2 + 1 + extra)
    seen = []
    for X, Y in random_batches(ids, batch_size, num_steps, np.random.default_rng(seed)):
        assert X.shape == (num_steps, batch_size)
        np.testing.assert_array_equal(Y, X + 1)
        assert (np.diff(X, axis=0) == 1).all()  # each column is a contiguous window
        seen.extend(X.ravel().tolist())
    assert len(seen) == len(set(seen))  # windows never overlap


def test_random_batches_depend_only_on_the_seed():
    ids = np.arange(200)
    a = [X for X, _ in random_batches(ids, 3, 4, np.random.default_rng(7))]
    b = [X for X, _ in random_batches(ids, 3, 4, np.random.default_rng(7))]
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_pad_batch():
    batch = pad_batch([[5, 6, 7], [8]], pad_id=0)
    np.testing.assert_array_equal(batch.ids, [[5, 8], [6, 0], [7, 0]])
    np.testing.assert_array_equal(batch.lengths, [3, 1])
    np.testing.assert_array_equal(batch.mask, [[True, True], [True, False], [True, False]])


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: list(sequential_batches(np.arange(10), 2, 5)), ValueError,
         r"ids must hold at least batch_size \* num_steps \+ 1 = 11 tokens for one batch, got 10"),
        (lambda: list(sequential_batches(np.zeros((3, 4), int), 1, 1)), ValueError,
         r"ids must have 1 dimension\(s\), got shape \(3, 4\)"),
        (lambda: list(sequential_batches(np.arange(10.0), 1, 1)), TypeError, "ids must hold integers"),
        (lambda: list(sequential_batches(np.arange(10), 0, 1)), ValueError, "batch_size must be at least 1, got 0"),
        (lambda: list(random_batches(np.arange(10), 1, 2, rng=0)), TypeError,
         "rng must be a np.random.Generator"),
        (lambda: pad_batch([[1], []], 0), ValueError, r"sequences\[1\] is empty"),
        (lambda: pad_batch([], 0), ValueError, "at least one sequence"),
        (lambda: pad_batch([[1.5]], 0), TypeError, r"sequences\[0\] must hold integers"),
        (lambda: pad_batch([[1]], -1), ValueError, "pad_id must be at least 0, got -1"),
        (lambda: pad_batch(np.array([[1, 2]]), 0), TypeError, "must be a list of id sequences, got ndarray"),
    ],
)
def test_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()
