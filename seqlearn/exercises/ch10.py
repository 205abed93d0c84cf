"""Checkers for the exercises of chapter 10, sequence to sequence with attention; all four are build-it exercises."""

import numpy as np

from seqlearn.exercises import passed, require
from seqlearn.exercises.build import Case, Mistake, call, check_function, check_gradients
from seqlearn.scratch.attention import AttentionCache, attention_backward, attention_forward


def _softmax(scores, mask, axis=-1):
    """A softmax of scores (T_q, N, T_k) along `axis` over the keys where mask (T_k, N) is True, 0 elsewhere."""
    with np.errstate(invalid="ignore"):  # a mistake that masks a whole softmax gives nan, as the learner's would
        e = np.where(mask.T[None], scores, -np.inf)
        e = np.exp(e - e.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)


def _case(exercise, label, T_q, N, T_k, H, lengths=None):
    """The arguments for exercise "softmax", "forward" or "backward"; the mask: each example's first lengths[n] keys."""
    def make(rng):
        mask = np.arange(T_k)[:, None] < (rng.integers(1, T_k + 1, size=N) if lengths is None else np.array(lengths))
        queries, keys = rng.normal(size=(T_q, N, H)), rng.normal(size=(T_k, N, H))
        if exercise == "softmax":
            return {"scores": 2 * rng.normal(size=(T_q, N, T_k)), "mask": mask}
        if exercise == "forward":
            return {"queries": queries, "keys": keys, "mask": mask}
        return {"dcontext": rng.normal(size=(T_q, N, H)), "queries": queries, "keys": keys,
                "weights": attention_forward(queries, keys, mask, {}, "dot")[1]}
    return Case(f"T_q={T_q}, N={N}, T_k={T_k}{f', H={H}' if exercise != 'softmax' else ''}, {label}", make)


# Exercise 1 (build-it): a softmax over the real keys only. The first case: padded keys, N > 1 and T_k != N.
SOFTMAX_CASES = [_case("softmax", *args) for args in [
    ("lengths 5 and 3", 3, 2, 5, 1, (5, 3)), ("T_k = 1", 2, 3, 1, 1), ("N = 1, a single real key", 4, 1, 3, 1, (1,)),
    ("T_q = 1, random lengths", 1, 4, 6, 1), ("every key real", 5, 3, 4, 1, (4, 4, 4))]]


def reference_masked_softmax(scores, mask):
    return _softmax(scores, mask)


SOFTMAX_MISTAKES = [
    Mistake("the mask is ignored, so padded keys get weight: set their scores to -inf before the softmax",
            lambda scores, mask: _softmax(scores, np.ones_like(mask))),
    Mistake("the softmax runs over axis 0, the queries: each query's weights are a distribution over the keys, "
            "the last axis", lambda scores, mask: _softmax(scores, mask, axis=0)),
    Mistake("the masked weights are set to 0 after the softmax, so the others no longer sum to 1: mask the "
            "scores (-inf) before it", lambda scores, mask: _softmax(scores, np.ones_like(mask)) * mask.T[None]),
    Mistake("the scores are multiplied by the mask: a masked score of 0 still gets the weight exp(0); set it to "
            "-inf", lambda scores, mask: _softmax(scores * mask.T[None], np.ones_like(mask))),
    Mistake("the mask (T_k, N) was reshaped to (N, T_k), which scrambles it: transpose it, so that mask.T[n, s] says "
            "whether key s of example n is real", lambda scores, mask: _softmax(scores, mask.reshape(mask.T.shape).T)),
]


def check_masked_softmax(masked_softmax):
    """Exercise 1 (build-it): `masked_softmax(scores, mask)`, scores (T_q, N, T_k) and mask (T_k, N) bool (True at
    the real keys) -> weights (T_q, N, T_k): a softmax over the real keys of each row, exactly 0 at the padded ones."""
    check_function(masked_softmax, reference_masked_softmax, SOFTMAX_CASES, SOFTMAX_MISTAKES, "masked_softmax")
    passed("a score of -inf at every padded key before the softmax: exp(-inf) = 0, so each query's weights are a "
           "distribution over the real keys only.")


