"""Sequence to sequence with attention from scratch: a GRU encoder, a GRU decoder and Luong's global attention.

Ids are time-major. The encoder reads the source one-hot, the decoder starts from the encoder's state and reads
the target shifted right (teacher forcing: <bos>, then the true previous token):

    h = GRU_enc(one_hot(src))                    src (T_x, N) ids in [0, V_src)   ->  h (T_x, N, H)
    s0[j] = h[src_lengths[j] - 1, j]             each example's OWN last real step    s0 (N, H)
    s = GRU_dec(one_hot(decoder_inputs), s0)     decoder_inputs (T_y, N)           ->  s (T_y, N, H)

Without attention, logits = s @ W_y.T + b_y (T_y, N, V_tgt). With attention (Luong et al. 2015, "global attention"
on every decoder state, no input feeding), each s_t queries all the encoder states h (`seqlearn.scratch.attention`):

    mask[t', j] = t' < src_lengths[j]                                            (T_x, N) bool
    c, a = attention(queries s, keys h, mask)                                    c (T_y, N, H), a (T_y, N, T_x)
    o = tanh([s; c] @ W_c.T + b_c)               W_c (H, 2H), b_c (H,)           o (T_y, N, H)
    logits = o @ W_y.T + b_y                     W_y (V_tgt, H), b_y (V_tgt,)    logits (T_y, N, V_tgt)

Why s0 is taken at each example's own last step: a batch pads shorter sources up to T_x and the GRU runs over the
padding too, so h[-1] would have read pad ids after the sentence ended, and a sentence's translation would depend
on what it was batched with. With h[length - 1] each example's result is exactly what it would be alone.

Why the padded keys must be masked: attention looks at every encoder state, so without the mask a padded
position would take a share of the weights, and the context would mix in states that belong to no word. The
mask gives them a score of -inf, so exactly zero weight and zero gradient: padding changes nothing.

Parameters: one flat dict with dotted names, listed by `param_shapes`: "encoder.<name>" and "decoder.<name>" for the
GRUs ("pytorch" variant), "attention.<name>" for the score's, "W_c", "b_c" with attention, and "W_y", "b_y".
"""

from typing import NamedTuple

import numpy as np

from seqlearn.checks import check_choice, check_float_array, check_float_dtype, check_int_array, check_positive_int
from seqlearn.one_hot import one_hot
from seqlearn.scratch.attention import (
    ATTENTION_SCORES,
    PARAM_NAMES,
    attention_backward,
    attention_forward,
    init_attention_params,
)
from seqlearn.scratch.gru import BIASES, WEIGHTS, gru_backward, gru_forward, init_gru_params
from seqlearn.scratch.model_checks import check_dlogits, check_ids, finite_cross_entropy
from seqlearn.scratch.output import affine_backward, affine_forward
from seqlearn.scratch.steps import check_cache
from seqlearn.vocab import BOS, EOS, PAD, Vocab

ATTENTION_CHOICES = (None, *ATTENTION_SCORES)
GRU_NAMES = WEIGHTS + BIASES


def param_shapes(V_src, V_tgt, H, attention=None, A=None):
    """Every parameter's name -> its shape, for the chosen attention (A: the additive score's width)."""
    shapes = {}
    for prefix, D in (("encoder", V_src), ("decoder", V_tgt)):
        shapes |= {f"{prefix}.{name}": (H, D) if name[2] == "x" else (H, H) for name in WEIGHTS}
        shapes |= {f"{prefix}.{name}": (H,) for name in BIASES}
    if attention is not None:
        score_shapes = {"W_a": (H, H), "W_q": (A, H), "W_k": (A, H), "b_a": (A,), "v_a": (A,)}
        shapes |= {f"attention.{name}": score_shapes[name] for name in PARAM_NAMES[attention]}
        shapes |= {"W_c": (H, 2 * H), "b_c": (H,)}
    return shapes | {"W_y": (V_tgt, H), "b_y": (V_tgt,)}


