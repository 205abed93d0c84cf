"""A PyTorch language model: ids -> (embedding or one-hot) -> RNN, LSTM or GRU -> logits over the vocabulary.

Time-major like the rest of the course: `ids` is (T, N), logits are (T, N, V). The recurrent state is
returned so a training loop can carry it across batches (stateful training, truncated BPTT).
`model.config` holds the constructor's arguments, which is all a checkpoint (`seqlearn.checkpoint`) needs
to rebuild the model.

Beside the model: `evaluating(model)`, a `with` block in evaluation mode (no dropout) that restores the
previous mode however it ends, and `generate_ids`, which writes text one token at a time (one-to-many) with
the course's one sampling rule, `seqlearn.sampling.sample_next`. The PyTorch modules share this module's
checks: `check_ids` (a (T, N) int64 tensor of ids in range), `check_module`, `check_device`, and
`vocab_size_of(model)`, the vocabulary a model's config states (None for a model of the caller's own).
"""

import math
from contextlib import contextmanager

import torch
from torch import nn
from torch.nn import functional as F

from seqlearn.checks import check_choice, check_int_array, check_number, check_positive_int, check_rng, check_text
from seqlearn.sampling import sample_next

TORCH_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def check_ids(ids, vocab_size, name="ids"):
    """`ids` must be a (T, N) int64 tensor, T and N at least 1, every id in [0, vocab_size); returns it.

    `name` is the argument's name in the caller's signature, for the message (e.g. "src")."""
    check_text("name", name)
    check_positive_int("vocab_size", vocab_size)
    if not isinstance(ids, torch.Tensor):
        raise TypeError(f"{name} must be a (T, N) int64 tensor, got {type(ids).__name__} "
                        "(torch.as_tensor turns a NumPy array of ids into one)")
    if ids.dim() != 2 or ids.dtype != torch.int64:
        raise ValueError(f"{name} must be a (T, N) int64 tensor, got shape {tuple(ids.shape)} and {ids.dtype}")
    if ids.shape[0] == 0 or ids.shape[1] == 0:
        raise ValueError(f"{name} must hold at least one step and one sequence, got shape {tuple(ids.shape)}")
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError(f"{name} must be in [0, {vocab_size - 1}], got values from {int(ids.min())} to "
                         f"{int(ids.max())}")
    return ids


def check_tensor(name, t, dims, dtype, shape, low=None, high=None, hint=""):
    """t must be a tensor of `dtype` (or "float": any floating dtype) whose axes, spelt `dims` ("(T_y, N)"), have
    the lengths `shape` (None: any) and are not empty; with low (and high), every value must lie in [low, high].
    `hint` is added to a wrong type's or shape's message (the usual cause)."""
    hint = f" ({check_text('hint', hint)})" if hint else ""
    axes = [a.strip() for a in dims.strip("()").split(",") if a.strip()]
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a {dims} {dtype} tensor, got {type(t).__name__} (torch.as_tensor converts "
                        f"a NumPy array){hint}")
    if not ((t.is_floating_point() if dtype == "float" else t.dtype == dtype)
            and t.dim() == len(axes)
            and all(n >= 1 and want in (None, n) for n, want in zip(t.shape, shape, strict=True))):
        sizes = "".join(f", {a} = {w}" for a, w in zip(axes, shape, strict=True) if w is not None and not a.isdigit())
        raise ValueError(f"{name} must be a {dims} {dtype} tensor{sizes}, no axis empty; got shape "
                         f"{tuple(t.shape)} and {t.dtype}{hint}")
    if low is not None and (t.min() < low or (high is not None and t.max() > high)):
        raise ValueError(f"{name} must be in [{low}, {'inf' if high is None else high}], got values from "
                         f"{int(t.min())} to {int(t.max())}")
    return t


def check_lengths(name, lengths, N, low, high):
    """lengths must be an (N,) int64 tensor with every value in [low, high]; returns it."""
    check_text("name", name)
    check_positive_int("N", N)
    check_positive_int("high", high, minimum=check_positive_int("low", low, minimum=0))
    return check_tensor(name, lengths, "(N,)", torch.int64, (N,), low, high)


