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
(weight (H, 2H) is the NumPy W_c, bias b_c). `seq2seq_params_to_torch` and `seq2seq_params_from_torch` convert.

Beside the model: `teacher_forcing` (the decoder's inputs <bos> t_1..t_L and what it must predict t_1..t_L <eos>),
`sequence_loss` (the mean cross-entropy over the real predicted tokens) and `greedy_decode` (the argmax fed back,
one step of the decoder GRU at a time, for a whole batch).
"""

import copy
import math
from typing import NamedTuple

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from seqlearn.checks import check_choice, check_float_array, check_positive_int, check_shape
from seqlearn.convert import params_from_torch, params_to_torch
from seqlearn.models import check_ids, evaluating
from seqlearn.scratch.attention import ATTENTION_SCORES


def check_lengths(name, lengths, N, low, high):
    """lengths must be an (N,) int64 tensor with every value in [low, high]; returns it."""
    if not isinstance(lengths, torch.Tensor) or lengths.shape != (N,) or lengths.dtype != torch.int64:
        got = f"shape {tuple(lengths.shape)} and {lengths.dtype}" if isinstance(lengths, torch.Tensor) \
            else type(lengths).__name__
        raise ValueError(f"{name} must be an (N,) = ({N},) int64 tensor, got {got}")
    if lengths.min() < low or lengths.max() > high:
        raise ValueError(f"{name} must be in [{low}, {high}], got values from {int(lengths.min())} to "
                         f"{int(lengths.max())}")
    return lengths


class Attention(nn.Module):
    """One score's parameters, drawn like `init_attention_params` (uniform in ±1/sqrt(fan_in), b_a zeros), and
    the attention itself: queries (T_q, N, H), keys (T_k, N, H), mask (T_k, N) -> context (T_q, N, H), weights
    (T_q, N, T_k)."""

    def __init__(self, hidden_size, score):
        super().__init__()
        self.score, H = check_choice("score", score, ATTENTION_SCORES), hidden_size
        if score == "general":
            self.W_a = nn.Parameter(torch.empty(H, H).uniform_(-1, 1) / math.sqrt(H))
        if score == "additive":  # A = H, as init_attention_params's default
            self.W_q = nn.Parameter(torch.empty(H, H).uniform_(-1, 1) / math.sqrt(H))
            self.W_k = nn.Parameter(torch.empty(H, H).uniform_(-1, 1) / math.sqrt(H))
            self.b_a = nn.Parameter(torch.zeros(H))
            self.v_a = nn.Parameter(torch.empty(H).uniform_(-1, 1) / math.sqrt(H))

    def forward(self, queries, keys, mask):
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
        T_x, N = check_ids(src, self.config["src_vocab_size"]).shape
        check_lengths("src_lengths", src_lengths, N, 1, T_x)
        # The padded batch runs through whole; a unidirectional state at step t has read steps 1..t only, so
        # the padding after an example changes neither its s0 nor (masked) its keys.
        h, _ = self.encoder(F.one_hot(src, self.config["src_vocab_size"]).to(self.W_y.weight.dtype))
        mask = torch.arange(T_x, device=src.device)[:, None] < src_lengths[None, :]
        return h, mask, h[src_lengths - 1, torch.arange(N, device=src.device)][None]

    def decode(self, decoder_inputs, keys, mask, state):
        """decoder_inputs (T_y, N), keys (T_x, N, H), mask (T_x, N), state (1, N, H) -> logits (T_y, N, V_tgt),
        weights (T_y, N, T_x) or None, the decoder's last state (1, N, H)."""
        x = F.one_hot(decoder_inputs, self.config["tgt_vocab_size"]).to(self.W_y.weight.dtype)
        s, state = self.decoder(x, state)
        if self.attention is None:
            return self.W_y(s), None, state
        context, weights = self.attention(s, keys, mask)
        return self.W_y(torch.tanh(self.W_c(torch.cat([s, context], dim=-1)))), weights, state

    def forward(self, src, src_lengths, decoder_inputs):
        """src (T_x, N), src_lengths (N,) in [1, T_x], decoder_inputs (T_y, N), all int64 -> logits, weights."""
        T_y, N = check_ids(decoder_inputs, self.config["tgt_vocab_size"]).shape
        if check_ids(src, self.config["src_vocab_size"]).shape[1] != N:
            raise ValueError(f"src (T_x, N) and decoder_inputs (T_y, N) need the same N, got {tuple(src.shape)} "
                             f"and {(T_y, N)}")
        keys, mask, s0 = self.encode(src, src_lengths)
        logits, weights, _ = self.decode(decoder_inputs, keys, mask, s0)
        return logits, weights


def seq2seq_params_from_torch(model):
    """A Seq2Seq -> the NumPy model's flat dict of copies ("encoder.W_xr", ..., "W_y", "b_y"), model's dtype."""
    params = {f"{part}.{name}": p for part in ("encoder", "decoder")
              for name, p in params_from_torch(getattr(model, part)).items()}
    if model.attention is not None:
        params |= {f"attention.{name}": p.detach().cpu().numpy().copy()
                   for name, p in model.attention.named_parameters()}
    layers = (("W_c", "b_c", model.W_c), ("W_y", "b_y", model.W_y))
    for weight, bias, layer in (layers if model.W_c is not None else layers[1:]):
        params[weight], params[bias] = (p.detach().cpu().numpy().copy() for p in (layer.weight, layer.bias))
    return params


def seq2seq_grads_from_torch(model):
    """After backward: the gradients under the NumPy names. nn.GRU's two biases of r and z add up to the NumPy
    b_r, b_z, so each gets that one's gradient: keep bias_ih's and drop bias_hh's r and z blocks."""
    grads = copy.deepcopy(model)
    for g, p in zip(grads.parameters(), model.parameters(), strict=True):
        g.data = p.grad.detach().clone()
    for gru in (grads.encoder, grads.decoder):
        gru.bias_hh_l0.data[:2 * gru.hidden_size] = 0
    return seq2seq_params_from_torch(grads)


def seq2seq_params_to_torch(params, model):
    """Write the NumPy model's flat dict into `model` (a Seq2Seq) in place and return it; every name and shape
    must match. The model keeps its dtype."""
    expected = {name: tuple(p.shape) for name, p in seq2seq_params_from_torch(model).items()}
    if not isinstance(params, dict) or set(params) != set(expected):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"params must have exactly the keys {sorted(expected)} for this model, got {got}")
    for name, shape in expected.items():
        check_shape(name, check_float_array(name, params[name]), shape)
    for part in ("encoder", "decoder"):
        params_to_torch({name.split(".", 1)[1]: p for name, p in params.items() if name.startswith(f"{part}.")},
                        getattr(model, part))
    targets = {f"attention.{n}": p for n, p in (model.attention.named_parameters() if model.attention else ())}
    targets |= {"W_y": model.W_y.weight, "b_y": model.W_y.bias}
    if model.W_c is not None:
        targets |= {"W_c": model.W_c.weight, "b_c": model.W_c.bias}
    with torch.no_grad():
        for name, p in targets.items():
            p.copy_(torch.from_numpy(np.asarray(params[name])))
    return model


