"""Sequence to sequence in PyTorch, with or without attention: the twin of `seqlearn.scratch.seq2seq` (chapter 10).

Time-major ids, V_src and V_tgt the vocabulary sizes, H the hidden size:

    h   = GRU_enc(one_hot(src))                 (T_x, N, H), from zeros, over the padded batch
    s0  = h[src_lengths[j] - 1, j]              (N, H): each example's state after its own last real token
    s   = GRU_dec(one_hot(decoder_inputs), s0)  (T_y, N, H)
    without attention:  logits = W_y s + b_y                                    (T_y, N, V_tgt)
    with attention:     a = softmax over the real keys of score(s_t, h_s)     weights (T_y, N, T_x)
                        c = sum_s a_s h_s;  o = tanh(W_c [s; c] + b_c);  logits = W_y o + b_y

Luong et al. (2015)'s global attention on every decoder state, no input feeding; the four scores of
`seqlearn.scratch.attention` (dot, scaled_dot, general, additive), padded keys set to -inf before the softmax.
The parameters carry the NumPy model's flat names: `encoder.*` and `decoder.*` are nn.GRU layers (converted
with `seqlearn.convert`), `attention.W_a` or `attention.W_q, W_k, b_a, v_a`, and `W_c`, `W_y` nn.Linear layers
(weight (H, 2H) is the NumPy W_c, bias b_c). `seq2seq_params_to_torch` and `seq2seq_params_from_torch` convert
(they live in `seqlearn.convert`, with the layer converters, and are importable from here too).

Beside the model: `teacher_forcing` (the decoder's inputs <bos> t_1..t_L and what it must predict t_1..t_L <eos>),
`sequence_loss` (the mean cross-entropy over the real predicted tokens) and `greedy_decode` (the argmax fed back,
one step of the decoder GRU at a time, for a whole batch).
"""

import math
from typing import NamedTuple

import torch
from torch import nn
from torch.nn import functional as F

from seqlearn.checks import check_choice, check_positive_int
from seqlearn.convert import seq2seq_grads_from_torch, seq2seq_params_from_torch, seq2seq_params_to_torch  # noqa: F401
from seqlearn.models import check_lengths, check_tensor, evaluating
from seqlearn.scratch.attention import ATTENTION_SCORES


class Attention(nn.Module):
    """One score's parameters, drawn like `init_attention_params` (uniform in ±1/sqrt(fan_in), b_a zeros), and
    the attention itself: queries (T_q, N, H), keys (T_k, N, H), mask (T_k, N) -> context (T_q, N, H), weights
    (T_q, N, T_k)."""

    def __init__(self, hidden_size, score):
        super().__init__()
        self.score, H = check_choice("score", score, ATTENTION_SCORES), check_positive_int("hidden_size", hidden_size)
        self.hidden_size = H
        if score == "general":
            self.W_a = nn.Parameter(torch.empty(H, H).uniform_(-1, 1) / math.sqrt(H))
        if score == "additive":  # A = H, as init_attention_params's default
            self.W_q = nn.Parameter(torch.empty(H, H).uniform_(-1, 1) / math.sqrt(H))
            self.W_k = nn.Parameter(torch.empty(H, H).uniform_(-1, 1) / math.sqrt(H))
            self.b_a = nn.Parameter(torch.zeros(H))
            self.v_a = nn.Parameter(torch.empty(H).uniform_(-1, 1) / math.sqrt(H))

    def forward(self, queries, keys, mask):
        dtype = next((p.dtype for p in self.parameters()), "float")  # the weights' (dot scores have none)
        N = check_tensor("queries", queries, "(T_q, N, H)", dtype, (None, None, self.hidden_size)).shape[1]
        check_tensor("keys", keys, "(T_k, N, H)", queries.dtype, (None, N, self.hidden_size))
        if not check_tensor("mask", mask, "(T_k, N)", torch.bool, keys.shape[:2]).any(dim=0).all():
            raise ValueError("mask must be True for at least one key of every example: a softmax over no key is NaN")
        q, k = queries.transpose(0, 1), keys.transpose(0, 1)  # batch-first for the matrix products: (N, T, H)
        if self.score == "additive":
            e = torch.tanh((q @ self.W_q.T)[:, :, None] + (k @ self.W_k.T)[:, None] + self.b_a) @ self.v_a
        else:
            e = q @ (k @ self.W_a.T if self.score == "general" else k).transpose(1, 2)  # (N, T_q, T_k)
            if self.score == "scaled_dot":
                e = e / math.sqrt(keys.shape[2])
        e = e.masked_fill(~mask.T[:, None, :], float("-inf"))  # a padded key: exp(-inf) = 0, exactly
        weights = torch.softmax(e, dim=-1)
        return (weights @ k).transpose(0, 1), weights.transpose(0, 1)