# Exercises 2 and 3 (build-it): dot-product attention. Forward case 1: T_q = T_k (weights @ queries runs) != N.
ATTENTION_CASES = [_case("forward", *args) for args in [
    ("lengths 4, 2, 3", 4, 3, 4, 2, (4, 2, 3)), ("T_q = 1", 1, 2, 5, 3), ("T_k = 1, N = 1", 3, 1, 1, 4),
    ("one key real", 2, 4, 6, 3, (1, 6, 2, 4)), ("H = 1", 5, 2, 3, 1)]]


def reference_dot_attention(queries, keys, mask):
    return attention_forward(queries, keys, mask, {}, "dot")[:2]


def _dot_mistake(*, scaled=False, axis=-1, masked=True, values="keys", transposed=False):
    def dot_attention(queries, keys, mask):
        scores = np.einsum("qnh,knh->qnk", queries, keys) / (np.sqrt(keys.shape[2]) if scaled else 1)
        weights = _softmax(scores, mask if masked else np.ones_like(mask), axis)
        context = np.einsum("qnk,knh->qnh", weights, queries if values == "queries" else keys)
        return context, weights.transpose(0, 2, 1) if transposed else weights
    return dot_attention


ATTENTION_MISTAKES = [
    Mistake("the context is a weighted sum of the queries: it is the weighted sum of the keys (the encoder's "
            "states), c_t = sum_s a_ts k_s", _dot_mistake(values="queries")),
    Mistake("the scores are divided by sqrt(H): that is the transformer's scaled dot product; this exercise asks "
            "for the plain dot product q_t · k_s", _dot_mistake(scaled=True)),
    Mistake("the softmax runs over axis 0, the queries: each query's weights are a distribution over the keys",
            _dot_mistake(axis=0)),
    Mistake("the mask is ignored, so padded keys get weight: set their scores to -inf before the softmax",
            _dot_mistake(masked=False)),
    Mistake("the weights have the layout (T_q, T_k, N): return them as (T_q, N, T_k), so that weights[t, n] is "
            "query t's distribution over example n's keys", _dot_mistake(transposed=True)),
]


def check_dot_attention(dot_attention):
    """Exercise 2 (build-it): `dot_attention(queries, keys, mask)`, queries (T_q, N, H), keys (T_k, N, H), mask
    (T_k, N) -> (context (T_q, N, H), weights (T_q, N, T_k)), with the score e_ts = q_t · k_s, unscaled."""
    check_function(dot_attention, reference_dot_attention, ATTENTION_CASES, ATTENTION_MISTAKES, "dot_attention")
    passed("one score q_t · k_s per pair, a masked softmax over the keys, and the context as the keys' weighted "
           "sum: every query reads the whole source, and the padding not at all.")


# The first case of the backward has T_q > 1 and padded keys.
BACKWARD_CASES = [_case("backward", *args) for args in [
    ("lengths 5 and 3", 3, 2, 5, 4, (5, 3)), ("T_q = 1", 1, 3, 4, 2), ("T_k = 1, N = 1", 4, 1, 1, 3),
    ("one key real", 2, 3, 5, 2, (1, 5, 3)), ("random lengths", 4, 2, 6, 3)]]


def reference_dot_attention_backward(dcontext, queries, keys, weights):
    cache = AttentionCache(queries, keys, {}, "dot", weights, None)  # the weights already hold the mask
    return attention_backward(dcontext, cache)[:2]


def _backward_mistake(*, value_path=True, score_path=True, jacobian="full"):
    def backward(dc, queries, keys, a):
        da = np.einsum("qnh,knh->qnk", dc, keys)
        de = {"full": a * (da - (a * da).sum(axis=-1, keepdims=True)), "none": da, "diagonal": a * (1 - a) * da,
              "queries": a * (da - (a * da).sum(axis=0, keepdims=True))}[jacobian]
        dkeys = np.einsum("qnk,qnh->knh", value_path * a, dc) + np.einsum("qnk,qnh->knh", score_path * de, queries)
        return np.einsum("qnk,knh->qnh", de, keys), dkeys
    return backward


