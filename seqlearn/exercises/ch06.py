"""Checkers for the exercises of chapter 6, Vanishing and exploding gradients: functions run on fresh inputs
(`build`); 4 and 5 build clipping by global norm and the Jacobian product, compared with the package's."""

from functools import partial

import numpy as np

from seqlearn.exercises import passed, require
from seqlearn.exercises.build import Case, Mistake, call, check_function, check_gradients
from seqlearn.optim import clip_by_global_norm, global_norm
from seqlearn.scratch import GRU_GATES, LSTM_GATES, rnn_forward
from seqlearn.scratch.rnn import activation_derivative

# Exercise 1: the bound on what k steps back can do to a gradient.
MAX_SLOPE = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}  # the largest f'(a) of each, section 2


def _bound_case(H, nonlinearity, ks):
    def make(rng):  # W_hh scaled so that max f' * ||W_hh||_2 is 0.6 to 2: neither tiny nor huge after k steps
        W = rng.normal(size=(H, H))
        W *= rng.uniform(0.6, 2.0) / MAX_SLOPE[nonlinearity] / np.linalg.norm(W, 2)
        return {"W_hh": W, "nonlinearity": nonlinearity, "k": int(rng.integers(*ks))}
    span = f"k={ks[0]}" if ks[1] == ks[0] + 1 else f"k from {ks[0]} to {ks[1] - 1}"
    return Case(f"H={H}, {nonlinearity}, {span}", make)


BOUND_CASES = [_bound_case(5, "tanh", (2, 9)), _bound_case(4, "sigmoid", (2, 9)), _bound_case(6, "relu", (2, 9)),
               _bound_case(3, "sigmoid", (1, 2)), _bound_case(1, "tanh", (3, 7)), _bound_case(4, "relu", (0, 1))]


def reference_bound(W_hh, nonlinearity, k, ord=2, radius=False, slopes=MAX_SLOPE, extra=0):
    """(max f' * ||W_hh||_2) ** k; each keyword makes one of the catalogued mistakes."""
    size = max(abs(np.linalg.eigvals(W_hh))) if radius else np.linalg.norm(W_hh, ord)
    return (slopes[nonlinearity] * size) ** (k + extra)


BOUND_MISTAKES = [
    Mistake("that uses the spectral radius: it decides the long run, but one step can stretch a vector by more; the "
            "bound per step needs the largest singular value", partial(reference_bound, radius=True)),
    Mistake("that is the Frobenius norm (np.linalg.norm's default for a matrix), a looser bound: the most a matrix "
            "stretches a vector is its spectral norm, ord=2", partial(reference_bound, ord=None)),
    Mistake("the derivative is left out for sigmoid: its slope is below 1 everywhere; where is it steepest, and how "
            "steep is it there?", partial(reference_bound, slopes=MAX_SLOPE | {"sigmoid": 1.0})),
    Mistake("that is sigmoid's value at 0, not its slope there",
            partial(reference_bound, slopes=MAX_SLOPE | {"sigmoid": 0.5})),
    Mistake("one factor too few: k steps back multiply k step Jacobians", partial(reference_bound, extra=-1)),
]


def check_gradient_bound(gradient_bound):
    """Exercise 1: `gradient_bound(W_hh, nonlinearity, k)` -> the bound on how much k steps back can stretch a
    gradient that section 4's bound per step gives, for nonlinearity "sigmoid", "tanh" or "relu"."""
    check_function(gradient_bound, reference_bound, BOUND_CASES, BOUND_MISTAKES, "gradient_bound")
    passed("below 1 the gradient must vanish (Pascanu et al. 2013). A sigmoid's slope is at most 1/4, so a sigmoid "
           "RNN's bound is below 1 unless W_hh stretches by more than 4 (||W_hh||_2 above 4).")


# Exercise 2: how many steps until a geometric decay leaves a given fraction.
STEPS_CASES = [Case(f"steps_until({rate}, {fraction})", lambda _, r=rate, f=fraction: {"rate": r, "fraction": f})
               for rate, fraction in ((0.9, 0.01), (0.5, 0.25), (0.5, 0.001), (0.99, 0.5), (0.3, 0.2))]


