"""Choosing the next token from a language model's scores: greedy, temperature and top-k.

Given logits z (V,) for the next token:
- greedy: the most likely token, argmax z. Deterministic, and prone to loops.
- temperature τ: sample from softmax(z / τ). τ = 1 is the model's own distribution; τ < 1 sharpens it
  (as τ -> 0 it becomes greedy, and τ = 0 here means greedy); τ > 1 flattens it towards uniform.
- top-k: keep only the k most likely tokens, renormalise, then sample (with the temperature).

`generate_ids` runs a PyTorch language model (`seqlearn.models.RNNLanguageModel`): it reads a prefix, then
feeds each chosen token back in, one-to-many.
"""

import numpy as np
import torch

from seqlearn.checks import check_int_array, check_positive_int, check_rng


def next_token_distribution(logits, temperature=1.0, top_k=None):
    """logits (V,) -> probabilities (V,) after temperature and top-k. temperature must be > 0."""
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 1 or logits.size == 0:
        raise ValueError(f"logits must be a non-empty vector (V,), got shape {logits.shape}")
    if not temperature > 0:
        raise ValueError(f"temperature must be positive here (use sample_next(..., temperature=0) for greedy), "
                         f"got {temperature}")
    z = logits / temperature
    if top_k is not None:
        check_positive_int("top_k", top_k)
        if top_k < z.size:
            # Everything outside the k largest gets probability exactly 0.
            cutoff = np.argsort(-z, kind="stable")[top_k:]
            z[cutoff] = -np.inf
    p = np.exp(z - z.max())
    return p / p.sum()


def sample_next(logits, rng=None, temperature=1.0, top_k=None):
    """One token id. Greedy when temperature == 0 or rng is None; otherwise a draw from rng."""
    if temperature == 0 or rng is None:
        return int(np.argmax(np.asarray(logits)))
    check_rng(rng, allow_none=True)
    p = next_token_distribution(logits, temperature, top_k)
    return int(rng.choice(p.size, p=p))


@torch.no_grad()
def generate_ids(model, prefix_ids, steps, rng=None, temperature=1.0, top_k=None, stop_id=None):
    """Read `prefix_ids` (at least one id), then generate up to `steps` ids; stops after `stop_id`."""
    check_positive_int("steps", steps)
    prefix = check_int_array("prefix_ids", prefix_ids, ndim=1)
    if prefix.size == 0:
        raise ValueError("prefix_ids needs at least one id to start from (e.g. the id of <bos>)")
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    logits, state = model(torch.as_tensor(prefix, device=device)[:, None])  # (T, 1) time-major
    out = []
    for _ in range(steps):
        token = sample_next(logits[-1, 0].cpu().numpy(), rng, temperature, top_k)
        out.append(token)
        if token == stop_id:
            break
        logits, state = model(torch.tensor([[token]], device=device), state)
    model.train(was_training)
    return out
