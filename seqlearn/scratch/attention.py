"""Attention from scratch: scores, softmax weights over the keys, a context vector per query; forward and backward.

For each query q_t (a decoder state) and each key k_s (an encoder state, s = 1..T_k), a score e_{t,s}; the
weights are a softmax over the keys, and the context is the weighted sum of the keys (keys and values are the
same vectors here, as in Bahdanau et al. and Luong et al.):

    dot          e_{t,s} = q_t · k_s                               (needs H_q = H_k)
    scaled_dot   e_{t,s} = q_t · k_s / sqrt(H_k)                   (the transformer's, Vaswani et al. 2017)
    general      e_{t,s} = q_t · (W_a k_s)                         W_a (H_q, H_k)     Luong et al. 2015
    additive     e_{t,s} = v_a · tanh(W_q q_t + W_k k_s + b_a)     W_q (A, H_q), W_k (A, H_k), b_a (A,), v_a (A,)
                                                                                        Bahdanau et al. 2015
    a_{t,s} = exp(e_{t,s}) / sum_{s' unmasked} exp(e_{t,s'})   for unmasked s;   a_{t,s} = 0 where masked
    c_t     = sum_s a_{t,s} k_s

Shapes, time-major as everywhere in the course: queries (T_q, N, H_q), keys (T_k, N, H_k), mask (T_k, N) bool
(True: a real position, False: padding; None: every position is real) -> context (T_q, N, H_k) and weights
(T_q, N, T_k): row weights[t, n] is query t's distribution over the keys of example n, and sums to 1.

A masked key's score is set to -inf before the softmax, so its weight is exactly 0 (exp(-inf) = 0), and so is
every gradient that would flow back to it: nothing about a padded position can change the result. Each example
needs at least one unmasked key. Self-attention is the same function with queries = keys = one sequence.

    context, weights, cache = attention_forward(queries, keys, mask, params, score)
    dqueries, dkeys, grads = attention_backward(dcontext, cache, dweights=None)

grads has the names of params ({} for dot and scaled_dot, which have no parameters); dweights is an optional
extra gradient on the weights (a loss that reads them), like dstate_n for the recurrent layers.
"""

import math
from typing import NamedTuple

import numpy as np

from seqlearn.checks import (
    check_choice,
    check_float_array,
    check_float_dtype,
    check_mask,
    check_positive_int,
    check_rng,
    check_same_dtype,
    check_shape,
    check_upstream,
)
from seqlearn.scratch.steps import check_cache

ATTENTION_SCORES = ("dot", "scaled_dot", "general", "additive")
PARAM_NAMES = {"dot": (), "scaled_dot": (), "general": ("W_a",), "additive": ("W_q", "W_k", "b_a", "v_a")}


def init_attention_params(H_q, H_k, score, rng, A=None, dtype=np.float64):
    """The score's parameters, uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)]; A: the additive score's width
    (default H_k). dot and scaled_dot have none: {}."""
    check_positive_int("H_q", H_q)
    check_positive_int("H_k", H_k)
    check_choice("score", score, ATTENTION_SCORES)
    check_rng(rng)
    A = H_k if A is None else check_positive_int("A", A)  # checked whatever the score
    dtype = check_float_dtype(dtype)
    if score == "general":
        return {"W_a": (rng.uniform(-1, 1, (H_q, H_k)) / np.sqrt(H_k)).astype(dtype)}  # scaled, then cast
    if score == "additive":
        params = {"W_q": rng.uniform(-1, 1, (A, H_q)) / np.sqrt(H_q),
                  "W_k": rng.uniform(-1, 1, (A, H_k)) / np.sqrt(H_k),
                  "b_a": np.zeros(A), "v_a": rng.uniform(-1, 1, A) / np.sqrt(A)}
        return {name: p.astype(dtype) for name, p in params.items()}
    return {}


def _check(queries, keys, mask, params, score):
    check_choice("score", score, ATTENTION_SCORES)
    queries = check_float_array("queries", queries, ndim=3, dims="(T_q, N, H_q)")
    keys = check_float_array("keys", keys, ndim=3, dims="(T_k, N, H_k)")
    if keys.dtype != queries.dtype:
        raise TypeError(f"keys must have the queries' dtype {queries.dtype}, got {keys.dtype}")
    (_, N, H_q), (T_k, N_k, H_k) = queries.shape, keys.shape
    if N_k != N or 0 in queries.shape or 0 in keys.shape:
        raise ValueError(f"queries (T_q, N, H_q) and keys (T_k, N, H_k) need the same N and no empty axis, got "
                         f"{queries.shape} and {keys.shape}")
    if score in ("dot", "scaled_dot") and H_q != H_k:
        raise ValueError(f"a {score} score needs queries and keys of one width, got H_q = {H_q} and H_k = {H_k} "
                         "(use score='general' or 'additive' for different widths)")
    if mask is None:
        mask = np.ones((T_k, N), bool)
    check_mask("mask", mask, (T_k, N), "(T_k, N)", per_example=True)
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    if sorted(params) != sorted(PARAM_NAMES[score]):  # an unknown or missing name is never ignored
        raise ValueError(f"params for a {score} score must have {list(PARAM_NAMES[score])}, got {sorted(params)}")
    A = check_float_array("params['v_a']", params["v_a"], ndim=1).shape[0] if score == "additive" else None
    expected = {"W_a": ((H_q, H_k), "(H_q, H_k)"), "W_q": ((A, H_q), "(A, H_q)"), "W_k": ((A, H_k), "(A, H_k)"),
                "b_a": ((A,), "(A,)"), "v_a": ((A,), "(A,)")}
    for name, p in params.items():  # H_q and H_k are the widths of queries and keys
        check_shape(f"params['{name}']", check_float_array(f"params['{name}']", p), *expected[name])
        check_same_dtype(f"params['{name}']", p, queries.dtype, "queries")
    return mask


