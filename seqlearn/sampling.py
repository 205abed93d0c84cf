"""The one rule for choosing the next token from a language model's scores: greedy, temperature and top-k.

Given logits z (V,) for the next token:
- greedy: the most likely token, argmax z. Deterministic, and prone to loops.
- temperature τ: sample from softmax(z / τ). τ = 1 is the model's own distribution; τ < 1 sharpens it
  (as τ -> 0 it becomes greedy, and τ = 0 here means greedy); τ > 1 flattens it towards uniform.
- top-k: keep only the k most likely tokens, renormalise, then sample (with the temperature).

`sample_next(logits, rng, temperature=1.0, top_k=None)` is that rule, and every generator in the course
uses it: `seqlearn.models.generate_ids` (PyTorch), `NGramModel.sample` (whose logits are ln P(w | h), since
softmax(ln p) = p) and the from-scratch `seqlearn.scratch.generate`. Randomness comes only from `rng`, a
np.random.Generator; `rng=None` means greedy, as there is nothing to draw with. A draw is
`rng.choice(V, p=p)` with p computed in float64, so the same logits and the same rng give the same token.

NumPy only, no torch: the from-scratch package imports it.
"""

import math

import numpy as np

from seqlearn.checks import check_number, check_positive_int, check_rng


def check_logits(logits):
    """A non-empty vector of scores (V,), as float64. -inf rules a token out; NaN and +inf are refused, and so are
    strings and booleans, which are not scores."""
    values = np.asarray(logits)
    if values.dtype == bool or values.dtype.kind not in "fiu":
        raise TypeError(f"logits must be numbers, got {type(logits).__name__} of dtype {values.dtype}")
    logits = values.astype(np.float64)
    if logits.ndim != 1 or logits.size == 0:
        raise ValueError(f"logits must be a non-empty vector (V,), got shape {logits.shape}")
    bad = np.isnan(logits) | (logits == np.inf)
    if bad.any():
        raise ValueError(f"logits must be finite, or -inf for a token ruled out; index {int(np.argmax(bad))} is "
                         f"{logits[bad][0]}")
    if np.all(logits == -np.inf):
        raise ValueError("logits must hold one finite value: every logit is -inf, so no token is left to choose")
    return logits


def next_token_distribution(logits, temperature=1.0, top_k=None):
    """logits (V,) -> probabilities (V,) after temperature and top-k. temperature must be > 0."""
    logits = check_logits(logits)
    check_number("temperature", temperature, "positive here (use sample_next(..., temperature=0) for greedy)",
                 lambda t: 0 < t < math.inf)
    with np.errstate(over="ignore"):  # a tiny temperature may overflow: then shift first (the same distribution)
        z = logits / temperature
        if np.isposinf(z).any():
            z = (logits - logits.max()) / temperature
    if top_k is not None and check_positive_int("top_k", top_k) < z.size:  # a top_k of V or more keeps them all
        # Everything outside the k largest gets probability exactly 0.
        cutoff = np.argsort(-z, kind="stable")[top_k:]
        z[cutoff] = -np.inf
    p = np.exp(z - z.max())
    return p / p.sum()


def sample_next(logits, rng, temperature=1.0, top_k=None):
    """logits (V,) -> one token id, an int in [0, V).

    Greedy, argmax of the logits, when temperature == 0 or rng is None. Otherwise one draw with `rng` from
    p = next_token_distribution(logits, temperature, top_k): exactly `rng.choice(V, p=p)`. Every argument is
    checked, even where greedy would not use it, so a wrong temperature or top_k never passes silently.
    """
    logits = check_logits(logits)
    check_rng(rng, allow_none=True)
    check_number("temperature", temperature, "at least 0 (0 means greedy)", lambda t: 0 <= t < math.inf)
    if top_k is not None:
        check_positive_int("top_k", top_k)  # a top_k of V or more keeps every token
    if temperature == 0 or rng is None:
        return int(np.argmax(logits))
    p = next_token_distribution(logits, temperature, top_k)
    return int(rng.choice(p.size, p=p))
