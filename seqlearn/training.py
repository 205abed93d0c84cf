"""Training loop for the PyTorch language models, with the habits a real run needs.

Shapes, time-major as everywhere: a batch is X, Y (T, N) ids with T = `num_steps` and N = `batch_size`,
Y being X shifted by one token; the model maps X to logits (T, N, V), scored against Y by cross-entropy.

- `training_step`: one step of gradient descent, shared with the classifier (`seqlearn.classifier`):
  refuse a non-finite loss (`NonFiniteLossError`), backpropagate, clip the gradients by global norm, step;
- `evaluate_perplexity`: held-out perplexity (`seqlearn.metrics.perplexity`) of every token, read as one stream
  in order with the state carried (`token_log_probs`), no dropout;
- `scheduled_learning_rate`: a cosine from `lr` down to 0 over the run (or shrink on a plateau, `lr_decay`);
- `train_language_model`: epochs of those steps, stateful (the hidden state runs on across sequential
  batches, the graph cut every batch: truncated BPTT) or stateless (random batches, a fresh zero state
  each), with a progress bar (`tqdm.auto`), CUDA when available, early stopping keeping the best weights;
- `seeded_torch`: the run's own seeded torch generator, the caller's global random state left untouched.
"""

import math
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch
from torch.nn import functional as F
from tqdm.auto import tqdm

from seqlearn.batching import random_batches, sequential_batches
from seqlearn.checks import (
    check_choice,
    check_count,
    check_int_array,
    check_nonnegative,
    check_number,
    check_positive,
    check_positive_int,
    check_text,
)
from seqlearn.metrics import perplexity
from seqlearn.models import check_device, check_ids, check_module, detach_state, evaluating, vocab_size_of
from seqlearn.training_checks import check_training_arguments


class NonFiniteLossError(FloatingPointError):
    """The loss became NaN or infinite: the run diverged (typically exploding gradients; try clipping)."""


@dataclass
class History:
    """What `train_language_model` measured, one entry per epoch run (lists of floats)."""

    train_perplexity: list = field(default_factory=list)
    val_perplexity: list = field(default_factory=list)
    learning_rate: list = field(default_factory=list)  # the rate at the end of each epoch
    best_epoch: int = -1  # -1: no epoch reached a finite validation perplexity
    stopped_early: bool = False


def next_token_loss(logits, targets, reduction="mean"):
    """Cross-entropy of logits (T, N, V) against the next tokens targets (T, N), in nats.

    reduction: "mean", "sum" or "none" ((T·N,) losses). NaN logits give a NaN loss, refused by `training_step`."""
    if not isinstance(logits, torch.Tensor) or logits.dim() != 3 or not logits.is_floating_point():
        got = f"shape {tuple(logits.shape)} and {logits.dtype}" if isinstance(logits, torch.Tensor) \
            else type(logits).__name__
        raise TypeError(f"logits must be a (T, N, V) float tensor, got {got}")
    check_ids(targets, logits.shape[2], name="targets")  # T, N >= 1: no loss over zero tokens
    if targets.shape != logits.shape[:2]:
        raise ValueError(f"targets must have shape (T, N) = {tuple(logits.shape[:2])}, got {tuple(targets.shape)}")
    check_choice("reduction", reduction, ("mean", "sum", "none"))
    return F.cross_entropy(logits.flatten(0, 1), targets.flatten(), reduction=reduction)


def training_step(optimizer, loss, clip=None, where=""):
    """One step of gradient descent on a scalar `loss` tensor that the forward pass just computed.

    Refuse a NaN or infinite loss (NonFiniteLossError; `where`, e.g. "at step 3", says when), zero the old
    gradients, backpropagate, clip the global gradient norm to `clip` (None: no clipping), step the
    optimizer. Returns the loss as a float.
    """
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    if not isinstance(loss, torch.Tensor) or loss.dim() != 0 or not loss.requires_grad:
        got = f"shape {tuple(loss.shape)}, requires_grad={loss.requires_grad}" if isinstance(loss, torch.Tensor) \
            else type(loss).__name__
        raise TypeError(f"loss must be a scalar tensor that requires grad (the forward pass's loss), got {got}")
    check_positive("clip", clip, allow_none=True)
    check_text("where", where)
    if not torch.isfinite(loss):
        raise NonFiniteLossError(f"loss became {loss.item()} {where}: the run diverged (exploding gradients, or "
                                 "a state that overflowed). Clip the gradients (clip=1.0) or lower the learning "
                                 f"rate (lr={optimizer.param_groups[0]['lr']}).")
    optimizer.zero_grad()
    loss.backward()
    if clip is not None:
        torch.nn.utils.clip_grad_norm_([p for group in optimizer.param_groups for p in group["params"]], clip)
    optimizer.step()
    return loss.item()


