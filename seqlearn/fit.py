"""One training loop for any PyTorch model and loss: Adam, clipping, validation every epoch, early stopping.

`fit` is the loop of chapter 9, shared by the forecaster, the classifier and the tagger
(`seqlearn.applied_models`); the language model keeps its own (`seqlearn.training.train_language_model`), which
carries a state across batches. A batch is a pair (inputs, targets) of tensors, time-major as everywhere:

    Forecaster      inputs x (T, N, F)                  targets (N, horizon)   loss e.g. F.mse_loss
    CharClassifier  inputs (ids (T, N), lengths (N,))   targets (N,)           loss e.g. F.cross_entropy
    CharTagger      inputs ids (T, N)                   targets (T, N)         loss on logits.flatten(0, 1)

`inputs` is one tensor, passed as `model(inputs)`, or a tuple of tensors, passed as `model(*inputs)`.
The batches come from two callables, so that each epoch can draw a new order: `train_batches(rng)` is called
once per epoch with the run's `np.random.Generator` (seeded with `seed`) and returns an iterable of batches;
`val_batches()` takes no argument, since its order changes nothing. Each epoch:

1. train: for each batch, `training_step` (`seqlearn.training`): refuse a non-finite loss, backpropagate,
   clip the global gradient norm to `clip`, take one Adam step;
2. validate: the loss on every validation batch with dropout off (`seqlearn.models.evaluating`), no gradients;
3. keep a copy of the weights whenever the validation loss is the best so far; after `patience` epochs
   without a better one, stop. The model ends with the best weights.

An epoch's loss is the mean of its batches' losses weighted by each batch's `targets.numel()`: the mean over
every target value, for a loss that averages over them (the default reduction="mean" of F.mse_loss and
F.cross_entropy). Randomness: the batches' order from `rng`, dropout from `seeded_torch(seed)`; the model's
initial weights are the caller's (`torch.manual_seed` before building it), and the caller's global random state
is left untouched, so the same model, batches and seed give the same run, number for number.

`index_batches(indices, batch_size, take)` makes such a callable from the indices of the examples (a window,
a line, a chunk) and a function `take(j)` that cuts the batch of examples `j` (an int64 tensor) out of the data:
`lambda j: (x[:, j], y[j])` for the forecaster, whose inputs are time-major and targets batch-first. Called
with an rng it shuffles the order (training); called without, it keeps the given order (validation).
"""

import math
from dataclasses import dataclass, field

import numpy as np
import torch
from tqdm.auto import tqdm

from seqlearn.checks import (
    check_callable,
    check_count,
    check_flag,
    check_int_array,
    check_number,
    check_positive_int,
    check_rng,
)
from seqlearn.models import check_device, check_module, evaluating
from seqlearn.training import seeded_torch, training_step

# The bar shows how far the epochs have come, and nothing that varies between runs (no timing, no rate).
BAR = "{desc}: {n_fmt}/{total_fmt} {bar}"


@dataclass
class FitHistory:
    """What `fit` measured, one entry per epoch run (lists of floats)."""

    train_loss: list = field(default_factory=list)  # the mean training loss of each epoch, as it went
    val_loss: list = field(default_factory=list)  # the validation loss after each epoch, dropout off
    best_epoch: int = -1  # -1: no epoch reached a finite validation loss (the model keeps its last weights)
    stopped_early: bool = False