def reference_steps_until(rate, fraction, extra=0):
    k = 0
    while rate ** k > fraction:
        k += 1
    return k + extra


STEPS_MISTAKES = [Mistake(f"off by one, one step too {which}: is rate**k <= fraction, and is k the first such step?",
                          partial(reference_steps_until, extra=extra)) for which, extra in (("few", -1), ("many", 1))]


def check_steps_until(steps_until):
    """Exercise 2: `steps_until(rate, fraction)` -> the fewest steps k with rate**k <= fraction (0 < rate < 1)."""
    check_function(steps_until, reference_steps_until, STEPS_CASES, STEPS_MISTAKES, "steps_until")
    passed("a per-step factor of 0.9 leaves 1% of the gradient after 44 steps: vanishing is geometric.")


# Exercise 3: where each gate's block sits in PyTorch's stacked weights and biases.
_ORDER = {"lstm": LSTM_GATES, "gru": GRU_GATES}


def gate_cases(rng):
    """One case per gate of each cell, each with a fresh H, which the label shows (it is no answer)."""
    draws = [{"cell": c, "gate": g, "H": int(rng.integers(2, 200))} for c, gates in _ORDER.items() for g in gates]
    return [Case("gate_slice({cell!r}, {gate!r}, {H})".format(**a), lambda _, a=a: a) for a in draws]


def reference_gate_slice(cell, gate, H, order=_ORDER, first=0, inclusive=False):
    """PyTorch's block of the gate; each keyword makes one of the catalogued mistakes."""
    start = (order[cell].index(gate) + first) * H
    return start, start + H - inclusive


GATE_MISTAKES = [
    Mistake("the LSTM's gates are in CS231n's order (i, f, o, g), not PyTorch's: read weight_ih_l[k] in "
            "help(torch.nn.LSTM)", partial(reference_gate_slice, order=_ORDER | {"lstm": ("i", "f", "o", "g")})),
    Mistake("the GRU's reset and update gates are swapped: read weight_ih_l[k] in help(torch.nn.GRU)",
            partial(reference_gate_slice, order=_ORDER | {"gru": ("z", "r", "n")})),
    Mistake("stop is exclusive, as in a Python slice: bias_ih_l0[start:stop] must hold all H of the gate's entries",
            partial(reference_gate_slice, inclusive=True)),
    Mistake("the blocks are counted from 1: the first gate's block starts at index 0",
            partial(reference_gate_slice, first=1)),
]


def check_gate_slice(gate_slice):
    """Exercise 3: `gate_slice(cell, gate, H)` -> (start, stop) of `gate`'s block in PyTorch's weight_ih_l0 and
    bias_ih_l0, for cell "lstm" (gates "i", "f", "g", "o") or "gru" ("r", "z", "n") of hidden size H."""
    require(callable(gate_slice), f"expected a function, got {type(gate_slice).__name__}")

    def as_pair(cell, gate, H):  # a slice is a fine answer too
        out = gate_slice(cell, gate, H)
        return (out.start or 0, out.stop) if isinstance(out, slice) else out
    check_function(as_pair, reference_gate_slice, gate_cases(np.random.default_rng()), GATE_MISTAKES, "gate_slice")
    passed("keep_bias=3 goes to bias_ih_l0[H:2H], the LSTM's forget gate; in a GRU that block is the update gate.")


# Exercise 4 (build it): clipping by global norm.
def _clip_case(shapes, above):
    def make(rng):
        grads = {f"g{i}": rng.normal(size=shape) * rng.uniform(0.5, 5) for i, shape in enumerate(shapes)}
        # above: below 1/sqrt(3) of the global norm, so below the largest array's norm (the per-array mistake shows)
        return {"grads": grads, "max_norm": global_norm(grads) * rng.uniform(*(0.1, 0.4) if above else (1.3, 3))}
    return Case(f"arrays of shapes {shapes}, global norm {'above' if above else 'below'} max_norm", make)