BACKWARD_MISTAKES = [
    Mistake("dkeys misses the value path: each key is also summed into the context, so it gets weights * dcontext "
            "as well as the gradient through its scores", _backward_mistake(value_path=False)),
    Mistake("dkeys misses the score path: each key also enters the scores q_t · k_s, so it gets the scores' "
            "gradient times the queries as well", _backward_mistake(score_path=False)),
    Mistake("the softmax's Jacobian is missing: the gradient of the scores is a * (da - sum_s a * da), not da",
            _backward_mistake(jacobian="none")),
    Mistake("only the diagonal of the softmax's Jacobian, a (1 - a), is used: the weights share one denominator, "
            "so each score moves every weight; use a * (da - sum_s a * da)", _backward_mistake(jacobian="diagonal")),
    Mistake("the sum in the softmax's backward runs over the queries (axis 0): it runs over the keys, the axis the "
            "softmax normalised", _backward_mistake(jacobian="queries")),
]


def gradient_check_attention(dot_attention_backward, seed=1):
    """Finite differences of L = sum(dcontext * context), on fixed inputs: fresh ones may hold a gradient near 0."""
    kwargs = BACKWARD_CASES[0].make(np.random.default_rng(seed))
    queries, keys, mask = kwargs["queries"], kwargs["keys"], kwargs["weights"][0].T > 0
    dqueries, dkeys = (np.asarray(g, dtype=float) for g in call(dot_attention_backward, kwargs))  # checked before
    check_gradients(lambda: float(np.sum(kwargs["dcontext"] * attention_forward(queries, keys, mask, {}, "dot")[0])),
                    {"queries": queries, "keys": keys}, {"queries": dqueries, "keys": dkeys}, "dot_attention_backward")


def check_dot_attention_backward(dot_attention_backward):
    """Exercise 3 (build-it): `dot_attention_backward(dcontext, queries, keys, weights)`, weights (T_q, N, T_k) from
    the forward -> (dqueries (T_q, N, H), dkeys (T_k, N, H)). No mask is needed: a padded key has weight 0, so
    nothing flows back to it, neither as a value (0 * dcontext) nor through its score (a * (...) = 0)."""
    check_function(dot_attention_backward, reference_dot_attention_backward, BACKWARD_CASES, BACKWARD_MISTAKES,
                   "dot_attention_backward")
    gradient_check_attention(dot_attention_backward)
    passed("each key is used twice, as a value in the context and in its scores, and both paths add up; the "
           "softmax couples the scores of one query (finite differences agree).")


# Exercise 4 (build-it): beam search over a model given as a function of the prefix.
def _beam_case(V, eos_id, beam_width, max_len, base=None):
    """Logits per prefix, seeded by (fresh seed, prefix); with `base`, those of (base, prefix) plus noise of sd 0.01."""
    def make(rng):
        seed, table = int(rng.integers(2 ** 32)), {}  # table: the log-probabilities drawn so far, by prefix
        def next_log_probs(prefix):
            key = tuple(int(token) for token in prefix)
            if key not in table:
                draw = [1.5 * np.random.default_rng([s, *key]).normal(size=V) for s in (seed, base) if s is not None]
                logits = draw[0] if base is None else draw[1] + draw[0] / 150
                table[key] = logits - np.log(np.sum(np.exp(logits)))
            return table[key].copy()  # a copy: changing it in place cannot change the model
        return {"next_log_probs": next_log_probs, "eos_id": eos_id, "beam_width": beam_width, "max_len": max_len}
    return Case(f"V={V}, eos_id={eos_id}, beam_width={beam_width}, max_len={max_len}", make)


# Case 1: a fixed model, slightly perturbed, on which every mistake gives its own answer; case 4 prunes nothing.
BEAM_CASES = [_beam_case(4, 0, 2, 3, base=5327), _beam_case(5, 0, 1, 4), _beam_case(3, 2, 3, 4),
              _beam_case(3, 0, 27, 3), _beam_case(5, 4, 2, 3)]


