"""The four architectures, built from `rnn`, `output` and the loss; nothing here is new maths.

A model's params: the RNN's `W_xh (H, D)`, `W_hh (H, H)`, `b_h (H,)` and the output layer's `W_hy (O, H)`,
`b_y (O,)`. Each trainable architecture follows the layers' contract with the logits as its output:
`*_forward(x, state0, params, ...)` returns (logits, h_n, cache), and `*_backward(dlogits, cache)` returns
(dx, dh0, grads) with gradients named like the params; `*_loss` chains forward, softmax cross-entropy and
backward, and returns the loss and `grads`.

- many-to-many, equal lengths (`many_to_many_*`): a prediction at every step (tagging, language models);
- many-to-one (`many_to_one_*`): one prediction from the last hidden state (classifying a sequence);
- many-to-many, unequal lengths (`encoder_decoder_*`): an encoder RNN reads x, its last state starts a
  decoder RNN. The decoder's inputs are one-hot over the C output classes plus `<bos>` (id C, which no target
  can be): it reads `<bos>` first, then the previous target (teacher forcing, `teacher_forcing_inputs`) when
  trained, or its own previous prediction when it writes (`encoder_decoder_generate`);
- one-to-many (`generate`): one start token, then each prediction is fed back as the next input.
"""

from typing import NamedTuple

import numpy as np

from seqlearn.checks import (
    check_finite,
    check_flag,
    check_float_dtype,
    check_int_array,
    check_mask,
    check_positive_int,
    check_rng,
    check_shape,
    check_upstream,
)
from seqlearn.one_hot import one_hot
from seqlearn.sampling import sample_next
from seqlearn.scratch.model_checks import (
    check_dlogits,
    check_encoder_decoder,
    check_model_inputs,
    check_model_params,
    finite_cross_entropy,
)
from seqlearn.scratch.output import affine_backward, affine_forward
from seqlearn.scratch.rnn import init_rnn_params, rnn_backward, rnn_forward, rnn_step_forward
from seqlearn.scratch.steps import check_cache


def init_model_params(D, H, O, rng, dtype=np.float64):
    """RNN parameters plus an output layer, uniform in [-1/sqrt(H), 1/sqrt(H)]."""
    check_positive_int("O", O)
    params = init_rnn_params(D, H, rng, dtype=dtype)  # checks D, H, rng and dtype before drawing
    k = 1 / np.sqrt(H)
    params["W_hy"] = rng.uniform(-k, k, (O, H)).astype(dtype)
    params["b_y"] = rng.uniform(-k, k, O).astype(dtype)
    return params


class ModelCache(NamedTuple):
    rnn: object  # the RNN layer's cache
    output: object  # the output layer's cache
    shape: tuple  # (T, N, H), the shape of the hidden states


def many_to_many_forward(x, state0, params, nonlinearity="tanh", truncate=None):
    """x (T, N, D), state0 h0 (N, H) or None -> logits (T, N, O) (one per step), h_n (N, H), cache.

    truncate=k: truncated BPTT, as `rnn_forward`.
    """
    h, h_n, rnn_cache = rnn_forward(x, state0, check_model_inputs(x, state0, "state0", params), nonlinearity, truncate)
    logits, out_cache = affine_forward(h, params["W_hy"], params["b_y"])
    return logits, h_n, ModelCache(rnn_cache, out_cache, h.shape)


def many_to_many_backward(dlogits, cache, dstate_n=None):
    """dlogits (T, N, O), dstate_n (N, H) or None -> dx (T, N, D), dh0 (N, H), grads."""
    T, N, _ = check_cache(cache, "many_to_many_forward", ModelCache).shape
    dlogits = check_dlogits(dlogits, (T, N, cache.output.W.shape[0]), "(T, N, O)", cache.output.h.dtype)
    dh, dW_hy, db_y = affine_backward(dlogits, cache.output)
    dx, dh0, grads = rnn_backward(dh, cache.rnn, dstate_n)
    return dx, dh0, grads | {"W_hy": dW_hy, "b_y": db_y}


def many_to_many_loss(x, targets, params, h0=None, reduction="sum", mask=None, nonlinearity="tanh",
                      truncate=None):
    """x (T, N, D), targets (T, N) ids -> loss, grads, h_n (N, H) to carry into the next batch."""
    check_model_inputs(x, h0, "h0", params)
    check_finite("x", x)  # a loss turns x into a verdict: NaN and inf are refused, not propagated
    targets = check_shape("targets", check_int_array("targets", targets, 2, len(params["b_y"])), x.shape[:2], "(T, N)")
    if mask is not None:  # a loss over zero tokens is undefined: at least one True
        check_mask("mask", mask, targets.shape, "(T, N)", per_example=False)
    logits, h_n, cache = many_to_many_forward(x, h0, params, nonlinearity, truncate)
    loss, dlogits = finite_cross_entropy(logits, targets, reduction, mask)
    _, _, grads = many_to_many_backward(dlogits, cache)
    return loss, grads, h_n


