"""One-hot encoding and its inverse.

`one_hot(indices, vocab_size)` adds a last axis of length V with a single 1 at each index: ids of shape
(T, N) become a (T, N, V) array. As a column vector (the math's view), token i is `e_i`, and
`W @ e_i == W[:, i]`: multiplying by a one-hot vector only selects a column, which is why embedding
layers are implemented as lookups.
"""

import numpy as np

from seqlearn.checks import check_float_dtype, check_int_array, check_positive_int


def one_hot(indices, vocab_size, dtype=np.float64):
    """Integer ids of any shape S -> array of shape S + (vocab_size,) with one 1 per position."""
    vocab_size = check_positive_int("vocab_size", vocab_size)
    ids = check_int_array("indices", indices, vocab_size=vocab_size)  # any integer dtype; each id in [0, V)
    out = np.zeros(ids.shape + (vocab_size,), dtype=check_float_dtype(dtype))
    # Put a 1 at [..., ids]: take_along_axis-style indexing on the last axis.
    np.put_along_axis(out, ids[..., None], 1, axis=-1)
    return out


def from_one_hot(x):
    """Inverse of `one_hot`: an array of shape S + (V,) -> integer ids of shape S.

    x: a NumPy array of 0s and 1s, float (as `one_hot` returns) or integer (as torch's one_hot returns).
    Refuses anything that is not exactly one-hot (one 1 and zeros elsewhere on the last axis), because
    argmax of, say, a probability vector would silently pick a token.
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(f"x must be a NumPy array, got {type(x).__name__}")
    if x.dtype == bool or not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
        raise TypeError(f"x must hold 0s and 1s as floats or integers, got dtype {x.dtype}")
    if x.ndim < 1 or x.shape[-1] < 1:
        raise ValueError(f"x must have a last axis, the vocabulary, of length at least 1, got shape {x.shape}")
    ones = x == 1
    valid = (ones.sum(axis=-1) == 1) & ((x == 0) | ones).all(axis=-1)
    if not valid.all():
        where = tuple(int(i) for i in np.argwhere(~valid)[0])
        raise ValueError(f"x must be one-hot: exactly one 1 and zeros elsewhere on the last axis; not so at "
                         f"position {where}")
    return ones.argmax(axis=-1).astype(np.int64)
