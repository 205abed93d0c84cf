"""Many-to-one sequence classification in PyTorch: read a whole sequence, answer from its last state.

    ids (T, N) -> one-hot x (T, N, D) -> RNN, LSTM or GRU -> h⟨T⟩ (N, H) -> logits = W_hy h⟨T⟩ + b_y  (N, C)

Time-major like the rest of the course. Only the last state feeds the output, so everything the answer
needs must be carried there through the recurrence: the setting of the long-range recall task
(`seqlearn.tasks.recall_task`), on which chapter 6 shows a vanilla RNN failing and chapter 7 the LSTM and
GRU succeeding. `train_recall` trains a classifier on that task and measures it on fresh sequences.

`keep_bias` starts an LSTM or GRU in the mode "keep the state": it adds a constant to the bias of the gate
that decides how much of the old state survives a step. In PyTorch's layout that gate is the second block
of H entries of `bias_ih_l0`: gates (i, f, g, o) for the LSTM, so the forget gate f, and (r, z, n) for the
GRU, whose update gate z keeps the old state in h' = (1 - z) * n + z * h. A forget-gate bias of about 1
is the usual LSTM recipe (Gers et al. 2000; Jozefowicz et al. 2015).
"""

import math
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from seqlearn.checks import (
    check_choice,
    check_int_array,
    check_number,
    check_positive,
    check_positive_int,
    check_rng,
)
from seqlearn.models import TORCH_CELLS, check_ids, evaluating
from seqlearn.tasks import recall_task
from seqlearn.training import training_step


class SequenceClassifier(nn.Module):
    """`SequenceClassifier(num_inputs, hidden_size, num_classes, cell="rnn", nonlinearity="tanh", keep_bias=None)`.

    num_inputs: the one-hot width D (the number of different ids). nonlinearity: "tanh" or "relu", for
    cell="rnn" only. keep_bias: a number added to the LSTM forget-gate / GRU update-gate bias (see the module
    docstring), or None to keep PyTorch's initialisation. Parameters: `self.rnn` (an nn.RNN, LSTM or GRU with
    PyTorch's names, weight_ih_l0 (G·H, D) and so on) and `self.head` (W_hy (C, H), b_y (C,)).
    """

    def __init__(self, num_inputs, hidden_size, num_classes, cell="rnn", nonlinearity="tanh", keep_bias=None):
        super().__init__()
        check_positive_int("num_inputs", num_inputs)
        check_positive_int("hidden_size", hidden_size)
        check_positive_int("num_classes", num_classes, minimum=2)
        check_choice("cell", cell, tuple(TORCH_CELLS))
        check_choice("nonlinearity", nonlinearity, ("tanh", "relu"))
        if cell != "rnn" and nonlinearity != "tanh":
            raise ValueError(f"nonlinearity={nonlinearity!r} is for cell='rnn' only; an {cell.upper()} has "
                             "its own fixed sigmoid and tanh")
        check_number("keep_bias", keep_bias, "a finite number or None", math.isfinite, allow_none=True)
        if keep_bias is not None and cell == "rnn":
            raise ValueError("keep_bias is for cell='lstm' (forget gate) or 'gru' (update gate); "
                             "a vanilla RNN has no gate to bias")
        self.config = dict(num_inputs=num_inputs, hidden_size=hidden_size, num_classes=num_classes, cell=cell,
                           nonlinearity=nonlinearity, keep_bias=keep_bias)
        extra = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
        self.rnn = TORCH_CELLS[cell](num_inputs, hidden_size, **extra)
        self.head = nn.Linear(hidden_size, num_classes)
        if keep_bias is not None:
            with torch.no_grad():  # the second block of H: LSTM (i, f, g, o) -> f; GRU (r, z, n) -> z
                self.rnn.bias_ih_l0[hidden_size:2 * hidden_size] += keep_bias

    def forward(self, ids):
        """ids: (T, N) int64 tensor, each in [0, num_inputs) -> logits (N, num_classes) from the last state."""
        D = self.config["num_inputs"]
        check_ids(ids, D)  # a (T, N) int64 tensor, T and N at least 1, each id in [0, D)
        x = F.one_hot(ids, D).to(self.head.weight.dtype)  # (T, N, D)
        out, _ = self.rnn(x)  # (T, N, H): every state; out[-1] is the last
        return self.head(out[-1])


