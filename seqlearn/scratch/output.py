"""The output layer over time, and softmax cross-entropy.

    y_t = h_t @ W_hy.T + b_y          (the math's ŷ⟨t⟩ = W_hy h⟨t⟩ + b_y, one row per example)

`affine_forward` works on any leading shape: h (T, N, H) -> y (T, N, O), or h (N, H) -> y (N, O).
`softmax_cross_entropy` turns logits (..., V) and integer targets (...) into a loss and its gradient.
"""

from typing import NamedTuple

import numpy as np

from seqlearn.checks import check_choice, check_float_array, check_int_array, check_same_dtype, check_shape


class AffineCache(NamedTuple):
    h: np.ndarray  # (..., H), the input
    W: np.ndarray  # (O, H)


def affine_forward(h, W, b):
    """h: (..., H), W: (O, H), b: (O,) -> y: (..., O), cache."""
    check_float_array("h", h)
    if h.ndim < 1:
        raise ValueError(f"h must have a last axis of features (..., H), got shape {h.shape}")
    check_float_array("W", W, ndim=2, dims="(O, H)")
    check_shape("W", W, (W.shape[0], h.shape[-1]), "(O, H)")
    check_shape("b", check_float_array("b", b), (W.shape[0],), "(O,)")
    return h @ W.T + b, AffineCache(h, W)


def affine_backward(dy, cache):
    """dy: (..., O) -> dh (..., H), dW (O, H), db (O,). The gradients of W and b sum over every position."""
    h, W = cache.h, cache.W
    check_shape("dy", check_float_array("dy", dy), h.shape[:-1] + (W.shape[0],), "(..., O)")
    check_same_dtype("dy", dy, h.dtype)
    dy2 = dy.reshape(-1, W.shape[0])
    return dy @ W, dy2.T @ h.reshape(-1, W.shape[1]), dy2.sum(axis=0)


def softmax(logits):
    """Probabilities along the last axis. Subtracting the max changes nothing but prevents overflow."""
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_cross_entropy(logits, targets, reduction="sum", mask=None):
    """Loss -sum log p(target) over positions, and its gradient. logits (..., V), targets (...) ints.

    reduction="sum" is the loss the math defines: the sum over time steps (and examples) of each step's
    loss, so dlogits = softmax - one_hot(target) at each position, and a shared weight's gradient is the sum
    of its per-step contributions. reduction="mean" divides the loss, and so every gradient, by the number of
    positions counted (the tokens). Nothing else changes: the direction is the same and only the step size
    shrinks by 1/(number of tokens). That division is the "average" of per-step gradients that one
    circulating note describes; it comes from the mean loss, not from BPTT itself.
    mask (...) bool: positions where it is False (padding) count for nothing and get zero gradient.
    """
    check_choice("reduction", reduction, ("sum", "mean"))
    check_float_array("logits", logits)
    targets = check_int_array("targets", targets)
    V = logits.shape[-1] if logits.ndim else 0
    if logits.ndim < 1 or targets.shape != logits.shape[:-1]:
        raise ValueError(f"targets must have shape logits.shape[:-1] = {logits.shape[:-1]}, "
                         f"got {targets.shape}")
    bad = (targets < 0) | (targets >= V)
    if bad.any():
        raise ValueError(f"targets must be class ids in [0, {V - 1}], got {int(targets[bad][0])} (V = {V})")
    if mask is None:
        mask = np.ones(targets.shape, bool)
    mask = np.asarray(mask)
    if mask.dtype != bool or mask.shape != targets.shape:
        raise ValueError(f"mask must be a bool array of shape {targets.shape}, got {mask.dtype} {mask.shape}")
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(log_p, targets[..., None], axis=-1)[..., 0]  # log p(target)
    loss = -(picked * mask).sum()
    dlogits = np.exp(log_p)
    idx = targets[..., None]
    np.put_along_axis(dlogits, idx, np.take_along_axis(dlogits, idx, -1) - 1, -1)  # softmax - one_hot
    dlogits *= mask[..., None]
    if reduction == "mean":
        count = max(int(mask.sum()), 1)
        loss, dlogits = loss / count, dlogits / count
    return float(loss), dlogits