def many_to_one_forward(x, state0, params, nonlinearity="tanh"):
    """x (T, N, D), state0 h0 (N, H) or None -> logits (N, O) from the last state only, h_n (N, H), cache."""
    h, h_n, rnn_cache = rnn_forward(x, state0, check_model_inputs(x, state0, "state0", params), nonlinearity)
    logits, out_cache = affine_forward(h_n, params["W_hy"], params["b_y"])
    return logits, h_n, ModelCache(rnn_cache, out_cache, h.shape)


def many_to_one_backward(dlogits, cache, dstate_n=None):
    """dlogits (N, O), dstate_n (N, H) or None -> dx (T, N, D), dh0 (N, H), grads.

    Only the last state feeds the output, so the loss reaches the earlier states only through the
    recurrence: its gradient enters as one on the final state.
    """
    N = check_cache(cache, "many_to_one_forward", ModelCache).shape[1]
    dlogits = check_dlogits(dlogits, (N, cache.output.W.shape[0]), "(N, O)", cache.output.h.dtype)
    dh_n, dW_hy, db_y = affine_backward(dlogits, cache.output)
    dh_n = dh_n + check_upstream("dstate_n", dstate_n, dh_n.shape, "(N, H)", dh_n.dtype)
    dx, dh0, grads = rnn_backward(np.zeros(cache.shape, dh_n.dtype), cache.rnn, dh_n)
    return dx, dh0, grads | {"W_hy": dW_hy, "b_y": db_y}


def many_to_one_loss(x, targets, params, h0=None, reduction="mean", nonlinearity="tanh"):
    """x (T, N, D), targets (N,) class ids -> loss, grads."""
    check_model_inputs(x, h0, "h0", params)
    check_finite("x", x)  # a loss turns x into a verdict: NaN and inf are refused, not propagated
    targets = check_shape("targets", check_int_array("targets", targets, 1, len(params["b_y"])), x.shape[1:2], "(N,)")
    logits, _, cache = many_to_one_forward(x, h0, params, nonlinearity)
    loss, dlogits = finite_cross_entropy(logits, targets, reduction)
    return loss, many_to_one_backward(dlogits, cache)[2]


class EncoderDecoderCache(NamedTuple):
    encoder: object  # the encoder RNN's cache
    decoder: ModelCache


def teacher_forcing_inputs(targets, num_classes, dtype=np.float64):
    """targets (T_y, N) class ids in [0, C) -> the decoder's inputs (T_y, N, C + 1), one-hot.

    The decoder's input vocabulary is the C classes plus `<bos>`, id C: step 1 reads `<bos>`, and step t > 1
    reads target t - 1, the true previous output (teacher forcing). A start input of class 0 instead would
    look exactly like a previous target of class 0.
    """
    C = check_positive_int("num_classes", num_classes)
    dtype = check_float_dtype(dtype)
    targets = check_int_array("targets", targets, ndim=2)
    if 0 in targets.shape:
        raise ValueError(f"targets must hold at least one step and one example (T_y, N >= 1), got {targets.shape}")
    if ((targets < 0) | (targets >= C)).any():
        raise ValueError(f"targets must be class ids in [0, {C - 1}]; id {C} is <bos>, the decoder's start "
                         f"input, never a target; got values from {targets.min()} to {targets.max()}")
    bos = np.full((1, targets.shape[1]), C)
    return one_hot(np.concatenate([bos, targets[:-1]]), C + 1, dtype=dtype)


def _decoder_classes(decoder):
    """C, the decoder's number of output classes; its W_xh must read C + 1 inputs (the classes and <bos>)."""
    check_model_params(decoder, "decoder")
    C, D_dec = decoder["W_hy"].shape[0], decoder["W_xh"].shape[1]
    if D_dec != C + 1:
        raise ValueError(f"the decoder reads its {C} classes and <bos> one-hot, so its W_xh needs C + 1 = {C + 1} "
                         f"columns; got {D_dec}")
    return C


def encoder_decoder_forward(x, decoder_inputs, encoder, decoder):
    """x (T_x, N, D), decoder_inputs (T_y, N, D_y) -> logits (T_y, N, O), the decoder's h_n (N, H), cache.

    `encoder` holds RNN params only; `decoder` holds RNN params plus the output layer. The encoder's final
    state is the decoder's h0: all the decoder knows about x is that one (N, H) state. For the classes-plus-
    <bos> inputs that the loss and the generator use, build decoder_inputs with `teacher_forcing_inputs`.
    """
    check_encoder_decoder(x, encoder, decoder)
    check_model_inputs(decoder_inputs, None, "h0", decoder, "decoder", x_name="decoder_inputs")
    if decoder_inputs.shape[1] != x.shape[1]:
        raise ValueError(f"decoder_inputs (T_y, N, D_y) must have x's N = {x.shape[1]}, got {decoder_inputs.shape}")
    _, h_enc, enc_cache = rnn_forward(x, None, encoder)
    logits, h_n, dec_cache = many_to_many_forward(decoder_inputs, h_enc, decoder)
    return logits, h_n, EncoderDecoderCache(enc_cache, dec_cache)


