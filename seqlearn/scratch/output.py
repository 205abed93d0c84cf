"""The output layer over time, and softmax cross-entropy.

    y_t = h_t @ W_hy.T + b_y          (the math's ŷ⟨t⟩ = W_hy h⟨t⟩ + b_y, one row per example)

`affine_forward` works on any leading shape: h (T, N, H) -> y (T, N, O), or h (N, H) -> y (N, O).
`softmax_cross_entropy` turns logits (..., V) and integer targets (...) into a loss and its gradient.
"""

from typing import NamedTuple

import numpy as np

from seqlearn.checks import (
    check_choice,
    check_finite,
    check_float_array,
    check_int_array,
    check_mask,
    check_same_dtype,
    check_shape,
)
from seqlearn.scratch.steps import check_cache


class AffineCache(NamedTuple):
    h: np.ndarray  # (..., H), the input
    W: np.ndarray  # (O, H)


def _check_last_axis(name, x, dims, why=""):
    """A float array with a last axis of features or classes, and at least one position: not empty."""
    check_float_array(name, x)
    if x.ndim < 1 or x.shape[-1] == 0:
        raise ValueError(f"{name} must have a last axis {dims} of length at least 1, got shape {x.shape}")
    if x.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {x.shape}{why}")
    return x


def affine_forward(h, W, b):
    """h: (..., H), W: (O, H), b: (O,) -> y: (..., O), cache."""
    _check_last_axis("h", h, "(..., H) of features")
    check_float_array("W", W, ndim=2, dims="(O, H)", allow_empty=False)
    if W.shape[1] != h.shape[-1]:  # either one may be wrong, so the message names both
        raise ValueError(f"W must have shape (O, H) = ({W.shape[0]}, {h.shape[-1]}), got {W.shape}: h has "
                         f"H = {h.shape[-1]} features")
    check_same_dtype("W", W, h.dtype, "h")
    check_same_dtype("b", check_shape("b", check_float_array("b", b), (W.shape[0],), "(O,)"), h.dtype, "h")
    return h @ W.T + b, AffineCache(h, W)


def affine_backward(dy, cache):
    """dy: (..., O) -> dh (..., H), dW (O, H), db (O,). The gradients of W and b sum over every position."""
    check_cache(cache, "affine_forward", AffineCache)
    h, W = cache.h, cache.W
    check_shape("dy", check_float_array("dy", dy), h.shape[:-1] + (W.shape[0],), "(..., O)")
    check_same_dtype("dy", dy, h.dtype, "h")
    dy2 = dy.reshape(-1, W.shape[0])
    return dy @ W, dy2.T @ h.reshape(-1, W.shape[1]), dy2.sum(axis=0)


def softmax(logits):
    """Probabilities along the last axis. Subtracting the max changes nothing but prevents overflow.

    A forward pass: NaN or inf in the logits propagate (see `seqlearn.checks`); the loss refuses them."""
    _check_last_axis("logits", logits, "(..., V) of class scores")
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
    A loss turns numbers into a verdict, so NaN or inf in the logits, and a loss over no token at all (T = 0,
    N = 0 or an all-False mask), are errors rather than a NaN, or a 0 that reads as a perfect model.
    """
    check_choice("reduction", reduction, ("sum", "mean"))
    V = _check_last_axis("logits", logits, "(..., V) of class scores", ": a loss over no token is undefined").shape[-1]
    targets = check_int_array("targets", targets, vocab_size=V)  # class ids in [0, V)
    if targets.shape != logits.shape[:-1]:
        raise ValueError(f"targets must have shape logits.shape[:-1] = {logits.shape[:-1]}, got {targets.shape}")
    check_finite("logits", logits)
    if mask is None:
        mask = np.ones(targets.shape, bool)
    check_mask("mask", np.asarray(mask), targets.shape, "(the shape of targets)")  # a list of bools is fine too
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(log_p, targets[..., None], axis=-1)[..., 0]  # log p(target)
    loss = -(picked * mask).sum()
    dlogits = np.exp(log_p)
    idx = targets[..., None]
    np.put_along_axis(dlogits, idx, np.take_along_axis(dlogits, idx, -1) - 1, -1)  # softmax - one_hot
    dlogits *= mask[..., None]
    if reduction == "mean":
        count = int(mask.sum())  # at least 1, checked above
        loss, dlogits = loss / count, dlogits / count
    return float(loss), dlogits
