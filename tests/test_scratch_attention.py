"""Attention from scratch (seqlearn.scratch.attention): PyTorch's autograd in float64 on the same formulas,
finite differences, masks that give padding exactly nothing, and bad input refused with a message."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlearn.gradcheck import numerical_gradient
from seqlearn.scratch.attention import ATTENTION_SCORES, attention_backward, attention_forward, init_attention_params


def problem(score, T_q, T_k, N, H_q, H_k, rng, lengths=None):
    if score in ("dot", "scaled_dot"):
        H_q = H_k
    queries, keys = rng.normal(size=(T_q, N, H_q)), rng.normal(size=(T_k, N, H_k))
    mask = None if lengths is None else np.arange(T_k)[:, None] < np.asarray(lengths)[None, :]
    return queries, keys, mask, init_attention_params(H_q, H_k, score, rng, A=3)


def torch_attention(queries, keys, mask, params, score):
    """The module's formulas written with torch ops, for autograd to differentiate."""
    q, k = queries.permute(1, 0, 2), keys.permute(1, 0, 2)  # (N, T_q, H_q), (N, T_k, H_k)
    if score == "additive":
        hidden = torch.tanh((q @ params["W_q"].T)[:, :, None] + (k @ params["W_k"].T)[:, None] + params["b_a"])
        e = hidden @ params["v_a"]
    else:
        e = q @ (k @ params["W_a"].T if score == "general" else k).transpose(1, 2)
        if score == "scaled_dot":
            e = e / keys.shape[2] ** 0.5
    if mask is not None:
        e = e.masked_fill(~mask.T[:, None, :], float("-inf"))
    weights = torch.softmax(e, dim=-1)  # (N, T_q, T_k)
    return (weights @ k).permute(1, 0, 2), weights.permute(1, 0, 2)


@pytest.mark.parametrize("score", ATTENTION_SCORES)
@pytest.mark.parametrize("lengths", [None, [4, 1, 3]])
def test_matches_torch_autograd_in_float64(score, lengths):
    rng = np.random.default_rng(0)
    queries, keys, mask, params = problem(score, 5, 4, 3, 2, 3, rng, lengths)
    dcontext, dweights = rng.normal(size=(5, 3, 3)), rng.normal(size=(5, 3, 4))
    context, weights, cache = attention_forward(queries, keys, mask, params, score)
    dq, dk, grads = attention_backward(dcontext, cache, dweights)

    t = {name: torch.tensor(v, requires_grad=True) for name, v in params.items()}
    tq, tk = torch.tensor(queries, requires_grad=True), torch.tensor(keys, requires_grad=True)
    t_context, t_weights = torch_attention(tq, tk, None if mask is None else torch.tensor(mask), t, score)
    ((t_context * torch.tensor(dcontext)).sum() + (t_weights * torch.tensor(dweights)).sum()).backward()
    assert np.allclose(context, t_context.detach().numpy(), atol=1e-12, rtol=0)
    assert np.allclose(weights, t_weights.detach().numpy(), atol=1e-12, rtol=0)
    assert np.allclose(dq, tq.grad.numpy(), atol=1e-10, rtol=0)
    assert np.allclose(dk, tk.grad.numpy(), atol=1e-10, rtol=0)
    assert sorted(grads) == sorted(params)
    for name in params:
        assert np.allclose(grads[name], t[name].grad.numpy(), atol=1e-10, rtol=0), name


@settings(max_examples=25, deadline=None)
@given(score=st.sampled_from(ATTENTION_SCORES), T_q=st.integers(1, 4), T_k=st.integers(1, 5), N=st.integers(1, 3),
       H_q=st.integers(1, 4), H_k=st.integers(1, 4), seed=st.integers(0, 2**16), data=st.data())
def test_gradients_pass_finite_differences_on_random_shapes(score, T_q, T_k, N, H_q, H_k, seed, data):
    rng = np.random.default_rng(seed)
    lengths = data.draw(st.lists(st.integers(1, T_k), min_size=N, max_size=N))
    queries, keys, mask, params = problem(score, T_q, T_k, N, H_q, H_k, rng, lengths)
    dcontext, dweights = rng.normal(size=(T_q, N, keys.shape[2])), rng.normal(size=(T_q, N, T_k))

    def loss():
        context, weights, _ = attention_forward(queries, keys, mask, params, score)
        return float((context * dcontext).sum() + (weights * dweights).sum())

    _, _, cache = attention_forward(queries, keys, mask, params, score)
    dq, dk, grads = attention_backward(dcontext, cache, dweights)
    analytic = {"queries": dq, "keys": dk, **grads}
    for name, x in {"queries": queries, "keys": keys, **params}.items():
        # Each array as a whole: a single entry near 0 (a query over one key has none) would make any
        # entry-by-entry ratio flag rounding noise of 1e-10 as an error.
        numeric = numerical_gradient(loss, x)
        gap = np.linalg.norm(analytic[name] - numeric)
        assert gap <= 1e-6 * (np.linalg.norm(analytic[name]) + np.linalg.norm(numeric)) + 1e-9, name


