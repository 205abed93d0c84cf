"""Optimisers for the from-scratch NumPy models, and gradient clipping.

Each optimiser updates a params dict in place from a grads dict with the same keys, keeping its own state
per key (the same update rules as torch.optim, so the two agree step for step):

- SGD:      p -= lr * g
- Adagrad:  s += g^2;  p -= lr * g / (sqrt(s) + eps)           (each weight gets its own, shrinking, step)
- Adam:     m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
            p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)

Clipping, before the update, against exploding gradients (chapter 6):
- `clip_by_value(grads, limit)`: every entry into [-limit, limit]; this changes the gradient's direction.
- `clip_by_global_norm(grads, max_norm)`: rescale all gradients together when their joint norm is larger than
  max_norm; the direction is kept.

A NaN or inf gradient is refused, naming its array, by the clipping functions and by every step (as PyTorch's
`clip_grad_norm_(..., error_if_nonfinite=True)`): a diverged loss is reported, not rescaled or applied. A step
checks every gradient (names, shapes, dtypes, finiteness) before it changes a parameter or its own state.
"""

import math

import numpy as np

from seqlearn.checks import (
    check_float_array,
    check_nonnegative,
    check_number,
    check_positive,
    check_same_dtype,
    check_shape,
)


def _check_grads(grads, name="grads"):
    """A non-empty dict of finite float arrays of one dtype: clipping and updates refuse a NaN or inf gradient,
    naming its array, because a diverged loss cannot be rescaled into a finite step."""
    if not isinstance(grads, dict) or not grads:
        got = "an empty dict" if isinstance(grads, dict) else type(grads).__name__
        raise TypeError(f"{name} must be a non-empty dict of name -> array, got {got}")
    first = next(iter(grads))
    for k, g in grads.items():
        check_float_array(f"{name}[{k!r}]", g)
        check_same_dtype(f"{name}[{k!r}]", g, grads[first].dtype, f"{name}[{first!r}]")
        if not np.isfinite(g).all():  # a diverged loss: say so, before the norm or the update hides it
            where = tuple(int(i) for i in np.argwhere(~np.isfinite(g))[0])
            raise ValueError(f"{name}[{k!r}] must be finite, got {g[where]} at {list(where)} (did the loss "
                             "diverge? lower the learning rate)")
    return grads


def _check_step(params, grads, state=()):
    """Everything a step reads, checked before it changes anything: params and grads name the same float
    arrays, of the same shapes and dtype, every gradient finite; `state` holds the optimiser's arrays per key."""
    _check_grads(params, "params")
    _check_grads(grads)
    if set(params) != set(grads):
        raise ValueError(f"params and grads must have the same keys: {sorted(params)} vs {sorted(grads)}")
    for k in params:
        if not params[k].flags.writeable:
            raise ValueError(f"params[{k!r}] must be writeable: the step updates it in place")
        check_shape(f"grads[{k!r}]", grads[k], params[k].shape)
        check_same_dtype(f"grads[{k!r}]", grads[k], params[k].dtype, f"params[{k!r}]")
        for s in state:  # arrays from earlier steps: new params of another shape need a new optimiser
            if k in s and (s[k].shape, s[k].dtype) != (params[k].shape, params[k].dtype):
                raise ValueError(f"params[{k!r}] has shape {params[k].shape} and {params[k].dtype}, but this "
                                 f"optimiser was stepped with {s[k].shape} and {s[k].dtype}: use a new one")


class SGD:
    """Plain gradient descent: p -= lr * g."""

    def __init__(self, lr):
        self.lr = check_positive("lr", lr)

    def step(self, params, grads):
        _check_step(params, grads)
        for k in params:
            params[k] -= self.lr * grads[k]


