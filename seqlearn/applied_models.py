"""The three PyTorch models of chapter 9, one per architecture the sources apply: forecast, classify, tag.

Time-major like the rest of the course (`windows.make_windows` is batch-major: transpose its inputs first).

    Forecaster      x (T, N, F) float  -> RNN -> h⟨T⟩ (N, H) -> W_hy h⟨T⟩ + b_y    (N, horizon)   many-to-one
    CharClassifier  ids (T, N), lengths (N,) -> RNN -> h⟨len_j⟩ of each sequence j -> (N, C)    many-to-one
    CharTagger      ids (T, N) -> RNN (one or both directions) -> every h⟨t⟩ -> (T, N, num_tags) many-to-many

The Forecaster predicts all `horizon` days at once from the last state (no feeding predictions back). The
classifier reads padded batches (`seqlearn.batching.pad_batch`): sequence j answers from its own last real
step, `out[lengths[j] - 1, j]`, so whatever padding follows it changes nothing (a unidirectional state at
step t has read steps 1..t only). The tagger's bidirectional layer concatenates the forward state
h→⟨t⟩ (steps 1..t) and the backward state h←⟨t⟩ (steps t..T): (T, N, 2H), so a tag may depend on what
comes after its character; the tagger reads equal-length chunks, since padding would reach the backward
sweep. Ids enter one-hot (`embedding_dim=None`, D = V, as the from-scratch chapters do) or through a
learned embedding table of width `embedding_dim`. `dropout` acts on the states before the output layer,
only in training mode. Each model's `config` holds its constructor's arguments.
"""

import torch
from torch import nn
from torch.nn import functional as F

from seqlearn.checks import check_choice, check_flag, check_number, check_positive_int
from seqlearn.models import TORCH_CELLS, check_ids, check_lengths, check_tensor


def _check_common(hidden_size, cell, embedding_dim, dropout):
    check_positive_int("hidden_size", hidden_size)
    check_choice("cell", cell, tuple(TORCH_CELLS))
    if embedding_dim is not None:
        check_positive_int("embedding_dim", embedding_dim)
    check_number("dropout", dropout, "in [0, 1)", lambda p: 0 <= p < 1)


def _read_ids(ids, vocab_size, embedding, dtype):
    """ids (T, N) -> inputs (T, N, D): one-hot (D = V) without an embedding table, its rows (D = E) with one."""
    return F.one_hot(ids, vocab_size).to(dtype) if embedding is None else embedding(ids)


class Forecaster(nn.Module):
    """`Forecaster(num_features, hidden_size, horizon, cell="lstm", num_layers=1, dropout=0.0)`.

    x (T, N, F) float -> predictions (N, horizon): the next `horizon` values of the target, all from the last
    state h⟨T⟩ of the top layer. Parameters: `self.rnn` (PyTorch's names, weight_ih_l0 (G·H, F), ...) and
    `self.head` (W_hy (horizon, H), b_y (horizon,)).
    """

    def __init__(self, num_features, hidden_size, horizon, cell="lstm", num_layers=1, dropout=0.0):
        super().__init__()
        check_positive_int("num_features", num_features)
        check_positive_int("horizon", horizon)
        check_positive_int("num_layers", num_layers)
        _check_common(hidden_size, cell, None, dropout)
        self.config = dict(num_features=num_features, hidden_size=hidden_size, horizon=horizon, cell=cell,
                           num_layers=num_layers, dropout=dropout)
        self.rnn = TORCH_CELLS[cell](num_features, hidden_size, num_layers, dropout=dropout if num_layers > 1 else 0)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, horizon)

    def forward(self, x):
        """x: (T, N, F) float tensor in the model's dtype -> (N, horizon)."""
        check_tensor("x", x, "(T, N, F)", self.head.weight.dtype, (None, None, self.config["num_features"]),
                     hint="time-major: windows.make_windows gives (N, T, F), so transpose it")
        out, _ = self.rnn(x)  # (T, N, H): every state of the top layer; out[-1] is h⟨T⟩
        return self.head(self.dropout(out[-1]))