def teacher_forcing(targets, target_lengths, bos_id, eos_id, pad_id):
    """targets (L, N) int64 (example j's is targets[:L_j, j]), target_lengths (N,) in [0, L] -> decoder_inputs,
    predicted (T_y, N) int64 and mask (T_y, N) bool, T_y = max(L_j) + 1: the decoder reads <bos> t_1..t_L and
    must predict t_1..t_L <eos>, both padded with pad_id, mask True on the first L_j + 1 steps (the real ones)."""
    if not isinstance(targets, torch.Tensor) or targets.dim() != 2 or targets.dtype != torch.int64 \
            or 0 in targets.shape:
        got = f"shape {tuple(targets.shape)} and {targets.dtype}" if isinstance(targets, torch.Tensor) \
            else type(targets).__name__
        raise ValueError(f"targets must be an (L, N) int64 tensor with L, N at least 1, got {got}")
    L, N = targets.shape
    check_lengths("target_lengths", target_lengths, N, 0, L)
    for name, value in (("bos_id", bos_id), ("eos_id", eos_id), ("pad_id", pad_id)):
        check_positive_int(name, value, minimum=0)
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
    if not isinstance(logits, torch.Tensor) or logits.dim() != 3:
        raise ValueError(f"logits must be a (T_y, N, V) tensor, got "
                         f"{tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__}")
    for name, t, dtype in (("predicted", predicted, torch.int64), ("mask", mask, torch.bool)):
        if not isinstance(t, torch.Tensor) or t.shape != logits.shape[:2] or t.dtype != dtype:
            got = f"shape {tuple(t.shape)} and {t.dtype}" if isinstance(t, torch.Tensor) else type(t).__name__
            raise ValueError(f"{name} must be a (T_y, N) = {tuple(logits.shape[:2])} {dtype} tensor, got {got}")
    if not mask.any():
        raise ValueError("mask must be True somewhere: a loss over no token is undefined")
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