def reference_beam_search(next_log_probs, eos_id, beam_width, max_len):
    """The finished hypothesis with the highest log P, as seqlearn.scratch.decoding.beam_search, length_penalty 0."""
    beam, finished = [((), 0.0)], []  # (tokens, log P): the unfinished hypotheses, and the finished ones
    for step in range(1, max_len + 1):
        candidates = [(prefix + (token,), log_p + float(lp)) for prefix, log_p in beam
                      for token, lp in enumerate(next_log_probs(prefix))]
        candidates.sort(key=lambda c: -c[1])  # best first; the sort is stable: ties keep the first found
        beam = []
        for tokens, log_p in candidates[:beam_width]:
            if tokens[-1] == eos_id or step == max_len:  # finished: by <eos>, or cut with no room left for it
                finished.append((tokens[:-1] if tokens[-1] == eos_id else tokens, log_p))
            else:
                beam.append((tokens, log_p))
    tokens, log_p = max(finished, key=lambda f: f[1])  # max returns the first of the best
    return list(tokens), log_p


def _beam_mistake(*, width=None, eos_finishes=True, answer="finished", order="best", rank="total"):
    """order "worst": keeps the lowest; rank "last": by the last token's log p; answer "unfinished": the beam's best."""
    def beam_search(next_log_probs, eos_id, beam_width, max_len):
        beam, finished, cut = [((), 0.0)], [], []
        for step in range(1, max_len + 1):
            candidates = [(prefix + (token,), log_p + float(lp), float(lp)) for prefix, log_p in beam
                          for token, lp in enumerate(next_log_probs(prefix))]
            candidates.sort(key=lambda c: (1 if order == "worst" else -1) * c[1 if rank == "total" else 2])
            beam = []
            for tokens, log_p, _ in candidates[:width or beam_width]:
                if tokens[-1] == eos_id and eos_finishes:
                    finished.append((tokens[:-1], log_p))
                else:
                    (cut if step == max_len else beam).append((tokens, log_p))
        tokens, log_p = max(cut if answer == "unfinished" and cut else finished + cut, key=lambda f: f[1])
        return list(tokens), log_p
    return beam_search


BEAM_MISTAKES = [
    Mistake("only the best candidate is kept at each step, which is greedy decoding: keep the beam_width best",
            _beam_mistake(width=1)),
    Mistake("<eos> does not finish a hypothesis, which goes on growing after it: a kept candidate that ends in "
            "<eos> is finished, set aside and no longer extended", _beam_mistake(eos_finishes=False)),
    Mistake("the answer is the best hypothesis left in the beam at max_len: return the best of all the finished "
            "ones, those that wrote <eos> earlier included", _beam_mistake(answer="unfinished")),
    Mistake("the beam keeps the beam_width worst candidates: sort them by log P in descending order",
            _beam_mistake(order="worst")),
    Mistake("the candidates are ranked by their last token's log-probability alone: rank them by their total log "
            "P, the sum over all their tokens", _beam_mistake(rank="last")),
]


def _as_arrays(beam_search):
    """The same function, the tokens of its answer made one int array (an empty list too), compared as one."""
    def answer(*args):
        out = beam_search(*args)
        pair = isinstance(out, tuple | list) and len(out) == 2 and isinstance(out[0], list | tuple | np.ndarray)
        ints = pair and all(isinstance(token, int | np.integer) for token in out[0])
        return (np.array(out[0], dtype=np.int64), out[1]) if ints else out
    return answer


def check_beam_search(beam_search):
    """Exercise 4 (build-it): `beam_search(next_log_probs, eos_id, beam_width, max_len)` -> (tokens, log_prob): the
    best finished hypothesis's tokens, a list without <eos>, and its total log-probability. next_log_probs(prefix),
    prefix a tuple of token ids (() at the start), gives the (V,) log-probabilities of the next token."""
    require(callable(beam_search), f"expected a function, got {type(beam_search).__name__}")
    check_function(_as_arrays(beam_search), _as_arrays(reference_beam_search), BEAM_CASES,
                   [Mistake(m.hint, _as_arrays(m.function)) for m in BEAM_MISTAKES], "beam_search")
    passed("every candidate ranked by its total log P, the beam_width best kept, and <eos> finishing a hypothesis: "
           "a few hypotheses alive at once, where greedy decoding keeps one.")