class CharClassifier(nn.Module):
    """`CharClassifier(vocab_size, num_classes, hidden_size, embedding_dim=None, cell="lstm", num_layers=1,
    dropout=0.0)`.

    ids (T, N) int64 padded after each sequence's end, lengths (N,) -> logits (N, num_classes), each from its
    sequence's own last real step.
    """

    def __init__(self, vocab_size, num_classes, hidden_size, embedding_dim=None, cell="lstm", num_layers=1,
                 dropout=0.0):
        super().__init__()
        check_positive_int("vocab_size", vocab_size)
        check_positive_int("num_classes", num_classes, minimum=2)
        check_positive_int("num_layers", num_layers)
        _check_common(hidden_size, cell, embedding_dim, dropout)
        self.config = dict(vocab_size=vocab_size, num_classes=num_classes, hidden_size=hidden_size,
                           embedding_dim=embedding_dim, cell=cell, num_layers=num_layers, dropout=dropout)
        self.embedding = nn.Embedding(vocab_size, embedding_dim) if embedding_dim else None
        self.rnn = TORCH_CELLS[cell](embedding_dim or vocab_size, hidden_size, num_layers,
                                     dropout=dropout if num_layers > 1 else 0)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, num_classes)

    def forward(self, ids, lengths=None):
        """ids: (T, N) int64; lengths: (N,) int64 in [1, T] (None: every sequence fills all T steps) -> (N, C)."""
        T, N = check_ids(ids, self.config["vocab_size"]).shape
        if lengths is None:
            lengths = torch.full((N,), T, dtype=torch.int64, device=ids.device)
        check_lengths("lengths", lengths, N, 1, T)  # each in [1, T]
        out, _ = self.rnn(_read_ids(ids, self.config["vocab_size"], self.embedding, self.head.weight.dtype))
        last = out[lengths.to(out.device) - 1, torch.arange(N, device=out.device)]  # (N, H): h⟨len_j⟩ of each j
        return self.head(self.dropout(last))


class CharTagger(nn.Module):
    """`CharTagger(vocab_size, num_tags, hidden_size, embedding_dim=None, cell="lstm", bidirectional=False,
    num_layers=1, dropout=0.0)`.

    ids (T, N) int64 -> logits (T, N, num_tags), one row of tag scores per character. With bidirectional=True
    the output layer reads [h→⟨t⟩; h←⟨t⟩] (2H), so `self.head` is W_hy (num_tags, 2H).
    """

    def __init__(self, vocab_size, num_tags, hidden_size, embedding_dim=None, cell="lstm", bidirectional=False,
                 num_layers=1, dropout=0.0):
        super().__init__()
        check_positive_int("vocab_size", vocab_size)
        check_positive_int("num_tags", num_tags, minimum=2)
        check_positive_int("num_layers", num_layers)
        _check_common(hidden_size, cell, embedding_dim, dropout)
        check_flag("bidirectional", bidirectional)
        self.config = dict(vocab_size=vocab_size, num_tags=num_tags, hidden_size=hidden_size,
                           embedding_dim=embedding_dim, cell=cell, bidirectional=bidirectional,
                           num_layers=num_layers, dropout=dropout)
        self.embedding = nn.Embedding(vocab_size, embedding_dim) if embedding_dim else None
        self.rnn = TORCH_CELLS[cell](embedding_dim or vocab_size, hidden_size, num_layers,
                                     dropout=dropout if num_layers > 1 else 0, bidirectional=bidirectional)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size * (2 if bidirectional else 1), num_tags)

    def forward(self, ids):
        """ids: (T, N) int64 -> logits (T, N, num_tags)."""
        check_ids(ids, self.config["vocab_size"])
        out, _ = self.rnn(_read_ids(ids, self.config["vocab_size"], self.embedding, self.head.weight.dtype))
        return self.head(self.dropout(out))  # out: (T, N, H), or (T, N, 2H) = [forward; backward] per step
