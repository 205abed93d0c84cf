"""Minibatches: language-modelling windows over one long id sequence, and padding of variable lengths.

Arrays are time-major, as everywhere in the course: a batch of inputs is (T, N) ids, T = `num_steps`
time steps by N = `batch_size` sequences. Targets are the inputs shifted by one token.

- `random_batches`: windows cut at a random offset and shuffled. Consecutive batches are unrelated, so a
  model must start each batch from a fresh hidden state.
- `sequential_batches`: column j of batch k+1 continues column j of batch k (its first token follows the last
  token of column j in batch k), so a model may carry its hidden state across batches: row j of the (N, H)
  state belongs to column j (stateful training, truncated BPTT).
Both drop the tokens that do not fill a whole window (fewer than `num_steps * batch_size` of them);
the random offset changes which ones, so no token is always left out. Both check their arguments when called,
not at the first batch, and draw from `rng` only as the batches are taken.

`pad_batch` stacks sequences of different lengths into a (T_max, N) array with their lengths and a mask.
"""

from typing import NamedTuple

import numpy as np

from seqlearn.checks import check_int_array, check_positive_int, check_rng


def _check(ids, batch_size, num_steps, rng, rng_optional=False):
    """Every argument of a batching generator, checked when it is called, not at its first next()."""
    ids = _check_ids("ids", ids)
    check_positive_int("batch_size", batch_size)
    check_positive_int("num_steps", num_steps)
    check_rng(rng, allow_none=rng_optional)
    need = batch_size * num_steps + 1
    if len(ids) < need:
        raise ValueError(f"ids must hold at least batch_size * num_steps + 1 = {need} tokens for one batch, "
                         f"got {len(ids)}")
    return ids


def _check_ids(name, ids):
    """1-D token ids as int64, from any integer dtype (a uint64 above int64's range is refused, not wrapped)."""
    ids = check_int_array(name, ids, ndim=1)
    if ids.size and ids.min() < 0:
        raise ValueError(f"{name} must be token ids (>= 0), got {int(ids.min())} at position {int(ids.argmin())}")
    return ids


def _random_offset(ids, batch_size, num_steps, rng):
    """Drop a random number (< num_steps) of leading tokens, never so many that no batch is left."""
    spare = len(ids) - (batch_size * num_steps + 1)
    return ids[rng.integers(min(num_steps, spare + 1)):]


def random_batches(ids, batch_size, num_steps, rng):
    """Yield (X, Y), each (num_steps, batch_size), from shuffled windows of `ids` (1-D ints)."""
    ids = _check(ids, batch_size, num_steps, rng)
    return _random_windows(ids, batch_size, num_steps, rng)


def _random_windows(ids, batch_size, num_steps, rng):
    ids = _random_offset(ids, batch_size, num_steps, rng)  # a different cut every epoch
    starts = np.arange(0, (len(ids) - 1) // num_steps * num_steps, num_steps)
    rng.shuffle(starts)
    for b in range(len(starts) // batch_size):
        chunk = starts[b * batch_size:(b + 1) * batch_size]
        window = chunk[None, :] + np.arange(num_steps)[:, None]  # (T, N) positions
        yield ids[window], ids[window + 1]


def sequential_batches(ids, batch_size, num_steps, rng=None):
    """Yield (X, Y), each (num_steps, batch_size); column j of each batch continues column j of the last one.

    `rng` (optional) picks a random starting offset; without it the first token is used first.
    """
    ids = _check(ids, batch_size, num_steps, rng, rng_optional=True)
    if rng is not None:
        ids = _random_offset(ids, batch_size, num_steps, rng)
    per_stream = (len(ids) - 1) // batch_size
    inputs = ids[: batch_size * per_stream].reshape(batch_size, per_stream).T  # (L, N): each column a stream
    targets = ids[1: batch_size * per_stream + 1].reshape(batch_size, per_stream).T
    # A generator expression, not `yield`: the lines above run at the call, so a bad argument fails there.
    return ((inputs[t:t + num_steps], targets[t:t + num_steps])
            for t in range(0, per_stream // num_steps * num_steps, num_steps))


class PaddedBatch(NamedTuple):
    ids: np.ndarray  # (T_max, N) ids, padded with pad_id after each sequence ends
    lengths: np.ndarray  # (N,) true length of each sequence
    mask: np.ndarray  # (T_max, N) bool, True where a real token is


def pad_batch(sequences, pad_id):
    """Stack variable-length id sequences into a time-major padded batch. Nothing is truncated."""
    pad_id = check_positive_int("pad_id", pad_id, minimum=0)
    if isinstance(sequences, np.ndarray) or not isinstance(sequences, list | tuple):
        raise TypeError(f"sequences must be a list of id sequences, got {type(sequences).__name__}")
    if len(sequences) == 0:
        raise ValueError("sequences must hold at least one sequence, got an empty list")
    seqs = [_check_ids(f"sequences[{i}]", s) for i, s in enumerate(sequences)]
    lengths = np.array([len(s) for s in seqs], dtype=np.int64)
    if (lengths == 0).any():
        raise ValueError(f"every sequence needs at least one token; sequences[{int(np.argmin(lengths))}] is empty")
    ids = np.full((lengths.max(), len(seqs)), pad_id, dtype=np.int64)
    for j, s in enumerate(seqs):
        ids[: len(s), j] = s
    mask = np.arange(lengths.max())[:, None] < lengths[None, :]
    return PaddedBatch(ids, lengths, mask)