def encoder_decoder_backward(dlogits, cache):
    """dlogits (T_y, N, O) -> dx (T_x, N, D), ddecoder_inputs (T_y, N, D_y), encoder_grads, decoder_grads."""
    check_cache(cache, "encoder_decoder_forward", EncoderDecoderCache)
    ddecoder_inputs, dh0, dec_grads = many_to_many_backward(dlogits, cache.decoder)
    # The decoder's dh0 is the only gradient that reaches the encoder, on its final state.
    dx, _, enc_grads = rnn_backward(np.zeros(cache.encoder.shape, dh0.dtype), cache.encoder, dh0)
    return dx, ddecoder_inputs, enc_grads, dec_grads


def encoder_decoder_loss(x, targets, encoder, decoder, reduction="sum"):
    """Many-to-many with T_x != T_y, trained by teacher forcing: targets (T_y, N) ids in [0, C).

    The decoder (W_xh of shape (H, C + 1)) reads <bos>, then the previous target. Returns loss,
    encoder_grads, decoder_grads.
    """
    check_encoder_decoder(x, encoder, decoder)
    check_finite("x", x)  # a loss turns x into a verdict: NaN and inf are refused, not propagated
    inputs = teacher_forcing_inputs(targets, _decoder_classes(decoder), decoder["W_xh"].dtype)
    logits, _, cache = encoder_decoder_forward(x, inputs, encoder, decoder)
    loss, dlogits = finite_cross_entropy(logits, targets, reduction, source="x, encoder or decoder")
    _, _, enc_grads, dec_grads = encoder_decoder_backward(dlogits, cache)
    return loss, enc_grads, dec_grads


def encoder_decoder_generate(x, encoder, decoder, steps):
    """Greedy decoding: x (T_x, N, D) -> ids (steps, N). The decoder reads <bos>, then its own last prediction."""
    check_positive_int("steps", steps)
    check_encoder_decoder(x, encoder, decoder)
    C, rnn_params = _decoder_classes(decoder), check_model_params(decoder, "decoder")
    _, h, _ = rnn_forward(x, None, encoder)
    current = np.full(x.shape[1], C)  # <bos>
    out = []
    for _ in range(steps):
        h, _, _ = rnn_step_forward(one_hot(current, C + 1, dtype=x.dtype), h, rnn_params)
        logits, _ = affine_forward(h, decoder["W_hy"], decoder["b_y"])
        current = logits.argmax(axis=-1)  # the prediction is the next step's input
        out.append(current)
    return np.stack(out)


def generate(params, start_id, steps, rng=None, stop_id=None, *, greedy=None):
    """One-to-many: feed `start_id` (one-hot), then feed back each predicted id. Returns the ids generated.

    greedy=True takes the most likely id at every step; greedy=False samples from the softmax with `rng`, a
    np.random.Generator (no global random state). The default, greedy=None, samples when an rng is given
    and is greedy otherwise. Generation stops after `stop_id` (e.g. <eos>) if given, which is included.
    Needs D == O: the vocabulary is both the input and the output.
    """
    check_positive_int("steps", steps)
    rnn_params = check_model_params(params)
    V = params["W_xh"].shape[1]
    if params["W_hy"].shape[0] != V:
        raise ValueError(f"generation feeds outputs back as inputs, so O must equal D; got O="
                         f"{params['W_hy'].shape[0]}, D={V}")
    current = int(check_int_array("start_id", start_id, ndim=0, vocab_size=V))
    if stop_id is not None:  # an id that can never come would never stop the generation
        stop_id = int(check_int_array("stop_id", stop_id, ndim=0, vocab_size=V))
    check_rng(rng, allow_none=True)
    greedy = rng is None if greedy is None else check_flag("greedy", greedy)
    if not greedy and rng is None:
        raise ValueError("greedy=False samples, so it needs rng=np.random.default_rng(seed); got rng=None")
    dtype = params["W_xh"].dtype
    h = np.zeros((1, params["W_hh"].shape[0]), dtype)
    out = []
    for _ in range(steps):
        x = np.zeros((1, V), dtype)
        x[0, current] = 1  # the previous prediction, one-hot, is the next input
        h, _, _ = rnn_step_forward(x, h, rnn_params)
        logits, _ = affine_forward(h, params["W_hy"], params["b_y"])
        current = sample_next(logits[0], None if greedy else rng)  # the course's one sampling rule
        out.append(current)
        if current == stop_id:
            break
    return out