CLIP_CASES = [_clip_case([(3, 4), (4, 4), (4,)], True), _clip_case([(3, 4), (4, 4), (4,)], False),
              _clip_case([(5,)], True), _clip_case([(2, 3)], False), _clip_case([(1,), (6, 2)], True)]
reference_clip = clip_by_global_norm  # the package's: it rescales only when the global norm is above max_norm


def _clip(grads, max_norm, size=global_norm, per_array=False, always=False, by_value=False):
    """Clipping by global norm, right with the defaults; each keyword makes one of the catalogued mistakes."""
    norm = size(grads)
    scale = {name: max_norm / (size({name: g}) if per_array else norm) for name, g in grads.items()}
    if by_value:
        return {name: np.clip(g, -max_norm, max_norm) for name, g in grads.items()}, norm
    return {name: g * (scale[name] if always else min(1.0, scale[name])) for name, g in grads.items()}, norm


CLIP_MISTAKES = [
    Mistake("that clips by value (each entry into [-max_norm, max_norm]), which changes the direction: rescale every "
            "array by one common factor", partial(_clip, by_value=True)),
    Mistake("each array is clipped by its own norm: the norm is global, over all the arrays as one long vector, and "
            "one factor rescales them all", partial(_clip, per_array=True)),
    Mistake("a gradient whose global norm is already at most max_norm must come back unchanged",
            partial(_clip, always=True)),
    Mistake("the norm is a sum of absolute values: the global norm is the square root of the sum of squares",
            partial(_clip, size=lambda grads: float(sum(np.abs(g).sum() for g in grads.values())))),
    Mistake("the square root is missing: the global norm is the square root of the sum of squares",
            partial(_clip, size=lambda grads: float(sum((g ** 2).sum() for g in grads.values())))),
]


def _part(clip, i):
    """The i-th part of what `clip` returns, once it is seen to return a (dict, norm) pair."""
    def part(grads, max_norm):
        out = clip(grads, max_norm)
        pair = isinstance(out, tuple | list) and len(out) == 2
        require(not (pair and isinstance(out[1], dict)), "the pair is the wrong way round: (the dict of the clipped "
                "arrays, the global norm before clipping)")
        require(pair and isinstance(out[0], dict), "return a pair (a dict of the clipped arrays, the global norm "
                f"before clipping), not a {type(out).__name__}")
        return out[i]
    return part


def check_clip_by_global_norm(clip):
    """Exercise 4 (build it): `clip_by_global_norm(grads, max_norm)` -> (a new dict with every array rescaled by
    one factor so that the global norm is at most max_norm, the global norm before clipping)."""
    require(callable(clip), f"expected a function, got {type(clip).__name__}")
    for i, what in ((1, "the global norm it returns"), (0, "the clipped arrays it returns")):
        cases = [Case(f"{case.label}, {what}", case.make) for case in CLIP_CASES]
        mistakes = [Mistake(m.hint, _part(m.function, i)) for m in CLIP_MISTAKES]
        check_function(_part(clip, i), _part(reference_clip, i), cases, mistakes, "clip_by_global_norm")
    passed("one factor for all the arrays, applied only above max_norm: a shorter step in the same direction.")


# Exercise 5 (build it): the Jacobian product dh[T-1]/dh[t] of one sequence.
def _jacobian_case(T, H, nonlinearity, where):
    def make(rng):
        t = 0 if where == "first" else T - 1 if where == "last" else int(rng.integers(1, T - 2))  # >= 2 factors
        while True:  # relu: some units on, some off; and a product not so small that every mistake would match it
            params = {"W_xh": rng.normal(size=(H, 2)), "W_hh": rng.normal(size=(H, H)), "b_h": rng.normal(size=H)}
            h = rnn_forward(rng.normal(size=(T, 1, 2)), rng.normal(size=(1, H)), params, nonlinearity)[0][:, 0]
            if (nonlinearity == "tanh" or H == 1 or 0 < np.mean(h > 0) < 1) and np.abs(
                    reference_jacobian(h, params["W_hh"], t, nonlinearity)).max() > 1e-2:
                return {"h": h, "W_hh": params["W_hh"], "t": t, "nonlinearity": nonlinearity}
    return Case(f"T={T}, H={H}, {nonlinearity}, t = {'T-1' if where == 'last' else where}", make)