def init_seq2seq_params(V_src, V_tgt, H, rng, attention=None, dtype=np.float64):
    """The flat dict of every parameter: the GRUs and the attention by their own inits, W_c, b_c, W_y and b_y
    uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)]."""
    for name, value in (("V_src", V_src), ("V_tgt", V_tgt), ("H", H)):
        check_positive_int(name, value)
    check_choice("attention", attention, ATTENTION_CHOICES)
    dtype = check_float_dtype(dtype)
    params = {f"encoder.{name}": p for name, p in init_gru_params(V_src, H, rng).items()}  # checks rng
    params |= {f"decoder.{name}": p for name, p in init_gru_params(V_tgt, H, rng).items()}
    if attention is not None:
        params |= {f"attention.{name}": p for name, p in init_attention_params(H, H, attention, rng).items()}
        k = 1 / np.sqrt(2 * H)  # W_c reads [s; c], 2H wide
        params["W_c"], params["b_c"] = rng.uniform(-k, k, (H, 2 * H)), rng.uniform(-k, k, H)
    k = 1 / np.sqrt(H)
    params["W_y"], params["b_y"] = rng.uniform(-k, k, (V_tgt, H)), rng.uniform(-k, k, V_tgt)
    return {name: p.astype(dtype) for name, p in params.items()}


def check_seq2seq_params(params, attention):
    """Exactly the names of `param_shapes` for this attention, with their shapes and W_y's float dtype.
    Returns V_src, V_tgt, H."""
    check_choice("attention", attention, ATTENTION_CHOICES)
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    names = set(param_shapes(1, 1, 1, attention, 1))  # only the names: the sizes do not matter here
    missing, unknown = sorted(names - set(params)), sorted(set(params) - names)
    if missing or unknown:
        raise ValueError(f"params for attention={attention!r} is missing {missing} and has unexpected {unknown}")
    V_src = check_float_array("encoder.W_xr", params["encoder.W_xr"], ndim=2, dims="(H, V_src)").shape[1]
    V_tgt, H = check_float_array("W_y", params["W_y"], ndim=2, dims="(V_tgt, H)").shape
    A = check_float_array("attention.v_a", params["attention.v_a"]).shape[0] if attention == "additive" else None
    for name, shape in param_shapes(V_src, V_tgt, H, attention, A).items():
        if check_float_array(name, params[name]).shape != shape:
            raise ValueError(f"{name} must have shape {shape}, got {params[name].shape}")
        if params[name].dtype != params["W_y"].dtype:
            raise TypeError(f"{name} must have W_y's dtype {params['W_y'].dtype}, got {params[name].dtype}")
    return V_src, V_tgt, H


def part(params, prefix, names):
    """The entries "prefix.name" of params under their short names "name", which the layers expect."""
    return {name: params[f"{prefix}.{name}"] for name in names}


def check_lengths(name, lengths, N, low, high, against):
    """lengths (N,) ints in [low, high], one per example of `against`."""
    lengths = check_int_array(name, lengths, ndim=1)
    if N == 0:
        raise ValueError(f"{against} must hold at least one example (N >= 1)")
    if lengths.shape != (N,):
        raise ValueError(f"{name} must have shape (N,) = ({N},) to match {against}, got {lengths.shape}")
    bad = (lengths < low) | (lengths > high)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name} must be in [{low}, {high}], got {lengths[j]} for example {j}")
    return lengths


def check_target_vocab(vocab, V_tgt):
    """The target side's Vocab: it has <pad>, <bos> and <eos>, and one id per row of W_y (V_tgt None: any)."""
    if not isinstance(vocab, Vocab):
        raise TypeError(f"vocab must be a seqlearn.vocab.Vocab of the target side, got {type(vocab).__name__}")
    missing = [token for token in (PAD, BOS, EOS) if token not in vocab]
    if missing:
        raise ValueError(f"vocab (the target side's) must contain '<pad>', '<bos>' and '<eos>'; it lacks {missing}")
    if V_tgt is not None and len(vocab) != V_tgt:
        raise ValueError(f"len(vocab) must equal V_tgt = {V_tgt} (the rows of W_y), got {len(vocab)}")