class Adagrad:
    """Adagrad: each weight's step shrinks as its own squared gradients accumulate.

        s += g^2;  p -= lr * g / (sqrt(s) + eps)

    s starts at zero (torch's initial_accumulator_value=0), and eps is added after the square root, as
    torch.optim.Adagrad does; it only guards against dividing by zero.
    """

    def __init__(self, lr=1e-2, eps=1e-10):
        self.lr, self.eps, self.sum_sq = check_positive("lr", lr), check_nonnegative("eps", eps), {}

    def step(self, params, grads):
        _check_step(params, grads, [self.sum_sq])
        for k in params:
            s = self.sum_sq.setdefault(k, np.zeros_like(params[k]))
            s += grads[k] ** 2
            params[k] -= self.lr * grads[k] / (np.sqrt(s) + self.eps)


class Adam:
    """Adam: a running mean of gradients (m) and of their squares (v), bias-corrected. At step t = 1, 2, ...

        m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
        p -= lr * m_hat / (sqrt(v_hat) + eps),  m_hat = m / (1 - b1^t),  v_hat = v / (1 - b2^t)
    """

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        check_positive("lr", lr)
        check_nonnegative("eps", eps)
        for name, b in (("beta1", beta1), ("beta2", beta2)):
            check_number(name, b, "in [0, 1)", lambda v: 0 <= v < 1)
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m, self.v, self.t = {}, {}, 0

    def step(self, params, grads):
        _check_step(params, grads, [self.m, self.v])
        if self.m and set(params) != set(self.m):  # t counts every key's steps: a new key's bias correction is wrong
            raise ValueError(f"params must have the keys this Adam was stepped with, {sorted(self.m)}; got "
                             f"{sorted(params)}")
        self.t += 1
        for k in params:
            m = self.m.setdefault(k, np.zeros_like(params[k]))
            v = self.v.setdefault(k, np.zeros_like(params[k]))
            m *= self.beta1
            m += (1 - self.beta1) * grads[k]
            v *= self.beta2
            v += (1 - self.beta2) * grads[k] ** 2
            m_hat = m / (1 - self.beta1 ** self.t)  # early steps: m and v are biased towards their zero start
            v_hat = v / (1 - self.beta2 ** self.t)
            params[k] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def clip_by_value(grads, limit):
    """A new dict with every entry clipped into [-limit, limit]."""
    check_positive("limit", limit)
    _check_grads(grads)  # finite float arrays: clipping must not hide a NaN or inf
    return {k: np.clip(g, -limit, limit) for k, g in grads.items()}


def global_norm(grads):
    """The norm of all gradients taken together as one long vector, as a float.

    When the squares overflow (a float32 gradient of 3e19, a float64 one of 1e200) or underflow (3e-200), the
    entries are divided by the largest one first, so the norm stays finite and exact. A NaN or inf entry is
    refused, naming its array (see `_check_grads`): a diverged loss cannot be rescaled into a finite step.
    """
    _check_grads(grads)
    with np.errstate(over="ignore"):
        total = sum(float((g * g).sum()) for g in grads.values())
    largest = max((float(np.abs(g).max()) for g in grads.values() if g.size), default=0.0)
    smallest_normal = max(float(np.finfo(g.dtype).tiny) for g in grads.values())
    if largest == 0 or smallest_normal <= total < math.inf:
        return float(np.sqrt(total))
    # The squares overflowed, or underflowed to 0 or to imprecise subnormals: divide by the largest entry
    # first, in float64, and multiply back after the root.
    total = sum(float(np.sum((g.astype(np.float64) / largest) ** 2)) for g in grads.values())
    return largest * float(np.sqrt(total))


def clip_by_global_norm(grads, max_norm):
    """A new dict rescaled so the global norm is at most max_norm, and the norm before clipping.

    Each array keeps its dtype. Non-finite gradients are refused (see `global_norm`).
    """
    check_positive("max_norm", max_norm)
    norm = global_norm(grads)
    scale = min(1.0, max_norm / (norm + 1e-12))
    return {k: (g * scale).astype(g.dtype, copy=False) for k, g in grads.items()}, norm