def cosine_learning_rate(lr, progress):
    """The rate after `progress` (0 to 1) of the run: lr at the start, falling along a half cosine to 0.
    A progress outside [0, 1] counts as the nearer end (before the start, after the end)."""
    check_positive("lr", lr)
    check_number("progress", progress, "a finite number (0 to 1)", math.isfinite)
    return lr * 0.5 * (1 + math.cos(math.pi * min(max(progress, 0.0), 1.0)))


def scheduled_learning_rate(lr, batches_done, total_batches, seconds=0.0, max_seconds=None):
    """The cosine schedule's rate for the next batch. The run's progress is counted in batches out of all
    the epochs' batches, or in seconds out of `max_seconds` when the time budget is further along."""
    check_count("batches_done", batches_done)
    check_count("total_batches", total_batches)  # 0: no batches at all, progress 0
    check_nonnegative("seconds", seconds)
    check_positive("max_seconds", max_seconds, allow_none=True)
    fraction = batches_done / max(total_batches, 1)
    if max_seconds is not None:
        fraction = max(fraction, seconds / max_seconds)
    return cosine_learning_rate(lr, fraction)


def seeded_torch(seed, device):
    """Inside the block torch draws (dropout) from its generator seeded with `seed`, the CPU's and for a CUDA
    `device` every GPU's; afterwards the caller's generators are back as they were. The same stream as
    `torch.manual_seed(seed)`, without changing the global random state."""
    return _seeded_torch(check_count("seed", seed), check_device(device))  # checked at the call, not at `with`


@contextmanager
def _seeded_torch(seed, device):
    cuda = device.type == "cuda"
    with torch.random.fork_rng(devices=range(torch.cuda.device_count()) if cuda else []):
        torch.default_generator.manual_seed(seed)
        if cuda:
            torch.cuda.manual_seed_all(seed)
        yield


@torch.no_grad()
def token_log_probs(model, ids, context=None, chunk=1000, device=None):
    """ln P(ids[t] | everything read before it) for every token of `ids`: a (M,) float64 NumPy array.

    The text is read as ONE stream (batch of 1), in chunks of `chunk` steps with the state carried across
    them, dropout off. Nothing is dropped and nothing starts cold in the middle: the same tokens an n-gram
    model is scored on. context: the ids just before `ids` in the text (1-D), read first to warm the state,
    so that ids[0] is predicted too (M = len(ids)); without it ids[0] is only read (M = len(ids) - 1).
    """
    V = vocab_size_of(check_module("model", model))  # None: a model of the caller's, whose ids are not checked
    ids = check_int_array("ids", ids, ndim=1, vocab_size=V)
    context = np.zeros(0, np.int64) if context is None else check_int_array("context", context, ndim=1, vocab_size=V)
    check_positive_int("chunk", chunk)
    stream, first = np.concatenate([context, ids]), max(len(context) - 1, 0)  # first: inputs whose next is in ids
    if len(ids) == 0 or len(stream) < 2:  # no token to score: a perplexity over zero tokens means nothing
        raise ValueError(f"ids must hold a token to predict (need at least 2 tokens to predict one, context and ids "
                         f"together), got {len(ids)} ids and {len(context)} of context")
    device = next(model.parameters()).device if device is None else check_device(device)
    scores, state = [], None
    with evaluating(model):
        for start in range(0, len(stream) - 1, chunk):
            x = torch.as_tensor(stream[start:start + chunk], device=device)[:, None]  # (T, 1)
            y = torch.as_tensor(stream[start + 1:start + chunk + 1], device=device)
            logits, state = model(x[:len(y)], state)
            scores.append(torch.log_softmax(logits[:, 0].double(), -1).gather(1, y[:, None])[:, 0].cpu().numpy())
    return np.concatenate(scores)[first:]


def evaluate_perplexity(model, ids, context=None, chunk=1000, device=None):
    """Perplexity over every token of held-out `ids`, read as one stream (see `token_log_probs`). A NaN or -inf
    log-probability (diverged weights, a token given probability 0) is no score: NonFiniteLossError."""
    log_probs = token_log_probs(model, ids, context, chunk, device)
    if not np.isfinite(log_probs).all():
        i = int(np.argmax(~np.isfinite(log_probs)))
        raise NonFiniteLossError(f"log-probability of token {i} of ids is {log_probs[i]}: diverged weights, or p = 0")
    return perplexity(-float(log_probs.sum()), len(log_probs))


