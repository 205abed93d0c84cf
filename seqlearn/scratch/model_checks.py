"""What the models share (`architectures`, `attention`, `seq2seq`, `decoding`): the checks of their parameters,
inputs, ids, masks, upstream gradients and losses, so that each refuses a mistake the same way and says what
arrived.

Two rules of the package meet here. A dict of parameters is checked for unknown keys BEFORE anything is picked
out of it: a typo such as 'b_hx' must never silently mean "no bias". And a forward pass propagates NaN and inf
(it does not scan its input), but a loss refuses them: it must not turn them into a number training follows.
"""

import numpy as np

from seqlearn.checks import (
    check_finite,
    check_float_array,
    check_int_array,
    check_keys,
    check_same_dtype,
    check_shape,
    check_state,
    check_upstream,
)
from seqlearn.scratch.output import softmax_cross_entropy

RNN_KEYS = ("W_xh", "W_hh", "b_h")
OUTPUT_KEYS = ("W_hy", "b_y")


def check_ids(name, ids, V, ndim, allow_empty=False):
    """An int array of ids, all in [0, V): a wrong id would pick a wrong one-hot column or fail later. Empty
    (a length of 0 on an axis) only with allow_empty."""
    ids = check_int_array(name, ids, ndim=ndim)
    if ids.size == 0 and not allow_empty:
        raise ValueError(f"{name} must hold at least one id on each axis, got shape {ids.shape}")
    bad = (ids < 0) | (ids >= V)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name} must hold ids in [0, {V - 1}] (V = {V}), got {int(ids[where])} at {where}")
    return ids


def check_dlogits(dlogits, shape, dims, dtype, name="dlogits"):
    """The loss's gradient on the output, of the forward's shape and dtype; None (no loss at all) is a mistake."""
    if dlogits is None:
        raise TypeError(f"{name} must be a NumPy array {dims}, got None")
    return check_upstream(name, dlogits, shape, dims, dtype)


def check_model_params(params, name="params", output=True):
    """The RNN's W_xh (H, D), W_hh (H, H), optional b_h (H,), and with `output` W_hy (O, H), b_y (O,), all of
    one float dtype -> the RNN's part. Unknown keys are refused first, then missing ones."""
    allowed = RNN_KEYS + OUTPUT_KEYS if output else RNN_KEYS
    check_keys(name, params, [k for k in allowed if k != "b_h"], ("b_h",), f"it takes {list(allowed)} ('b_h' optional)")
    H, D = check_float_array(f"{name}['W_xh']", params["W_xh"], ndim=2, dims="(H, D)").shape
    O = check_float_array(f"{name}['W_hy']", params["W_hy"], ndim=2).shape[0] if output else None
    shapes = {"W_xh": (H, D), "W_hh": (H, H), "b_h": (H,), "W_hy": (O, H), "b_y": (O,)}
    for key, p in params.items():
        check_shape(f"{name}['{key}']", check_float_array(f"{name}['{key}']", p), shapes[key])
        check_same_dtype(f"{name}['{key}']", p, params["W_xh"].dtype, f"{name}['W_xh']")
    return {k: params[k] for k in RNN_KEYS if k in params}


def check_model_inputs(x, state0, state_name, params, name="params", output=True, x_name="x"):
    """x (T, N, D) with T, N >= 1 and the D and dtype of params' W_xh; state0 (N, H) or None -> the RNN's part."""
    rnn = check_model_params(params, name, output)
    check_float_array(x_name, x, ndim=3, dims="(T, N, D)", allow_empty=False)
    H, D = rnn["W_xh"].shape
    if x.shape[2] != D:
        raise ValueError(f"{x_name} must have D = {D} features (the columns of {name}['W_xh']), got {x.shape}")
    check_same_dtype(f"{name}['W_xh']", rnn["W_xh"], x.dtype, x_name)
    check_state(state_name, state0, x.shape[1], H, x.dtype)
    return rnn


def check_encoder_decoder(x, encoder, decoder):
    """x (T_x, N, D) and the encoder's RNN params; the decoder's params with the output layer, of the encoder's H
    (the encoder's last state is the decoder's h0) and x's dtype."""
    check_model_inputs(x, None, "h0", encoder, "encoder", output=False)
    check_model_params(decoder, "decoder")
    if decoder["W_hh"].shape != encoder["W_hh"].shape:
        raise ValueError(f"decoder['W_hh'] must have the encoder's shape (H, H) = {encoder['W_hh'].shape}, "
                         f"got {decoder['W_hh'].shape}")
    check_same_dtype("decoder['W_xh']", decoder["W_xh"], x.dtype, "x")


def finite_cross_entropy(logits, targets, reduction, mask=None, source="x, h0 or params"):
    """`softmax_cross_entropy`, refusing NaN and inf logits and naming the inputs they came from."""
    try:
        check_finite("logits", logits)
    except ValueError as error:
        raise ValueError(f"{error}; a NaN or inf in {source} (or an overflow) reached the loss") from None
    return softmax_cross_entropy(logits, targets, reduction, mask)