def fit(model, loss_fn, train_batches, val_batches, *, epochs, lr, clip=1.0, patience=None, seed, progress=True,
        device=None):
    """Train `model` with Adam on `loss_fn(model(inputs), targets)` and return a `FitHistory` (see the module).

    train_batches: rng -> iterable of (inputs, targets); val_batches: () -> iterable of (inputs, targets).
    epochs: at most this many. lr: Adam's learning rate. clip: max global gradient norm, or None for no
    clipping. patience: stop after that many epochs without a better validation loss (None: run every epoch).
    seed: an int >= 0, seeding the batches' rng and dropout. progress: a `tqdm.auto` bar over the epochs (its
    text holds no timing or loss; False: no bar). device: None (CUDA when available), "cpu", "cuda" or a
    torch.device; the model is moved there, and so is every batch. Every argument is checked first.
    """
    device = check_fit_arguments(model, loss_fn, train_batches, val_batches, epochs=epochs, lr=lr, clip=clip,
                                 patience=patience, seed=seed, progress=progress, device=device)
    model.to(device)
    rng = np.random.default_rng(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history, best, best_state = FitHistory(), math.inf, None
    with seeded_torch(seed, device):
        for epoch in tqdm(range(epochs), desc="epochs", disable=not progress, bar_format=BAR):
            model.train()
            total, count = 0.0, 0
            for batch, (inputs, targets) in enumerate(_pairs(train_batches(rng), "train_batches(rng)", device)):
                loss = loss_fn(_call(model, inputs), targets)
                total += training_step(optimizer, loss, clip, f"at epoch {epoch} after {batch} batches") \
                    * targets.numel()
                count += targets.numel()
            history.train_loss.append(total / count)
            history.val_loss.append(evaluate_loss(model, loss_fn, val_batches, device))
            if history.val_loss[-1] < best:
                best, history.best_epoch = history.val_loss[-1], epoch
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            elif patience is not None and epoch - history.best_epoch >= patience:
                history.stopped_early = True
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    return history


def index_batches(indices, batch_size, take):
    """-> batches(rng=None): yields take(j) for consecutive groups j of at most `batch_size` of the `indices`.

    indices: 1-D ints (n,), n >= 1, e.g. the training windows' rows; take: int64 tensor j -> (inputs, targets).
    With an rng the indices are permuted first (a new order each epoch), without one they come as given.
    """
    indices = check_int_array("indices", indices, ndim=1)
    if len(indices) == 0:
        raise ValueError("indices must hold at least one example, got none")
    if indices.min() < 0:  # a negative index would silently mean an example counted from the end
        raise ValueError(f"indices must be at least 0, got {indices.min()}")
    check_positive_int("batch_size", batch_size)
    if not callable(take):
        raise TypeError(f"take must be a function from an int64 tensor of indices to (inputs, targets), got "
                        f"{type(take).__name__}")

    def batches(rng=None):
        order = indices if check_rng(rng, allow_none=True) is None else rng.permutation(indices)
        return (take(torch.as_tensor(order[start:start + batch_size], dtype=torch.int64))
                for start in range(0, len(order), batch_size))  # rng checked at the call, not at the first batch
    return batches


@torch.no_grad()
def evaluate_loss(model, loss_fn, val_batches, device=None):
    """The loss over every batch of `val_batches()` (weighted by targets.numel()), dropout off, no gradients.

    device: where the batches go (None: the device of the model's parameters). Leaves the model's mode as it was.
    """
    check_module("model", model)
    check_callable("loss_fn", loss_fn)
    if not callable(val_batches):
        raise TypeError(f"val_batches must be a callable returning (inputs, targets) batches, got "
                        f"{type(val_batches).__name__}")
    device = next(model.parameters()).device if device is None else check_device(device)
    total, count = 0.0, 0
    with evaluating(model):
        for inputs, targets in _pairs(val_batches(), "val_batches()", device):
            total += loss_fn(_call(model, inputs), targets).item() * targets.numel()
            count += targets.numel()
    return total / count


def _call(model, inputs):
    return model(*inputs) if isinstance(inputs, tuple) else model(inputs)


def _pairs(batches, where, device):
    """Each item of `batches` checked as an (inputs, targets) pair of tensors and moved to `device`."""
    count = 0
    for count, item in enumerate(batches, 1):
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise ValueError(f"{where} must yield (inputs, targets) pairs, got {type(item).__name__} as batch "
                             f"{count - 1}")
        inputs, targets = item
        parts = inputs if isinstance(inputs, tuple) else (inputs,)
        if not all(isinstance(t, torch.Tensor) for t in (*parts, targets)):
            raise TypeError(f"{where} must yield tensors (inputs a tensor or a tuple of tensors, targets a "
                            f"tensor), got {type(inputs).__name__} and {type(targets).__name__} in batch {count - 1}")
        if targets.numel() == 0:
            raise ValueError(f"{where} yielded a batch with no targets (batch {count - 1})")
        moved = tuple(t.to(device) for t in parts)
        yield (moved if isinstance(inputs, tuple) else moved[0]), targets.to(device)
    if count == 0:
        raise ValueError(f"{where} yielded no batch: it must give at least one (inputs, targets) pair")


def check_fit_arguments(model, loss_fn, train_batches, val_batches, *, epochs, lr, clip, patience, seed, progress,
                        device):
    """Every argument of `fit`, checked, with what was expected and what arrived; returns the torch.device."""
    check_module("model", model)
    for name, f in (("loss_fn", loss_fn), ("train_batches", train_batches), ("val_batches", val_batches)):
        check_callable(name, f)
    check_positive_int("epochs", epochs)
    check_number("lr", lr, "a positive finite number", lambda v: 0 < v < math.inf)
    check_number("clip", clip, "a positive max norm or None", lambda v: 0 < v < math.inf, allow_none=True)
    if patience is not None:
        check_count("patience", patience)
    check_count("seed", seed)
    check_flag("progress", progress)
    return check_device(device)
