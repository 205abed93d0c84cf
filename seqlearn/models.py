"""A PyTorch language model: ids -> (embedding or one-hot) -> RNN, LSTM or GRU -> logits over the vocabulary.

Time-major like the rest of the course: `ids` is (T, N), logits are (T, N, V). The recurrent state is
returned so a training loop can carry it across batches (stateful training, truncated BPTT).
`model.config` holds the constructor's arguments, which is all a checkpoint needs to rebuild the model.
"""

import torch
from torch import nn
from torch.nn import functional as F

from seqlearn.checks import check_choice, check_positive_int

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class RNNLanguageModel(nn.Module):
    """`RNNLanguageModel(vocab_size, hidden_size, cell="lstm", num_layers=1, embedding_dim=None, dropout=0.0,
    input_dropout=0.0)`.

    `embedding_dim=None` feeds one-hot vectors (D = V), as the from-scratch chapters do; a number learns an
    embedding table of that width instead (the same computation as a lookup, chapter 2). `dropout` acts on
    the recurrent layer's outputs (and between stacked layers); `input_dropout` on its inputs. Both are
    active only in training mode (`model.train()`), and regularise: the model cannot lean on any one unit.
    """

    def __init__(self, vocab_size, hidden_size, cell="lstm", num_layers=1, embedding_dim=None, dropout=0.0,
                 input_dropout=0.0):
        super().__init__()
        check_positive_int("vocab_size", vocab_size)
        check_positive_int("hidden_size", hidden_size)
        check_positive_int("num_layers", num_layers)
        check_choice("cell", cell, tuple(CELLS))
        if embedding_dim is not None:
            check_positive_int("embedding_dim", embedding_dim)
        for name, p in (("dropout", dropout), ("input_dropout", input_dropout)):
            if not 0 <= p < 1:
                raise ValueError(f"{name} must be in [0, 1), got {p}")
        self.config = dict(vocab_size=vocab_size, hidden_size=hidden_size, cell=cell, num_layers=num_layers,
                           embedding_dim=embedding_dim, dropout=dropout, input_dropout=input_dropout)
        self.embedding = nn.Embedding(vocab_size, embedding_dim) if embedding_dim else None
        input_size = embedding_dim or vocab_size
        self.rnn = CELLS[cell](input_size, hidden_size, num_layers, dropout=dropout if num_layers > 1 else 0.0)
        self.input_dropout = nn.Dropout(input_dropout)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, ids, state=None):
        """ids: (T, N) int64 -> logits (T, N, V) and the final state (h_n, or (h_n, c_n) for an LSTM)."""
        if ids.dim() != 2 or ids.dtype != torch.int64:
            raise ValueError(f"ids must be a (T, N) int64 tensor, got shape {tuple(ids.shape)} and {ids.dtype}")
        V = self.config["vocab_size"]
        if ids.numel() and (ids.min() < 0 or ids.max() >= V):
            raise ValueError(f"ids must be in [0, {V - 1}], got values from {int(ids.min())} to {int(ids.max())}")
        if self.embedding is None:
            x = F.one_hot(ids, V).to(self.head.weight.dtype)
        else:
            x = self.embedding(ids)
        out, state = self.rnn(self.input_dropout(x), state)
        return self.head(self.dropout(out)), state


def detach_state(state):
    """Cut the graph at a batch boundary (truncated BPTT) while keeping the state's values."""
    if state is None:
        return None
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