class Seq2Seq(nn.Module):
    """`Seq2Seq(src_vocab_size, tgt_vocab_size, hidden_size, attention=None)`; attention: None or a score of
    ATTENTION_SCORES. forward(src (T_x, N), src_lengths (N,), decoder_inputs (T_y, N)) -> logits
    (T_y, N, V_tgt), weights (T_y, N, T_x) or None. `encode` and `decode` are its two halves, for decoding."""

    def __init__(self, src_vocab_size, tgt_vocab_size, hidden_size, attention=None):
        super().__init__()
        for name, value in (("src_vocab_size", src_vocab_size), ("tgt_vocab_size", tgt_vocab_size),
                            ("hidden_size", hidden_size)):
            check_positive_int(name, value)
        check_choice("attention", attention, (None, *ATTENTION_SCORES))
        self.config = dict(src_vocab_size=src_vocab_size, tgt_vocab_size=tgt_vocab_size, hidden_size=hidden_size,
                           attention=attention)
        H = hidden_size
        self.encoder, self.decoder = nn.GRU(src_vocab_size, H), nn.GRU(tgt_vocab_size, H)
        self.attention = None if attention is None else Attention(H, attention)
        self.W_c = None if attention is None else nn.Linear(2 * H, H)
        self.W_y = nn.Linear(H, tgt_vocab_size)

    def encode(self, src, src_lengths):
        """src (T_x, N), src_lengths (N,) -> keys h (T_x, N, H), mask (T_x, N) bool, s0 (1, N, H)."""
        T_x, N = self._ids("src", src).shape
        check_lengths("src_lengths", src_lengths, N, 1, T_x)
        # The padded batch runs through whole; a unidirectional state at step t has read steps 1..t only, so
        # the padding after an example changes neither its s0 nor (masked) its keys.
        h, _ = self.encoder(F.one_hot(src, self.config["src_vocab_size"]).to(self.W_y.weight.dtype))
        mask = torch.arange(T_x, device=src.device)[:, None] < src_lengths[None, :]
        return h, mask, h[src_lengths - 1, torch.arange(N, device=src.device)][None]

    def decode(self, decoder_inputs, keys, mask, state):
        """decoder_inputs (T_y, N), keys (T_x, N, H), mask (T_x, N), state (1, N, H) -> logits (T_y, N, V_tgt),
        weights (T_y, N, T_x) or None, the decoder's last state (1, N, H)."""
        N = self._ids("decoder_inputs", decoder_inputs).shape[1]  # keys and mask: checked by attention
        check_tensor("state", state, "(1, N, H)", self.W_y.weight.dtype, (1, N, self.W_y.in_features))
        x = F.one_hot(decoder_inputs, self.config["tgt_vocab_size"]).to(self.W_y.weight.dtype)
        s, state = self.decoder(x, state)
        if self.attention is None:
            return self.W_y(s), None, state
        context, weights = self.attention(s, keys, mask)
        return self.W_y(torch.tanh(self.W_c(torch.cat([s, context], dim=-1)))), weights, state

    def forward(self, src, src_lengths, decoder_inputs):
        """src (T_x, N), src_lengths (N,) in [1, T_x], decoder_inputs (T_y, N), all int64 -> logits, weights."""
        if self._ids("decoder_inputs", decoder_inputs).shape[1] != self._ids("src", src).shape[1]:
            raise ValueError(f"src (T_x, N) and decoder_inputs (T_y, N) need the same N, got {tuple(src.shape)} "
                             f"and {tuple(decoder_inputs.shape)}")
        keys, mask, s0 = self.encode(src, src_lengths)
        logits, weights, _ = self.decode(decoder_inputs, keys, mask, s0)
        return logits, weights

    def _ids(self, name, ids):  # src (T_x, N) in the source vocabulary, decoder_inputs (T_y, N) in the target one
        V, dims = (self.config["src_vocab_size"], "(T_x, N)") if name == "src" else (self.config["tgt_vocab_size"],
                                                                                      "(T_y, N)")
        return check_tensor(name, ids, dims, torch.int64, (None, None), 0, V - 1)


