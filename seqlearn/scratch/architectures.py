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

from seqlearn.checks import check_int_array, check_positive_int, check_rng, check_upstream
from seqlearn.one_hot import one_hot
from seqlearn.sampling import sample_next
from seqlearn.scratch.output import affine_backward, affine_forward, softmax_cross_entropy
from seqlearn.scratch.rnn import init_rnn_params, rnn_backward, rnn_forward, rnn_step_forward

RNN_KEYS = ("W_xh", "W_hh", "b_h")


def init_model_params(D, H, O, rng, dtype=np.float64):
    """RNN parameters plus an output layer, uniform in [-1/sqrt(H), 1/sqrt(H)]."""
    params = init_rnn_params(D, H, rng, dtype=dtype)
    k = 1 / np.sqrt(H)
    params["W_hy"] = rng.uniform(-k, k, (O, H)).astype(dtype)
    params["b_y"] = rng.uniform(-k, k, O).astype(dtype)
    return params


def _rnn_part(params):
    for name in ("W_hy", "b_y"):
        if name not in params:
            raise ValueError(f"params is missing {name!r} (the output layer); it has {sorted(params)}")
    return {k: v for k, v in params.items() if k in RNN_KEYS}


class ModelCache(NamedTuple):
    rnn: object  # the RNN layer's cache
    output: object  # the output layer's cache
    shape: tuple  # (T, N, H), the shape of the hidden states


def many_to_many_forward(x, state0, params, nonlinearity="tanh", truncate=None):
    """x (T, N, D), state0 h0 (N, H) or None -> logits (T, N, O) (one per step), h_n (N, H), cache.

    truncate=k: truncated BPTT, as `rnn_forward`.
    """
    h, h_n, rnn_cache = rnn_forward(x, state0, _rnn_part(params), nonlinearity, truncate)
    logits, out_cache = affine_forward(h, params["W_hy"], params["b_y"])
    return logits, h_n, ModelCache(rnn_cache, out_cache, h.shape)


def many_to_many_backward(dlogits, cache, dstate_n=None):
    """dlogits (T, N, O), dstate_n (N, H) or None -> dx (T, N, D), dh0 (N, H), grads."""
    dh, dW_hy, db_y = affine_backward(dlogits, cache.output)
    dx, dh0, grads = rnn_backward(dh, cache.rnn, dstate_n)
    return dx, dh0, grads | {"W_hy": dW_hy, "b_y": db_y}


def many_to_many_loss(x, targets, params, h0=None, reduction="sum", mask=None, nonlinearity="tanh",
                      truncate=None):
    """x (T, N, D), targets (T, N) ids -> loss, grads, h_n (N, H) to carry into the next batch."""
    logits, h_n, cache = many_to_many_forward(x, h0, params, nonlinearity, truncate)
    loss, dlogits = softmax_cross_entropy(logits, targets, reduction, mask)
    _, _, grads = many_to_many_backward(dlogits, cache)
    return loss, grads, h_n


def many_to_one_forward(x, state0, params, nonlinearity="tanh"):
    """x (T, N, D), state0 h0 (N, H) or None -> logits (N, O) from the last state only, h_n (N, H), cache."""
    h, h_n, rnn_cache = rnn_forward(x, state0, _rnn_part(params), nonlinearity)
    logits, out_cache = affine_forward(h_n, params["W_hy"], params["b_y"])
    return logits, h_n, ModelCache(rnn_cache, out_cache, h.shape)


def many_to_one_backward(dlogits, cache, dstate_n=None):
    """dlogits (N, O), dstate_n (N, H) or None -> dx (T, N, D), dh0 (N, H), grads.

    Only the last state feeds the output, so the loss reaches the earlier states only through the
    recurrence: its gradient enters as one on the final state.
    """
    dh_n, dW_hy, db_y = affine_backward(dlogits, cache.output)
    dh_n = dh_n + check_upstream("dstate_n", dstate_n, dh_n.shape, "(N, H)", dh_n.dtype)
    dx, dh0, grads = rnn_backward(np.zeros(cache.shape, dh_n.dtype), cache.rnn, dh_n)
    return dx, dh0, grads | {"W_hy": dW_hy, "b_y": db_y}