@pytest.mark.parametrize("score", ATTENTION_SCORES)
def test_a_padded_key_gets_exactly_zero_weight_and_zero_gradient(score):
    rng = np.random.default_rng(1)
    queries, keys, mask, params = problem(score, 3, 5, 2, 3, 3, rng, lengths=[5, 2])
    context, weights, cache = attention_forward(queries, keys, mask, params, score)
    assert np.all(weights[:, 1, 2:] == 0) and np.allclose(weights.sum(axis=-1), 1)
    _, dkeys, _ = attention_backward(rng.normal(size=context.shape), cache, rng.normal(size=weights.shape))
    assert np.all(dkeys[2:, 1] == 0)
    changed = keys.copy()
    changed[2:, 1] = 1e3 * rng.normal(size=(3, 3))  # whatever the padding holds, nothing changes
    again, again_weights, _ = attention_forward(queries, changed, mask, params, score)
    assert np.array_equal(again, context) and np.array_equal(again_weights, weights)


def test_self_attention_is_the_same_function_over_one_sequence():
    x = np.random.default_rng(2).normal(size=(6, 2, 4))
    context, weights, _ = attention_forward(x, x, None, {}, "scaled_dot")
    e = np.einsum("tnh,snh->nts", x, x) / 2.0
    expected = np.exp(e - e.max(-1, keepdims=True))
    expected /= expected.sum(-1, keepdims=True)
    assert np.allclose(weights, expected.transpose(1, 0, 2)) and np.allclose(context, np.einsum("tns,snh->tnh",
                                                                                                weights, x))


@pytest.mark.parametrize("change, error, message", [
    (dict(mask=np.ones((4, 3))), TypeError, r"mask must be a bool NumPy array \(T_k, N\), True at the real positions, "
                                            "got dtype float64"),
    (dict(mask=np.ones((3, 4), bool)), ValueError, r"mask must have shape \(T_k, N\) = \(4, 3\)"),
    (dict(mask=np.array([[True, False, True]] * 4)), ValueError, r"mask must have at least one True in every "
                                                                 r"example; example\(s\) \[1\] have none"),
    (dict(keys=np.zeros((4, 2, 3))), ValueError, "need the same N"),
    (dict(keys=np.zeros((4, 3, 3), np.float32)), TypeError, "keys must have the queries' dtype float64"),
    (dict(queries=np.zeros((5, 3))), ValueError, r"queries must have 3 dimensions \(T_q, N, H_q\)"),
    (dict(score="cosine"), ValueError, "score must be one of"),
    (dict(params={}), ValueError, r"params for a general score must have \['W_a'\], got \[\]"),
    (dict(params={"W_a": np.zeros((3, 2))}), ValueError, r"params\['W_a'\] must have shape \(H_q, H_k\) = \(2, 3\)"),
    (dict(score="dot", params={}), ValueError, "a dot score needs queries and keys of one width, got H_q = 2"),
])
def test_bad_input_is_refused_with_a_message(change, error, message):
    rng = np.random.default_rng(0)
    args = dict(queries=rng.normal(size=(5, 3, 2)), keys=rng.normal(size=(4, 3, 3)), mask=None,
                params={"W_a": rng.normal(size=(2, 3))}, score="general")
    with pytest.raises(error, match=message):
        attention_forward(**(args | change))


def test_backward_refuses_an_upstream_gradient_of_the_wrong_shape():
    rng = np.random.default_rng(0)
    queries, keys, mask, params = problem("additive", 2, 3, 2, 2, 2, rng)
    _, _, cache = attention_forward(queries, keys, mask, params, "additive")
    with pytest.raises(ValueError, match=r"dcontext must have shape \(T_q, N, H_k\) = \(2, 2, 2\)"):
        attention_backward(np.zeros((2, 2, 3)), cache)