def check_module(name, model):
    """A torch.nn.Module with at least one parameter (its device is where the inputs go); returns it."""
    check_text("name", name)
    if not isinstance(model, nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module, got {type(model).__name__}")
    if next(model.parameters(), None) is None:
        raise ValueError(f"{name} must have parameters to train and to tell its device, got none")
    return model


def vocab_size_of(model):
    """The model's vocabulary size, where its config says (an RNNLanguageModel); None for any other model."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    config = getattr(model, "config", None)
    return config.get("vocab_size") if isinstance(config, dict) else None


def _check_state(state, cell, shape, dtype):
    """None, or a state as forward returns it: h (num_layers, N, H), or the pair (h, c) for an LSTM."""
    if state is None:
        return None
    lstm = cell == "lstm"
    what = "a pair (h, c) of tensors" if lstm else "one tensor h"
    parts = state if lstm and isinstance(state, tuple) and len(state) == 2 else (state,)
    if lstm and parts is not state or not all(isinstance(s, torch.Tensor) for s in parts):
        got = f"a tuple of {len(state)}" if isinstance(state, tuple) else type(state).__name__
        raise TypeError(f"state must be None or {what} for cell={cell!r}, got {got}")
    for s in parts:
        if tuple(s.shape) != shape or s.dtype != dtype:
            raise ValueError(f"state must hold tensors of shape (num_layers, N, H) = {shape} and dtype {dtype}, "
                             f"got shape {tuple(s.shape)} and {s.dtype}")
    return state


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
        check_choice("cell", cell, tuple(TORCH_CELLS))
        if embedding_dim is not None:
            check_positive_int("embedding_dim", embedding_dim)
        for name, p in (("dropout", dropout), ("input_dropout", input_dropout)):
            check_number(name, p, "in [0, 1)", lambda v: 0 <= v < 1)
        self.config = dict(vocab_size=vocab_size, hidden_size=hidden_size, cell=cell, num_layers=num_layers,
                           embedding_dim=embedding_dim, dropout=dropout, input_dropout=input_dropout)
        self.embedding = nn.Embedding(vocab_size, embedding_dim) if embedding_dim else None
        input_size = embedding_dim or vocab_size
        self.rnn = TORCH_CELLS[cell](input_size, hidden_size, num_layers, dropout=dropout if num_layers > 1 else 0.0)
        self.input_dropout = nn.Dropout(input_dropout)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, ids, state=None):
        """ids: (T, N) int64 -> logits (T, N, V) and the final state (h_n, or (h_n, c_n) for an LSTM).

        state: None (zeros), or the state a previous call returned, (num_layers, N, H) per tensor."""
        V, c = self.config["vocab_size"], self.config
        T, N = check_ids(ids, V).shape
        _check_state(state, c["cell"], (c["num_layers"], N, c["hidden_size"]), self.head.weight.dtype)
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
    parts = state if isinstance(state, tuple) else (state,)
    if not parts or not all(isinstance(s, torch.Tensor) for s in parts):
        raise TypeError(f"state must be None, a tensor or a tuple of tensors (an LSTM's (h, c)), got "
                        f"{type(state).__name__} {state!r:.60}")
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def evaluating(model):
    """`with evaluating(model):` runs its body in evaluation mode (dropout off), then restores every module's
    previous mode, also when the body raises. Gradients are still tracked: add `torch.no_grad()` for that."""
    if not isinstance(model, nn.Module):  # checked here, at the call, not when the block is entered
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return _evaluating(model)


@contextmanager
def _evaluating(model):
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        yield model
    finally:
        for module, training in modes:
            module.training = training


@torch.no_grad()
def generate_ids(model, prefix_ids, steps, rng=None, temperature=1.0, top_k=None, stop_id=None):
    """Read `prefix_ids` (at least one id), then generate up to `steps` ids; stops after `stop_id`.

    model: a language model, ids (T, N) -> logits (T, N, V) and a state. prefix_ids: (T0,) ints. Returns a
    list of at most `steps` ids, each chosen by `sample_next(logits, rng, temperature, top_k)` and fed back
    in as the next input (one-to-many), the state carried along: greedy when rng is None or temperature == 0.
    Runs in evaluation mode (no dropout) and leaves the model in the mode it was in.
    """
    check_module("model", model)
    V = vocab_size_of(model)
    check_positive_int("steps", steps)
    prefix = check_int_array("prefix_ids", prefix_ids, ndim=1, vocab_size=V)
    if prefix.size == 0:
        raise ValueError("prefix_ids needs at least one id to start from (e.g. the id of <bos>)")
    check_rng(rng, allow_none=True)
    check_number("temperature", temperature, "at least 0 (0 means greedy)", lambda t: 0 <= t < math.inf)
    if top_k is not None:
        check_positive_int("top_k", top_k, maximum=V)  # more than V tokens to keep is a mistake
    if stop_id is not None:
        check_positive_int("stop_id", stop_id, minimum=0, maximum=None if V is None else V - 1)
    device = next(model.parameters()).device
    out = []
    with evaluating(model):
        logits, state = model(torch.as_tensor(prefix, device=device)[:, None])  # (T0, 1) time-major
        for _ in range(steps):
            token = sample_next(logits[-1, 0].cpu().numpy(), rng, temperature, top_k)
            out.append(token)
            if token == stop_id:
                break
            logits, state = model(torch.tensor([[token]], device=device), state)
    return out


def check_device(device):
    """None (CUDA when available, else the CPU), "cpu", "cuda" or a torch.device -> a torch.device that exists here."""
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not isinstance(device, str | torch.device):  # torch.device(0) would quietly mean cuda:0
        raise TypeError(f"device must be None, 'cpu', 'cuda' or a torch.device, got {type(device).__name__} "
                        f"{device!r}")
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as e:
        raise ValueError(f"device must be None, 'cpu', 'cuda' or a torch.device, got {device!r} ({e})") from e
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device is {device}, but torch sees no CUDA GPU here; use device=None or 'cpu'")
    return device