def many_to_one_loss(x, targets, params, h0=None, reduction="mean", nonlinearity="tanh"):
    """x (T, N, D), targets (N,) class ids -> loss, grads."""
    logits, _, cache = many_to_one_forward(x, h0, params, nonlinearity)
    loss, dlogits = softmax_cross_entropy(logits, targets, reduction)
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
    targets = check_int_array("targets", targets, ndim=2)
    if ((targets < 0) | (targets >= C)).any():
        raise ValueError(f"targets must be class ids in [0, {C - 1}]; id {C} is <bos>, the decoder's start "
                         f"input, never a target; got values from {targets.min()} to {targets.max()}")
    bos = np.full((1, targets.shape[1]), C)
    return one_hot(np.concatenate([bos, targets[:-1]]), C + 1, dtype=dtype)


def _decoder_classes(decoder):
    """C, the decoder's number of output classes; its W_xh must read C + 1 inputs (the classes and <bos>)."""
    _rnn_part(decoder)
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
    _, h_enc, enc_cache = rnn_forward(x, None, encoder)
    logits, h_n, dec_cache = many_to_many_forward(decoder_inputs, h_enc, decoder)
    return logits, h_n, EncoderDecoderCache(enc_cache, dec_cache)


def encoder_decoder_backward(dlogits, cache):
    """dlogits (T_y, N, O) -> dx (T_x, N, D), ddecoder_inputs (T_y, N, D_y), encoder_grads, decoder_grads."""
    ddecoder_inputs, dh0, dec_grads = many_to_many_backward(dlogits, cache.decoder)
    # The decoder's dh0 is the only gradient that reaches the encoder, on its final state.
    dx, _, enc_grads = rnn_backward(np.zeros(cache.encoder.shape, dh0.dtype), cache.encoder, dh0)
    return dx, ddecoder_inputs, enc_grads, dec_grads


def encoder_decoder_loss(x, targets, encoder, decoder, reduction="sum"):
    """Many-to-many with T_x != T_y, trained by teacher forcing: targets (T_y, N) ids in [0, C).

    The decoder (W_xh of shape (H, C + 1)) reads <bos>, then the previous target. Returns loss,
    encoder_grads, decoder_grads.
    """
    inputs = teacher_forcing_inputs(targets, _decoder_classes(decoder), decoder["W_xh"].dtype)
    logits, _, cache = encoder_decoder_forward(x, inputs, encoder, decoder)
    loss, dlogits = softmax_cross_entropy(logits, targets, reduction)
    _, _, enc_grads, dec_grads = encoder_decoder_backward(dlogits, cache)
    return loss, enc_grads, dec_grads


def encoder_decoder_generate(x, encoder, decoder, steps):
    """Greedy decoding: x (T_x, N, D) -> ids (steps, N). The decoder reads <bos>, then its own last prediction."""
    check_positive_int("steps", steps)
    C = _decoder_classes(decoder)
    _, h, _ = rnn_forward(x, None, encoder)
    current = np.full(x.shape[1], C)  # <bos>
    out = []
    for _ in range(steps):
        h, _, _ = rnn_step_forward(one_hot(current, C + 1, dtype=x.dtype), h, _rnn_part(decoder))
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
    rnn_params = _rnn_part(params)
    V = params["W_xh"].shape[1]
    if params["W_hy"].shape[0] != V:
        raise ValueError(f"generation feeds outputs back as inputs, so O must equal D; got O="
                         f"{params['W_hy'].shape[0]}, D={V}")
    current = int(check_int_array("start_id", start_id, ndim=0))
    if not 0 <= current < V:
        raise ValueError(f"start_id must be in [0, {V - 1}], got {current}")
    check_rng(rng, allow_none=True)
    if greedy not in (None, True, False):
        raise TypeError(f"greedy must be True, False or None, got {greedy!r}")
    if greedy is None:
        greedy = rng is None
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
