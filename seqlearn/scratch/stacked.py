"""Bidirectional and deep (stacked) RNNs, built from the single-layer `rnn`, `lstm` and `gru`: no new cell maths.

A bidirectional layer runs two independent layers over the same inputs, one in each direction:

    forward sweep:   a→⟨t⟩ = cell(x⟨t⟩, a→⟨t-1⟩)    for t = 1, ..., T
    backward sweep:  a←⟨t⟩ = cell(x⟨t⟩, a←⟨t+1⟩)    for t = T, ..., 1
    y⟨t⟩ = g(W_y [a→⟨t⟩; a←⟨t⟩] + b_y)             so y⟨t⟩ sees the whole sequence, past and future

The backward sweep is the same layer run on the reversed sequence, x[::-1], with its states reversed back
into time order. A stacked (deep) RNN feeds layer k-1's states, both directions side by side, to layer k as
its input at each step. Each layer and direction has its own parameters and its own initial state.

Everything is laid out as torch.nn.RNN/LSTM/GRU(..., num_layers, bidirectional=...) does it:

- params[k][d]: one layer's dict (as `init_rnn_params`, `init_lstm_params` or `init_gru_params` make it) for
  layer k and direction d (0 forward, 1 backward). Layer 0's W_x* are (H, D); a later layer's (H, H), or
  (H, 2H) when bidirectional, because it reads both directions of the layer below.
- x (T, N, D) -> output (T, N, num_directions * H): the last layer's states, output[..., :H] forward and
  output[..., H:] backward.
- the initial and final states h0, h_n (and the LSTM's c0, c_n): (num_layers * num_directions, N, H), layer
  by layer and, within a layer, forward then backward: h_n[k * num_directions + d]. The backward direction
  ends at t = 1, so its final state is output[0, :, H:] for the last layer, while the forward one's is
  output[-1, :, :H].

Dropout, as torch applies it: on each layer's output before it feeds the next layer (never after the last
layer), in training mode only. Inverted dropout: a unit is kept with probability 1 - p and then scaled by
1 / (1 - p), so that the expected value is unchanged and evaluation needs no rescaling. The masks are drawn
from the `rng` passed in and kept in the cache, so that the backward pass is exact.
"""

from typing import NamedTuple

import numpy as np

from seqlearn.checks import (
    check_choice,
    check_flag,
    check_float_array,
    check_float_dtype,
    check_number,
    check_positive_int,
    check_rng,
    check_same_dtype,
    check_shape,
    check_upstream,
)
from seqlearn.scratch.gru import check_gru_params, gru_backward, gru_forward, init_gru_params
from seqlearn.scratch.lstm import check_lstm_params, init_lstm_params, lstm_backward, lstm_forward, state_pair
from seqlearn.scratch.rnn import check_rnn_params, init_rnn_params, rnn_backward, rnn_forward
from seqlearn.scratch.steps import check_cache

CELLS = ("rnn", "lstm", "gru")
# passed on to each layer's forward
CELL_OPTIONS = {"rnn": ("nonlinearity", "truncate"), "lstm": ("truncate",), "gru": ("variant", "truncate")}
DIRECTIONS = ("forward", "backward")  # params[k][0] and params[k][1]
# Every cell's layer follows one contract (see `seqlearn.scratch`), so the stack calls them all the same way.
LAYERS = {"rnn": (rnn_forward, rnn_backward), "lstm": (lstm_forward, lstm_backward), "gru": (gru_forward, gru_backward)}
STATES = "(num_layers * num_directions, N, H)"


def init_stacked_params(cell, D, H, num_layers, bidirectional, rng, dtype=np.float64, **cell_kwargs):
    """params[k][d] for num_layers layers and 1 or 2 directions, each drawn by the cell's own init.

    `cell_kwargs` go to it: bias=False for any cell, forget_bias for the LSTM.
    """
    check_choice("cell", cell, CELLS)
    check_positive_int("D", D)
    check_positive_int("H", H)
    check_positive_int("num_layers", num_layers)
    check_flag("bidirectional", bidirectional)
    check_rng(rng)
    check_float_dtype(dtype)  # the rest, cell_kwargs included, the first layer's init checks before any draw
    init = {"rnn": init_rnn_params, "lstm": init_lstm_params, "gru": init_gru_params}[cell]
    num_directions = 2 if bidirectional else 1
    return [[init(D if k == 0 else num_directions * H, H, rng, dtype=dtype, **cell_kwargs)
             for _ in range(num_directions)]
            for k in range(num_layers)]


