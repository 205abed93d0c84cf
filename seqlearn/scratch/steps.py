"""A recurrent layer is its step chained over time: the two loops every cell (RNN, LSTM, GRU) shares.

    forward:   h⟨t⟩, state⟨t⟩ = step(x⟨t⟩, state⟨t-1⟩)      for t = 1, ..., T
    backward:  for t = T, ..., 1, the gradient on state⟨t⟩ is what step t+1 sent back (dstate_n at t = T);
               step t's backward adds the loss's own dh⟨t⟩ and sends its share on to state⟨t-1⟩.

The state is h (RNN, GRU) or the pair (h, c) (LSTM). These loops never look inside it: they only hand it
from one step to the next, so one pair of loops runs every cell, and what a chapter shows as the step is
exactly what the sequence runs. Every step uses the same parameters, so each weight's gradient is the SUM of
its per-step gradients.

Truncated BPTT (truncate=k): time is cut into chunks of steps [0, k), [k, 2k), ... The state each chunk
starts from is treated as a constant, exactly as PyTorch does when the state is detached
(`h = h.detach()`) before steps k, 2k, ...: the forward values are unchanged, and in the backward no
gradient crosses a chunk boundary. Weight gradients still sum over all T steps; dstate0 carries only the
gradient of the losses on the first chunk's steps.

Shapes: x (T, N, D), dh (T, N, H); every step's x_t (N, D) and h_t (N, H).
"""

from typing import NamedTuple

import numpy as np

from seqlearn.checks import check_callable, check_float_array, check_positive_int, check_same_dtype, check_shape


class SequenceCache(NamedTuple):
    """What a chained forward keeps for its backward."""

    steps: list  # each step's own cache, in time order
    truncate: int | None  # cut the gradient every `truncate` steps (None: full BPTT)
    shape: tuple  # (T, N, H), the shape of h
    dtype: np.dtype


def check_sequence(name, x):
    """A batch of sequences (T, N, D) in a float dtype with T, N, D >= 1: an empty batch is a mistake, not a no-op."""
    check_float_array(name, x, ndim=3, dims="(T, N, D)")
    if 0 in x.shape:
        what = "at least one time step" if x.shape[0] == 0 else "at least one example (N) and one feature (D)"
        raise ValueError(f"{name} must have {what}, got shape (T, N, D) = {x.shape}")
    return x


def check_cache(cache, forward, cache_type, step_type=None):
    """A backward reads only the cache its own forward made: another layer's cache, or a plain tuple, is refused
    by its type (it would otherwise fail deep inside, or worse, run). `step_type`: a SequenceCache's steps' type."""
    got = type(cache).__name__
    if isinstance(cache, SequenceCache) and cache.steps:
        got += f" of {type(cache.steps[0]).__name__} steps"
    ok = isinstance(cache, cache_type)
    if ok and step_type is not None:  # a SequenceCache: its steps tell which cell made it
        ok = bool(cache.steps) and isinstance(cache.steps[0], step_type)
    if not ok:
        raise TypeError(f"cache must be the cache that {forward} returned, got {got}")
    return cache


def check_chain_inputs(step_forward, x, truncate):
    """A step function, x (T, N, D) with T, N, D >= 1, and truncate None or an int k >= 1."""
    check_callable("step_forward", step_forward)
    check_sequence("x", x)
    if truncate is not None:
        check_positive_int("truncate", truncate)


def chain_forward(step_forward, x, state0, params, truncate=None, **options):
    """Run `step_forward(x_t, state, params, **options) -> (h_t, state_t, cache_t)` for t = 0..T-1.

    x: (T, N, D); state0: the cell's initial state (None for zeros) -> h (T, N, H), state_n, SequenceCache.
    h[t] is the hidden state after step t.
    """
    check_chain_inputs(step_forward, x, truncate)
    h, caches, state = [], [], state0
    for x_t in x:
        h_t, state, cache_t = step_forward(x_t, state, params, **options)
        h.append(h_t)
        caches.append(cache_t)
    h = np.stack(h)
    return h, state, SequenceCache(caches, truncate, h.shape, h.dtype)


def check_sequence_gradient(name, dh, shape, dtype):
    """The loss's gradient on every hidden state: a float array of the forward's shape (T, N, H) and dtype."""
    check_float_array(name, dh, ndim=3, dims="(T, N, H)")
    return check_same_dtype(name, check_shape(name, dh, shape, "(T, N, H)"), dtype)


def chain_backward(step_backward, dh, cache, dstate_n=None):
    """Run `step_backward(dh_t, cache_t, dstate_t) -> (dx_t, dstate_prev, grads_t)` for t = T-1..0.

    dh: (T, N, H), the loss's gradient on every hidden state; dstate_n: an extra gradient on the final state
    (None for none) -> dx (T, N, D), dstate0 (the gradient on the initial state), grads summed over time.
    """
    check_callable("step_backward", step_backward)
    check_cache(cache, "chain_forward", SequenceCache)
    check_sequence_gradient("dh", dh, cache.shape, cache.dtype)
    dx, grads, dstate = [None] * len(dh), {}, dstate_n
    for t in reversed(range(len(dh))):
        dx[t], dstate, step_grads = step_backward(dh[t], cache.steps[t], dstate)
        for name, grad in step_grads.items():
            grads[name] = grads[name] + grad if name in grads else grad
        if cache.truncate is not None and t > 0 and t % cache.truncate == 0:
            dstate = None  # the state step t started from began this chunk: a constant, no gradient flows past
    return np.stack(dx), dstate, grads