def teacher_forcing(targets, target_lengths, bos_id, eos_id, pad_id):
    """targets (L, N) int64 (example j's is targets[:L_j, j]), target_lengths (N,) in [0, L] -> decoder_inputs,
    predicted (T_y, N) int64 and mask (T_y, N) bool, T_y = max(L_j) + 1: the decoder reads <bos> t_1..t_L and
    must predict t_1..t_L <eos>, both padded with pad_id, mask True on the first L_j + 1 steps (the real ones)."""
    L, N = check_tensor("targets", targets, "(L, N)", torch.int64, (None, None)).shape
    check_lengths("target_lengths", target_lengths, N, 0, L)
    for name, value in (("bos_id", bos_id), ("eos_id", eos_id), ("pad_id", pad_id)):
        check_positive_int(name, value, minimum=0)
    given = targets[torch.arange(L, device=targets.device)[:, None] < target_lengths]  # padding may hold anything
    if (given < 0).any():
        raise ValueError(f"targets must be ids >= 0 in each example's first target_lengths steps, got {given.min()}")
    T_y = int(target_lengths.max()) + 1
    steps = torch.arange(T_y, device=targets.device)[:, None]  # (T_y, 1)
    real = targets[:T_y - 1].masked_fill(steps[:-1] >= target_lengths, pad_id)  # t_1..t_L, padding after
    pad_row = torch.full((1, N), pad_id, dtype=torch.int64, device=targets.device)
    predicted = torch.cat([real, pad_row]).masked_fill(steps == target_lengths, eos_id)
    decoder_inputs = torch.cat([torch.full_like(pad_row, bos_id), real])
    return decoder_inputs, predicted, steps <= target_lengths


def sequence_loss(logits, predicted, mask):
    """logits (T_y, N, V), predicted (T_y, N) int64, mask (T_y, N) bool -> the mean of -log p(predicted) over the
    positions where mask is True (a scalar tensor): each real token counts once, padding not at all."""
    T_y, N, V = check_tensor("logits", logits, "(T_y, N, V)", "float", (None, None, None)).shape
    check_tensor("predicted", predicted, "(T_y, N)", torch.int64, (T_y, N))
    if not check_tensor("mask", mask, "(T_y, N)", torch.bool, (T_y, N)).any():
        raise ValueError("mask must be True somewhere: a loss over no token is undefined")
    check_tensor("predicted (where mask is True)", predicted[mask], "(tokens,)", torch.int64, (None,), 0, V - 1)
    if torch.isnan(logits[mask]).any() or (logits[mask] == math.inf).any():  # -inf is a token ruled out: fine
        raise ValueError("logits must not be NaN or +inf where mask is True: the loss would be NaN")
    return F.cross_entropy(logits[mask], predicted[mask])


class Decoded(NamedTuple):
    ids: torch.Tensor  # (max_len, N) int64: the argmax at each step; <eos> from an example's first <eos> on
    lengths: torch.Tensor  # (N,) int64: tokens before the first <eos> (max_len when none came)
    weights: torch.Tensor | None  # (max_len, N, T_x), 0 after an example's first <eos>; None without attention


@torch.no_grad()
def greedy_decode(model, src, src_lengths, bos_id, eos_id, max_len):
    """Decode a batch greedily: src (T_x, N), src_lengths (N,) -> Decoded(ids, lengths, weights) (see Decoded).

    The decoder reads <bos>, then its own argmax of the step before, one step of its nn.GRU at a time, the state
    carried; an example that has written <eos> is finished and keeps <eos>; the loop stops when every example is
    finished or after max_len steps. Example j's output is ids[:lengths[j], j]. Evaluation mode, no gradients.
    """
    if not isinstance(model, Seq2Seq):
        raise TypeError(f"model must be a Seq2Seq, got {type(model).__name__}")
    V = model.config["tgt_vocab_size"]
    for name, value in (("bos_id", bos_id), ("eos_id", eos_id)):
        if check_positive_int(name, value, minimum=0) >= V:
            raise ValueError(f"{name} must be a target id in [0, {V - 1}], got {value}")
    check_positive_int("max_len", max_len)
    with evaluating(model):
        keys, mask, state = model.encode(src, src_lengths)
        N = src.shape[1]
        ids = torch.full((max_len, N), eos_id, dtype=torch.int64, device=src.device)
        weights = None if model.attention is None else keys.new_zeros((max_len, N, src.shape[0]))
        token = torch.full((1, N), bos_id, dtype=torch.int64, device=src.device)
        done = torch.zeros(N, dtype=torch.bool, device=src.device)
        lengths = torch.full((N,), max_len, dtype=torch.int64, device=src.device)
        for t in range(max_len):
            logits, w, state = model.decode(token, keys, mask, state)
            token = logits.argmax(dim=-1).masked_fill(done, eos_id)  # (1, N): what each example feeds back
            ids[t] = token[0]
            if w is not None:
                weights[t] = w[0].masked_fill(done[:, None], 0.0)
            lengths[~done & (token[0] == eos_id)] = t
            done |= token[0] == eos_id
            if done.all():
                break
    return Decoded(ids, lengths, weights)
