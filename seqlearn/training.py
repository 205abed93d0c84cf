"""Training loop for the PyTorch language models, with the habits a real run needs.

- progress bar (`tqdm.auto`), gradient clipping by global norm, train and validation perplexity per epoch;
- CUDA when available, else the CPU;
- stateful mode (the hidden state runs on across sequential batches, the graph cut every batch: truncated
  BPTT) or stateless (random batches, a fresh zero state each batch);
- a learning-rate schedule: halve on a plateau, or a cosine from `lr` down to 0 over the run;
- early stopping on validation perplexity, keeping the best weights;
- a non-finite loss stops training with `NonFiniteLossError` instead of carrying on with NaNs;
- checkpoints saved with their model config and loaded with `torch.load(weights_only=True)`.
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch.nn import functional as F
from tqdm.auto import tqdm

from seqlearn.batching import random_batches, sequential_batches
from seqlearn.checks import check_choice, check_int_array, check_positive_int
from seqlearn.models import RNNLanguageModel, detach_state

CHECKPOINT_FORMAT = "seqlearn-language-model-v1"


class NonFiniteLossError(FloatingPointError):
    """The loss became NaN or infinite: the run diverged (typically exploding gradients; try clipping)."""


class CheckpointError(ValueError):
    """A checkpoint file is corrupt, or is not a seqlearn language-model checkpoint."""


@dataclass
class History:
    train_perplexity: list = field(default_factory=list)
    val_perplexity: list = field(default_factory=list)
    learning_rate: list = field(default_factory=list)  # the rate at the end of each epoch
    best_epoch: int = -1
    stopped_early: bool = False


def default_device():
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def cosine_learning_rate(lr, progress):
    """The rate after `progress` (0 to 1) of the run: lr at the start, falling along a half cosine to 0."""
    return lr * 0.5 * (1 + math.cos(math.pi * min(max(progress, 0.0), 1.0)))


def _batches(ids, batch_size, num_steps, stateful, rng):
    if stateful:
        return sequential_batches(ids, batch_size, num_steps, rng)
    return random_batches(ids, batch_size, num_steps, rng)


def perplexity_from_loss(mean_nll):
    """exp(mean cross-entropy in nats); inf, not an OverflowError, for a loss past about 709 (a diverged run)."""
    return math.exp(mean_nll) if mean_nll < 709 else math.inf


@torch.no_grad()
def evaluate_perplexity(model, ids, batch_size=32, num_steps=35, device=None):
    """Perplexity exp(mean cross-entropy) over held-out ids, read in order with the state carried along."""
    device = device or next(model.parameters()).device
    was_training = model.training
    model.eval()
    total, count, state = 0.0, 0, None
    for X, Y in sequential_batches(check_int_array("ids", ids, ndim=1), batch_size, num_steps):
        logits, state = model(torch.as_tensor(X, device=device), state)
        total += F.cross_entropy(logits.flatten(0, 1), torch.as_tensor(Y, device=device).flatten(),
                                 reduction="sum").item()
        count += Y.size
    model.train(was_training)
    return perplexity_from_loss(total / count)


def train_language_model(model, train_ids, val_ids, *, epochs, lr=2e-3, batch_size=32, num_steps=35,
                         clip=1.0, stateful=True, patience=None, seed=0, device=None, progress=True,
                         max_seconds=None, lr_decay=None, lr_schedule=None, weight_decay=0.0):
    """Train `model` with Adam (AdamW when weight_decay > 0) and return a `History`.

    The model ends with its best validation weights.

    clip: max global gradient norm, or None for no clipping. patience: stop after that many epochs without
    a better validation perplexity (None: run every epoch). max_seconds: a wall-clock budget for training; when
    it runs out, even in the middle of an epoch, that epoch is evaluated and training stops.
    lr_decay: multiply the learning rate by this factor after every epoch whose validation perplexity did not
    improve (None: constant rate). Small steps late in training stop the model from overshooting.
    lr_schedule="cosine": instead, the rate follows `cosine_learning_rate` over the whole run, measured in
    batches out of `epochs` full epochs, or in seconds out of `max_seconds` when that runs out first. The
    long low-rate end settles the weights, which is worth a lot on held-out text (chapter 5).
    weight_decay: decoupled weight decay (AdamW) pulling every weight towards zero, a regulariser.
    """
    check_positive_int("epochs", epochs)
    train_ids = check_int_array("train_ids", train_ids, ndim=1)
    val_ids = check_int_array("val_ids", val_ids, ndim=1)
    if lr_decay is not None and not 0 < lr_decay < 1:
        raise ValueError(f"lr_decay must be in (0, 1) or None, got {lr_decay}")
    check_choice("lr_schedule", lr_schedule, (None, "cosine"))
    if lr_decay is not None and lr_schedule is not None:
        raise ValueError("choose lr_decay or lr_schedule, not both")
    if clip is not None and not clip > 0:
        raise ValueError(f"clip must be a positive max norm or None, got {clip}")
    device = device or default_device()
    model.to(device)
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    if weight_decay < 0:
        raise ValueError(f"weight_decay must be at least 0, got {weight_decay}")
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    history, best, best_state, start = History(), math.inf, None, time.perf_counter()
    total_batches, done = epochs * (len(train_ids) - 1) // batch_size // num_steps, 0
    for epoch in tqdm(range(epochs), desc="epochs", disable=not progress):
        model.train()
        total, count, state, out_of_time = 0.0, 0, None, False
        for X, Y in _batches(train_ids, batch_size, num_steps, stateful, rng):
            if lr_schedule == "cosine":
                progress = done / max(total_batches, 1)
                if max_seconds is not None:
                    progress = max(progress, (time.perf_counter() - start) / max_seconds)
                for group in optimizer.param_groups:
                    group["lr"] = cosine_learning_rate(lr, progress)
            state = detach_state(state) if stateful else None
            logits, state = model(torch.as_tensor(X, device=device), state)
            loss = F.cross_entropy(logits.flatten(0, 1), torch.as_tensor(Y, device=device).flatten())
            if not torch.isfinite(loss):
                raise NonFiniteLossError(
                    f"loss became {loss.item()} at epoch {epoch} after {count // Y.size} batches; "
                    f"the gradients exploded. Clip them (clip=1.0) or lower the learning rate (lr={lr})."
                )
            optimizer.zero_grad()
            loss.backward()
            if clip is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimizer.step()
            total += loss.item() * Y.size
            count += Y.size
            done += 1
            out_of_time = max_seconds is not None and time.perf_counter() - start > max_seconds
            if out_of_time:
                break
        history.train_perplexity.append(perplexity_from_loss(total / count))
        history.learning_rate.append(optimizer.param_groups[0]["lr"])
        history.val_perplexity.append(evaluate_perplexity(model, val_ids, batch_size, num_steps, device))
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
    model.load_state_dict(best_state)
    return history


def save_checkpoint(model, path):
    """Save the model's config and weights (plain tensors and numbers only, so weights_only loading works)."""
    torch.save({"format": CHECKPOINT_FORMAT, "config": model.config,
                "state_dict": {k: v.cpu() for k, v in model.state_dict().items()}}, path)


def load_checkpoint(path, device="cpu"):
    """Rebuild the model saved by `save_checkpoint`. Refuses corrupt and foreign files with a clear error."""
    try:
        saved = torch.load(path, map_location=device, weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as e:  # torch raises several types for a damaged or unsafe file
        raise CheckpointError(f"{path} is not a readable checkpoint ({type(e).__name__}: {e})") from e
    if not isinstance(saved, dict) or saved.get("format") != CHECKPOINT_FORMAT:
        found = saved.get("format", "no 'format' key") if isinstance(saved, dict) else type(saved).__name__
        raise CheckpointError(f"{path} is not a seqlearn language-model checkpoint: expected format "
                              f"{CHECKPOINT_FORMAT!r}, found {found!r}")
    model = RNNLanguageModel(**saved["config"])
    try:
        model.load_state_dict(saved["state_dict"])
    except RuntimeError as e:
        raise CheckpointError(f"{path}: weights do not fit the saved config ({e})") from e
    return model.to(device)