def check_stacked_params(cell, params, D, dtype):
    """Validate params[k][d] against the input width D and x's dtype; return (num_layers, num_directions, H)."""
    if not isinstance(params, list | tuple):
        raise TypeError(f"params must be a list over layers of lists over directions; got {type(params).__name__}")
    if len(params) == 0:
        raise ValueError(f"params must be a list over layers (at least one) of lists over directions; got an empty "
                         f"{type(params).__name__}")
    for k, layer in enumerate(params):
        if not isinstance(layer, list | tuple) or len(layer) not in (1, 2):
            got = f"length {len(layer)}" if isinstance(layer, list | tuple) else type(layer).__name__
            raise ValueError(f"params[{k}] must be a list of one dict per direction, [forward] or "
                             f"[forward, backward]; got {got}")
        if len(layer) != len(params[0]):
            raise ValueError(f"every layer needs the same directions: params[0] has {len(params[0])}, "
                             f"params[{k}] has {len(layer)}; is a direction missing?")
    num_layers, num_directions = len(params), len(params[0])
    check = {"rnn": check_rnn_params, "lstm": check_lstm_params, "gru": check_gru_params}[cell]
    H = None
    for k, layer in enumerate(params):
        for d, p in enumerate(layer):
            try:  # the layer's own checks, told which layer and direction they are looking at
                source = "x" if k == 0 else f"layer {k - 1}'s output"  # what this layer reads
                H_kd = check(p, D if k == 0 else num_directions * H, dtype, source)
            except (TypeError, ValueError) as error:
                raise type(error)(f"params[{k}][{d}] (layer {k}, {DIRECTIONS[d]}): {error}") from error
            if H is not None and H_kd != H:
                raise ValueError(f"every layer and direction needs the same H: params[0][0] has H = {H}, "
                                 f"params[{k}][{d}] has H = {H_kd}")
            H = H_kd
    return num_layers, num_directions, H


def _check_dropout(dropout, training, rng):
    check_number("dropout", dropout, "a number in [0, 1)", lambda p: 0 <= p < 1)
    check_flag("training", training)
    check_rng(rng, allow_none=True)  # a wrong rng is a mistake even where no mask is drawn
    if training and dropout > 0 and rng is None:
        raise ValueError(f"dropout={dropout} in training mode draws random masks: pass "
                         "rng=np.random.default_rng(seed), or use training=False")


def _states(cell, state, shape, dtype, name="state0", parts=("h0", "c0")):
    """A stack's state (or its gradient), split into (h, c), each (num_layers * num_directions, N, H): zeros
    for None, and c None but for the LSTM."""
    if cell != "lstm":
        return check_upstream(parts[0], state, shape, STATES, dtype), None
    pair = state_pair(name, state, parts, kind=" for an LSTM")
    return tuple(check_upstream(part, s, shape, STATES, dtype) for part, s in zip(parts, pair, strict=True))


def _layer_state(h, c, i):
    """Layer-and-direction i's state, as its layer function takes it: h[i], or (h[i], c[i]) for the LSTM."""
    return h[i] if c is None else (h[i], c[i])


class StackedCache(NamedTuple):
    cell: str
    layers: list  # layers[k][d]: the cache of layer k, direction d
    masks: list  # masks[k]: the dropout mask on layer k's output, or None
    x_shape: tuple  # (T, N, D)
    H: int
    dtype: np.dtype  # x's