def _as_ids_and_targets(model, ids, targets):
    """NumPy arrays or tensors -> int64 tensors ids (T, N) and targets (N,) on the model's device, checked."""
    if not isinstance(model, SequenceClassifier):
        raise TypeError(f"model must be a SequenceClassifier, got {type(model).__name__}")
    ids = check_int_array("ids", np.asarray(ids), ndim=2)
    targets = check_int_array("targets", np.asarray(targets), ndim=1)
    if targets.shape[0] != ids.shape[1]:
        raise ValueError(f"targets must have shape (N,) = ({ids.shape[1]},) to match ids (T, N) = {ids.shape}, "
                         f"got {targets.shape}")
    C = model.config["num_classes"]
    if targets.size and (targets.min() < 0 or targets.max() >= C):
        raise ValueError(f"targets must be in [0, {C - 1}], got values from {targets.min()} to {targets.max()}")
    device = next(model.parameters()).device
    return torch.as_tensor(ids, device=device), torch.as_tensor(targets, device=device)


@torch.no_grad()
def accuracy(model, ids, targets):
    """The fraction of sequences whose largest logit is the target. ids (T, N) and targets (N,), integers."""
    ids, targets = _as_ids_and_targets(model, ids, targets)
    with evaluating(model):
        return (model(ids).argmax(dim=1) == targets).float().mean().item()


@dataclass
class RecallResult:
    accuracy: float  # on `eval_size` fresh sequences, drawn after training
    losses: list = field(default_factory=list)  # the training loss of every step


OPTIMIZERS = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}


def train_recall(model, delay, steps, rng, batch_size=64, lr=3e-3, clip=1.0, length=None, eval_size=1000,
                 optimizer="adam"):
    """Train `model` (a SequenceClassifier) on `recall_task` for `steps` batches; returns a `RecallResult`.

    Symbols are the model's classes and distractors the remaining inputs: num_symbols = num_classes,
    num_distractors = num_inputs - num_classes (at least 1). Every batch is new, drawn from `rng` (a
    np.random.Generator), and so is the held-out batch of `eval_size` sequences scored at the end: the run
    depends only on the model's initial weights and on `rng`. `optimizer`: "adam" or "sgd" (plain gradient
    descent, whose step grows with the gradient), with learning rate `lr`; `clip` is the max global gradient
    norm, or None for no clipping. A non-finite loss stops training with `NonFiniteLossError`.
    """
    if not isinstance(model, SequenceClassifier):
        raise TypeError(f"model must be a SequenceClassifier, got {type(model).__name__}")
    check_positive_int("delay", delay)
    # length is checked here, as recall_task would check it only once training has begun
    if length is not None and check_positive_int("length", length) < delay + 1:
        raise ValueError(f"length must be at least delay + 1 = {delay + 1}, got {length}")
    check_positive_int("steps", steps)
    check_rng(rng)
    check_positive_int("batch_size", batch_size)
    check_positive_int("eval_size", eval_size)
    check_positive("lr", lr)
    check_choice("optimizer", optimizer, tuple(OPTIMIZERS))
    check_number("clip", clip, "a positive max norm or None", lambda v: 0 < v < math.inf, allow_none=True)
    num_symbols = model.config["num_classes"]
    num_distractors = model.config["num_inputs"] - num_symbols
    if num_distractors < 1:
        raise ValueError(f"the model needs more inputs than classes, for the distractors: num_inputs="
                         f"{model.config['num_inputs']}, num_classes={num_symbols}")
    task = dict(delay=delay, num_symbols=num_symbols, num_distractors=num_distractors, length=length)
    optimizer = OPTIMIZERS[optimizer](model.parameters(), lr=lr)
    model.train()
    losses = []
    for step in range(steps):
        ids, targets = _as_ids_and_targets(model, *recall_task(batch_size, rng=rng, **task))
        losses.append(training_step(optimizer, F.cross_entropy(model(ids), targets), clip, f"at step {step}"))
    return RecallResult(accuracy(model, *recall_task(eval_size, rng=rng, **task)), losses)
