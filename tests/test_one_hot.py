import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from seqlearn.one_hot import from_one_hot, one_hot


def test_shape_and_values():
    x = one_hot([[0, 2], [1, 1]], 3)
    assert x.shape == (2, 2, 3) and x.dtype == np.float64
    assert x[0, 1].tolist() == [0, 0, 1]


def test_one_hot_times_matrix_selects_a_column():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(5, 7))  # (H, V): column i is token i's embedding
    for i in range(7):
        np.testing.assert_array_equal(W @ one_hot(i, 7), W[:, i])


@given(st.integers(1, 20).flatmap(
    lambda v: st.tuples(st.just(v), hnp.arrays(np.int64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
                                                 elements=st.integers(0, v - 1)))))
def test_inverse_round_trip(case):
    vocab_size, ids = case
    x = one_hot(ids, vocab_size)
    assert x.shape == ids.shape + (vocab_size,)
    assert (x.sum(axis=-1) == 1).all()
    np.testing.assert_array_equal(from_one_hot(x), ids)


@pytest.mark.parametrize(
    "indices, vocab_size, error, message",
    [
        ([0, 3], 3, ValueError, r"indices must be ids in \[0, 2\] \(vocab_size=3\); got 3 at position \(1,\)"),
        ([[0], [-1]], 3, ValueError, r"got -1 at position \(1, 0\)"),
        ([0.0, 1.0], 3, TypeError, "indices must hold integers, got dtype float64"),
        ([True], 3, TypeError, "indices must hold integers, got dtype bool"),
        ([0], 0, ValueError, "vocab_size must be at least 1, got 0"),
        ([0], 3.0, TypeError, "vocab_size must be an int, got float"),
    ],
)
def test_bad_one_hot(indices, vocab_size, error, message):
    with pytest.raises(error, match=message):
        one_hot(indices, vocab_size)


def test_from_one_hot_refuses_non_one_hot():
    with pytest.raises(ValueError, match=r"x must be one-hot: exactly one 1 .* not so at position \(1,\)"):
        from_one_hot(np.array([[0, 1.0], [0.5, 0.5]]))
    with pytest.raises(ValueError, match=r"exactly one 1"):
        from_one_hot(np.array([1, 1, 0]))  # integer one-hots (torch's one_hot) are read too