def encoder_forward(src, src_lengths, params):
    """src (T_x, N) ids, src_lengths (N,) in [1, T_x] -> h (T_x, N, H), s0 (N, H), mask (T_x, N) bool, and the
    encoder GRU's cache. Reads only the "encoder." params, which must be there."""
    encoder = part(params, "encoder", GRU_NAMES)
    V_src = check_float_array("encoder.W_xr", encoder["W_xr"], ndim=2, dims="(H, V_src)").shape[1]
    src = check_ids("src", src, V_src, ndim=2)
    T_x, N = src.shape
    src_lengths = check_lengths("src_lengths", src_lengths, N, 1, T_x, f"src (T_x, N) = {src.shape}")
    h, _, cache = gru_forward(one_hot(src, V_src, dtype=encoder["W_xr"].dtype), None, encoder)
    s0 = h[src_lengths - 1, np.arange(N)]  # each example's own last real step, not h[-1]
    mask = np.arange(T_x)[:, None] < src_lengths[None, :]  # True at the real source positions
    return h, s0, mask, cache


class OutputCache(NamedTuple):
    attention: object  # the attention's cache, or None without attention
    combine: object  # the affine cache of [s; c] -> W_c, or None
    o: object  # tanh of it (T_y, N, H), or None
    readout: object  # the affine cache of W_y


def output_forward(s, h, mask, params, attention=None):
    """Everything above the decoder states: s (T_y, N, H), h (T_x, N, H), mask (T_x, N) -> logits (T_y, N, V_tgt),
    weights (T_y, N, T_x) or None, cache. `seqlearn.scratch.decoding` runs it on one step, s[None]."""
    if attention is None:
        logits, readout = affine_forward(s, params["W_y"], params["b_y"])
        return logits, None, OutputCache(None, None, None, readout)
    score_params = part(params, "attention", PARAM_NAMES[attention])
    context, weights, attention_cache = attention_forward(s, h, mask, score_params, attention)
    pre, combine = affine_forward(np.concatenate([s, context], axis=-1), params["W_c"], params["b_c"])
    o = np.tanh(pre)
    logits, readout = affine_forward(o, params["W_y"], params["b_y"])
    return logits, weights, OutputCache(attention_cache, combine, o, readout)


class Seq2SeqCache(NamedTuple):
    encoder: object  # the encoder GRU's cache
    decoder: object  # the decoder GRU's cache
    output: OutputCache
    mask: np.ndarray  # (T_x, N), True at the real source positions
    shape: tuple  # (T_y, N, V_tgt), the logits' shape


def seq2seq_forward(src, src_lengths, decoder_inputs, params, attention=None):
    """src (T_x, N) ids, src_lengths (N,), decoder_inputs (T_y, N) ids -> logits (T_y, N, V_tgt),
    weights (T_y, N, T_x) or None without attention, cache."""
    _, V_tgt, _ = check_seq2seq_params(params, attention)
    h, s0, mask, encoder_cache = encoder_forward(src, src_lengths, params)
    decoder_inputs = check_ids("decoder_inputs", decoder_inputs, V_tgt, ndim=2)
    if decoder_inputs.shape[1] != h.shape[1]:
        raise ValueError(f"mismatched source/target batch sizes: src has N = {h.shape[1]}, decoder_inputs "
                         f"(T_y, N) has N = {decoder_inputs.shape[1]}")
    y = one_hot(decoder_inputs, V_tgt, dtype=h.dtype)
    s, _, decoder_cache = gru_forward(y, s0, part(params, "decoder", GRU_NAMES))
    logits, weights, output_cache = output_forward(s, h, mask, params, attention)
    return logits, weights, Seq2SeqCache(encoder_cache, decoder_cache, output_cache, mask, logits.shape)