class AttentionCache(NamedTuple):
    queries: np.ndarray
    keys: np.ndarray
    params: dict
    score: str
    weights: np.ndarray  # (T_q, N, T_k)
    hidden: object  # additive: tanh(W_q q + W_k k + b_a), (T_q, N, T_k, A); otherwise None


def _scores(queries, keys, params, score):
    """-> e (T_q, N, T_k) and, for the additive score, its hidden layer (T_q, N, T_k, A)."""
    if score == "additive":
        hidden = np.tanh((queries @ params["W_q"].T)[:, :, None, :]  # (T_q, N, 1, A)
                         + (keys @ params["W_k"].T).transpose(1, 0, 2)[None]  # (1, N, T_k, A)
                         + params["b_a"])
        return hidden @ params["v_a"], hidden
    projected = keys @ params["W_a"].T if score == "general" else keys  # (T_k, N, H_q): W_a k_s
    e = np.einsum("qnh,knh->qnk", queries, projected)
    return (e / math.sqrt(keys.shape[2]) if score == "scaled_dot" else e), None  # a Python float keeps e's dtype


def attention_forward(queries, keys, mask, params, score):
    """queries (T_q, N, H_q), keys (T_k, N, H_k), mask (T_k, N) bool or None -> context (T_q, N, H_k),
    weights (T_q, N, T_k), cache. See the module for the four scores."""
    mask = _check(queries, keys, mask, params, score)
    e, hidden = _scores(queries, keys, params, score)
    e = np.where(mask.T[None], e, -np.inf)  # a masked key: exp(-inf) = 0, exactly
    e = np.exp(e - e.max(axis=-1, keepdims=True))
    weights = e / e.sum(axis=-1, keepdims=True)
    context = np.einsum("qnk,knh->qnh", weights, keys)
    return context, weights, AttentionCache(queries, keys, params, score, weights, hidden)


def attention_backward(dcontext, cache, dweights=None):
    """dcontext (T_q, N, H_k), dweights (T_q, N, T_k) or None -> dqueries, dkeys, grads (named like params)."""
    check_cache(cache, "attention_forward", AttentionCache)
    queries, keys, params, score = cache.queries, cache.keys, cache.params, cache.score
    if dcontext is None:  # the context is what attention is for: no gradient on it is a mistake, not zeros
        raise TypeError("dcontext must be a NumPy array (T_q, N, H_k), got None")
    a, hidden = cache.weights, cache.hidden  # a masked key's weight is 0: the mask is in `a` already
    dcontext = check_upstream("dcontext", dcontext, (*queries.shape[:2], keys.shape[2]), "(T_q, N, H_k)", keys.dtype)
    da = check_upstream("dweights", dweights, a.shape, "(T_q, N, T_k)", keys.dtype)
    # c = sum_s a_s k_s: each key gets a_s * dc directly (as a value), and each weight gets k_s · dc.
    dkeys = np.einsum("qnk,qnh->knh", a, dcontext)
    da = da + np.einsum("qnh,knh->qnk", dcontext, keys)
    # softmax: de_s = a_s (da_s - sum_s' a_s' da_s'); a masked key has a_s = 0, so de_s = 0 there too.
    de = a * (da - (a * da).sum(axis=-1, keepdims=True))
    grads = {}
    if score == "additive":
        dpre = (de[..., None] * params["v_a"]) * (1 - hidden ** 2)  # (T_q, N, T_k, A), through v_a · tanh(.)
        grads["v_a"] = np.einsum("qnk,qnka->a", de, hidden)
        grads["b_a"] = dpre.sum(axis=(0, 1, 2))
        dq_a, dk_a = dpre.sum(axis=2), dpre.sum(axis=0).transpose(1, 0, 2)  # (T_q, N, A), (T_k, N, A)
        grads["W_q"] = np.einsum("qna,qnh->ah", dq_a, queries)
        grads["W_k"] = np.einsum("kna,knh->ah", dk_a, keys)
        return dq_a @ params["W_q"], dkeys + dk_a @ params["W_k"], grads
    if score == "scaled_dot":
        de = de / math.sqrt(keys.shape[2])
    projected = keys @ params["W_a"].T if score == "general" else keys
    dqueries = np.einsum("qnk,knh->qnh", de, projected)
    dprojected = np.einsum("qnk,qnh->knh", de, queries)  # (T_k, N, H_q)
    if score == "general":
        grads["W_a"] = np.einsum("knh,knj->hj", dprojected, keys)
        return dqueries, dkeys + dprojected @ params["W_a"], grads
    return dqueries, dkeys + dprojected, grads