def stacked_forward(x, state0, params, *, cell, dropout=0.0, training=False, rng=None, **cell_options):
    """The whole stack. x: (T, N, D); state0: h0, or (h0, c0) for the LSTM, each
    (num_layers * num_directions, N, H), or None for zeros -> output (T, N, num_directions * H),
    state_n: h_n, or (h_n, c_n) for the LSTM, each (num_layers * num_directions, N, H), cache.

    cell is "rnn", "lstm" or "gru"; `cell_options` go to each layer's forward: nonlinearity for the RNN,
    variant for the GRU, truncate for any (truncated BPTT, within each layer). dropout in [0, 1) acts between
    layers when training=True, with masks drawn from `rng`; with training=False it does nothing.
    """
    check_choice("cell", cell, CELLS)
    unknown = sorted(set(cell_options) - set(CELL_OPTIONS[cell]))
    if unknown:
        raise TypeError(f"a stacked {cell} takes the options {list(CELL_OPTIONS[cell])}; got {unknown}")
    check_float_array("x", x, ndim=3, dims="(T, N, D)")
    T, N, D = x.shape
    num_layers, num_directions, H = check_stacked_params(cell, params, D, x.dtype)
    _check_dropout(dropout, training, rng)
    h0, c0 = _states(cell, state0, (num_layers * num_directions, N, H), x.dtype)
    h_n = np.empty((num_layers * num_directions, N, H), x.dtype)
    c_n = np.empty_like(h_n) if cell == "lstm" else None
    layer_in, caches, masks = x, [], []
    for k, layer in enumerate(params):
        outs, layer_caches = [], []
        for d, p in enumerate(layer):
            i = k * num_directions + d  # PyTorch's order: layer by layer, forward then backward
            seq = layer_in if d == 0 else layer_in[::-1]  # the backward sweep reads x⟨T⟩ first
            h, state_n, cache = LAYERS[cell][0](seq, _layer_state(h0, c0, i), p, **cell_options)
            if c_n is None:
                h_n[i] = state_n
            else:
                h_n[i], c_n[i] = state_n
            outs.append(h if d == 0 else h[::-1])  # its states put back in time order
            layer_caches.append(cache)
        out = np.concatenate(outs, axis=2)  # (T, N, num_directions * H): [forward, backward]
        mask = None
        if training and dropout > 0 and k < num_layers - 1:  # between layers only, never after the last
            mask = ((rng.random(out.shape) >= dropout) / (1 - dropout)).astype(x.dtype)
            out = out * mask
        caches.append(layer_caches)
        masks.append(mask)
        layer_in = out
    state_n = (h_n, c_n) if cell == "lstm" else h_n
    return layer_in, state_n, StackedCache(cell, caches, masks, x.shape, H, x.dtype)


def stacked_backward(dout, cache, dstate_n=None):
    """Backprop through the stack. dout: (T, N, num_directions * H), the loss's gradient on the output;
    dstate_n: dh_n, or (dh_n, dc_n) for the LSTM, each (num_layers * num_directions, N, H) or None, extra
    gradients on the final states -> dx (T, N, D), dstate0: dh0, or (dh0, dc0) for the LSTM, each
    (num_layers * num_directions, N, H), and grads[k][d] named like params[k][d].

    Going down, each layer's input gradient is the sum of what its two directions send back, passed through
    the dropout mask of the layer below.
    """
    check_cache(cache, "stacked_forward", StackedCache)
    cell, H = cache.cell, cache.H
    T, N, D = cache.x_shape
    num_layers, num_directions = len(cache.layers), len(cache.layers[0])
    check_float_array("dout", dout, ndim=3, dims="(T, N, num_directions * H)")
    check_shape("dout", dout, (T, N, num_directions * H), "(T, N, num_directions * H)")
    check_same_dtype("dout", dout, cache.dtype)
    shape = (num_layers * num_directions, N, H)
    dh_n, dc_n = _states(cell, dstate_n, shape, dout.dtype, "dstate_n", ("dh_n", "dc_n"))
    dh0 = np.empty(shape, dout.dtype)
    dc0 = np.empty(shape, dout.dtype) if cell == "lstm" else None
    grads = [[None] * num_directions for _ in range(num_layers)]
    d_out = dout  # the gradient on layer k's output, from the top layer down
    for k in reversed(range(num_layers)):
        if cache.masks[k] is not None:
            d_out = d_out * cache.masks[k]  # back through the dropout on this layer's output
        d_in = 0
        for d in range(num_directions):
            i = k * num_directions + d
            dh = d_out[:, :, d * H:(d + 1) * H]
            dx, dstate0, grads[k][d] = LAYERS[cell][1](dh if d == 0 else dh[::-1], cache.layers[k][d],
                                                       _layer_state(dh_n, dc_n, i))
            if dc0 is None:
                dh0[i] = dstate0
            else:
                dh0[i], dc0[i] = dstate0
            d_in = d_in + (dx if d == 0 else dx[::-1])  # both directions read the same input
        d_out = d_in  # the gradient on the output of the layer below, or, below layer 0, on x
    return d_out, ((dh0, dc0) if cell == "lstm" else dh0), grads