def train_language_model(model, train_ids, val_ids, *, epochs, lr=2e-3, batch_size=32, num_steps=35,
                         clip=1.0, stateful=True, patience=None, seed=0, device=None, progress=True,
                         max_seconds=None, lr_decay=None, lr_schedule=None, weight_decay=0.0, val_context=None):
    """Train `model` with Adam (AdamW when weight_decay > 0) and return a `History`.

    The model ends with its best validation weights. If no epoch reaches a finite validation perplexity (each
    mean loss past exp's range, so inf), there is no best: a RuntimeWarning says so, `history.best_epoch` stays -1
    and the model keeps its last weights. A NaN or infinite loss, training or validation, is NonFiniteLossError.

    clip: max global gradient norm, or None for no clipping. patience: stop after that many epochs without
    a better validation perplexity (None: run every epoch). max_seconds: a wall-clock budget for training; when
    it runs out, even in the middle of an epoch, that epoch is evaluated and training stops.
    lr_decay: multiply the learning rate by this factor after every epoch whose validation perplexity did not
    improve (None: constant rate). Small steps late in training stop the model from overshooting.
    lr_schedule="cosine": instead, the rate follows `cosine_learning_rate` over the whole run, measured in
    batches out of `epochs` full epochs, or in seconds out of `max_seconds` when that runs out first. The
    long low-rate end is meant to settle the weights (chapter 5's recipe uses it).
    weight_decay: decoupled weight decay (AdamW) pulling every weight towards zero, a regulariser.
    val_context: the ids just before val_ids in the text (e.g. the end of train_ids), read before each
    validation so that every validation token is scored (`token_log_probs`); None: val_ids[0] is only read.
    seed: the batches' order and offsets, and dropout, drawn from generators seeded with it; the caller's
    global torch random state is left as it was. Every argument is checked before anything else happens.
    """
    train_ids, val_ids, val_context, device = check_training_arguments(
        model, train_ids, val_ids, epochs=epochs, lr=lr, batch_size=batch_size, num_steps=num_steps, clip=clip,
        stateful=stateful, patience=patience, seed=seed, device=device, progress=progress, max_seconds=max_seconds,
        lr_decay=lr_decay, lr_schedule=lr_schedule, weight_decay=weight_decay, val_context=val_context)
    model.to(device)
    rng = np.random.default_rng(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    history, best, best_state, start = History(), math.inf, None, time.perf_counter()
    total_batches, done = epochs * (len(train_ids) - 1) // batch_size // num_steps, 0
    batches = sequential_batches if stateful else random_batches
    with seeded_torch(seed, device):
        for epoch in tqdm(range(epochs), desc="epochs", disable=not progress):
            model.train()
            total, count, state, out_of_time = 0.0, 0, None, False
            for batch, (X, Y) in enumerate(batches(train_ids, batch_size, num_steps, rng)):
                if lr_schedule == "cosine":
                    rate = scheduled_learning_rate(lr, done, total_batches, time.perf_counter() - start, max_seconds)
                    for group in optimizer.param_groups:
                        group["lr"] = rate
                state = detach_state(state) if stateful else None
                logits, state = model(torch.as_tensor(X, device=device), state)
                loss = next_token_loss(logits, torch.as_tensor(Y, device=device))
                total += training_step(optimizer, loss, clip, f"at epoch {epoch} after {batch} batches") * Y.size
                count += Y.size
                done += 1
                out_of_time = max_seconds is not None and time.perf_counter() - start > max_seconds
                if out_of_time:
                    break
            history.train_perplexity.append(perplexity(total, count))
            history.learning_rate.append(optimizer.param_groups[0]["lr"])
            history.val_perplexity.append(evaluate_perplexity(model, val_ids, val_context, device=device))
            if history.val_perplexity[-1] < best:
                best, history.best_epoch = history.val_perplexity[-1], epoch
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            else:
                if patience is not None and epoch - history.best_epoch >= patience:
                    history.stopped_early = True
                    break
                if lr_decay is not None:
                    for group in optimizer.param_groups:
                        group["lr"] *= lr_decay
            if out_of_time:
                break
    if best_state is None:  # said, not silent: the history is returned, the model keeps its last weights
        warnings.warn("no epoch reached a finite validation perplexity: the model keeps its last weights and "
                      "history.best_epoch is -1", RuntimeWarning, stacklevel=2)
    else:
        model.load_state_dict(best_state)
    return history