def seq2seq_backward(dlogits, cache):
    """dlogits (T_y, N, V_tgt) -> grads, named like params."""
    check_cache(cache, "seq2seq_forward", Seq2SeqCache)
    dlogits = check_dlogits(dlogits, cache.shape, "(T_y, N, V_tgt)", cache.encoder.dtype)
    out, grads = cache.output, {}
    ds, grads["W_y"], grads["b_y"] = affine_backward(dlogits, out.readout)
    dh = np.zeros(cache.encoder.shape, dlogits.dtype)  # the encoder states' gradient
    if out.attention is not None:
        dsc, grads["W_c"], grads["b_c"] = affine_backward(ds * (1 - out.o ** 2), out.combine)  # through tanh
        H = dsc.shape[-1] // 2
        dqueries, dh, score_grads = attention_backward(dsc[..., H:], out.attention)  # [s; c]: c is the 2nd half
        ds = dsc[..., :H] + dqueries  # s reaches the logits directly and as the query
        grads |= {f"attention.{name}": grad for name, grad in score_grads.items()}
    _, ds0, decoder_grads = gru_backward(ds, cache.decoder)
    dh[cache.mask.sum(axis=0) - 1, np.arange(dh.shape[1])] += ds0  # where s0 came from: each last real step
    _, _, encoder_grads = gru_backward(dh, cache.encoder)
    grads |= {f"encoder.{name}": grad for name, grad in encoder_grads.items()}
    return grads | {f"decoder.{name}": grad for name, grad in decoder_grads.items()}


def decoder_io(targets, target_lengths, vocab):
    """Teacher forcing. targets (L_max, N) ids, target_lengths (N,) in [0, L_max] -> decoder_inputs (T_y, N),
    predicted (T_y, N), mask (T_y, N) bool, with T_y = max(target_lengths) + 1:
        decoder_inputs[:, j] = <bos> t_1 ... t_L  <pad> ...      (reads the previous true token)
        predicted[:, j]      = t_1   ...   t_L <eos> <pad> ...   (must say what comes next, <eos> last)
        mask[:, j]           = True on the first L + 1 positions (the real predictions)"""
    check_target_vocab(vocab, None)
    targets = check_ids("targets", targets, len(vocab), ndim=2, allow_empty=True)  # L_max = 0: <eos> alone
    L_max, N = targets.shape
    lengths = check_lengths("target_lengths", target_lengths, N, 0, L_max, f"targets (L_max, N) = {targets.shape}")
    T_y = int(lengths.max()) + 1
    ids = vocab.token_to_id
    decoder_inputs, predicted = np.full((2, T_y, N), ids[PAD])
    decoder_inputs[0] = ids[BOS]
    for j, L in enumerate(lengths):
        decoder_inputs[1:L + 1, j] = targets[:L, j]
        predicted[:L, j] = targets[:L, j]
        predicted[L, j] = ids[EOS]
    return decoder_inputs, predicted, np.arange(T_y)[:, None] <= lengths[None, :]


def seq2seq_loss(src, src_lengths, targets, target_lengths, params, vocab, attention=None):
    """The mean over the real predicted tokens of -log p (each target's tokens, then <eos>) -> loss, grads.
    src (T_x, N), src_lengths (N,), targets (L_max, N), target_lengths (N,); vocab: the target side's Vocab."""
    _, V_tgt, _ = check_seq2seq_params(params, attention)
    check_target_vocab(vocab, V_tgt)
    decoder_inputs, predicted, mask = decoder_io(targets, target_lengths, vocab)
    logits, _, cache = seq2seq_forward(src, src_lengths, decoder_inputs, params, attention)
    loss, dlogits = finite_cross_entropy(logits, predicted, "mean", mask, source="params")
    return loss, seq2seq_backward(dlogits, cache)