JACOBIAN_CASES = [_jacobian_case(6, 3, "tanh", "middle"), _jacobian_case(5, 4, "relu", "first"),
                  _jacobian_case(4, 2, "tanh", "last"), _jacobian_case(1, 3, "tanh", "first"),
                  _jacobian_case(7, 1, "relu", "middle"), _jacobian_case(5, 5, "relu", "middle"),
                  _jacobian_case(3, 3, "tanh", "first")]


def reference_jacobian(h, W_hh, t, nonlinearity, first=1, lag=0, latest_left=True, transposed=False, right=False):
    """diag(f'(a_k)) W_hh multiplied over k = t+1 .. T-1, the latest on the left; each keyword makes a mistake."""
    W, J = (W_hh.T if transposed else W_hh), np.eye(len(W_hh))
    for k in range(t + first, len(h)):
        d = activation_derivative(h[k - lag], nonlinearity)
        factor = W * d[None, :] if right else d[:, None] * W
        J = factor @ J if latest_left else J @ factor
    return J


JACOBIAN_MISTAKES = [
    Mistake("the factors are in the wrong order: the latest step's factor goes on the left",
            partial(reference_jacobian, latest_left=False)),
    Mistake("W_hh is transposed: in column-vector math one step back is diag(f'(a_k)) W_hh",
            partial(reference_jacobian, transposed=True)),
    Mistake("the derivative multiplies W_hh from the wrong side: diag(f'(a_k)) on the left scales W_hh's rows",
            partial(reference_jacobian, right=True)),
    Mistake("the derivative is taken at the wrong step: step k's factor uses f'(a_k), from h[k], the state that step "
            "produced", partial(reference_jacobian, lag=1)),
    Mistake("one factor too many: from h[t] to h[T-1] there are T-1-t steps, k = t+1 .. T-1",
            partial(reference_jacobian, first=0)),
    Mistake("one factor too few: from h[t] to h[T-1] there are T-1-t steps, k = t+1 .. T-1",
            partial(reference_jacobian, first=2)),
]


def _gradient_check_jacobian(jacobian_product, rng, T=5, t=1, D=2, H=3):
    """Finite differences: nudge h[t], run the steps after it again, and watch L = w . h[T-1], whose gradient on
    h[t] is J^T w; on fresh inputs where no entry of it is so small that its finite difference is mostly rounding."""
    while True:
        params = {"W_xh": rng.normal(size=(H, D)), "W_hh": rng.normal(size=(H, H)) / 2, "b_h": rng.normal(size=H)}
        x, w = rng.normal(size=(T, 1, D)), rng.normal(size=H)
        h = rnn_forward(x, rng.normal(size=(1, H)), params, "tanh")[0]
        if np.all(np.abs(reference_jacobian(h[:, 0], params["W_hh"], t, "tanh").T @ w) > 1e-2):
            break
    J = call(jacobian_product, {"h": h[:, 0], "W_hh": params["W_hh"], "t": t, "nonlinearity": "tanh"},
             "jacobian_product")
    h_t = h[t].copy()

    def loss():  # the steps after t, run again from the nudged h[t]
        return float(w @ rnn_forward(x[t + 1:], h_t, params, "tanh")[0][-1, 0])
    check_gradients(loss, {"h[t]": h_t}, {"h[t]": (np.asarray(J, float).T @ w)[None]}, "jacobian_product")


def check_jacobian_product(jacobian_product):
    """Exercise 5 (build it): `jacobian_product(h, W_hh, t, nonlinearity)` -> dh[T-1]/dh[t] (H, H) for the states
    h (T, H) of one sequence: the product of diag(f'(a_k)) W_hh for k = t+1 .. T-1, the latest on the left."""
    check_function(jacobian_product, reference_jacobian, JACOBIAN_CASES, JACOBIAN_MISTAKES, "jacobian_product")
    _gradient_check_jacobian(jacobian_product, np.random.default_rng())
    passed("one factor diag(f'(a_k)) W_hh per step back, the latest on the left; finite differences agree.")
