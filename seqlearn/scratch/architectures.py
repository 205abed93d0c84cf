"""The four architectures, built from `rnn`, `output` and the loss. Each `*_loss` runs forward and backward.

A model's params: the RNN's `W_xh (H, D)`, `W_hh (H, H)`, `b_h (H,)` and the output layer's `W_hy (O, H)`,
`b_y (O,)`. Every `*_loss` returns the loss and `grads`, a dict with the same keys as the params.

- many-to-many, equal lengths (`many_to_many_loss`): a prediction at every step (tagging, language models);
- many-to-one (`many_to_one_loss`): one prediction from the last hidden state (classifying a sequence);
- many-to-many, unequal lengths (`encoder_decoder_loss`): an encoder RNN reads x, its last state starts a
  decoder RNN that is fed the previous target at each step (teacher forcing);
- one-to-many (`generate`): one start token, then each prediction is fed back as the next input.
"""

import numpy as np

from seqlearn.checks import check_int_array, check_positive_int
from seqlearn.scratch.output import affine_backward, affine_forward, softmax, softmax_cross_entropy
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


def _sequence_loss(x, h0, params, targets, reduction, mask, nonlinearity, truncate):
    """Forward and backward of the many-to-many model; returns loss, grads, dx, dh0, h."""
    h, rnn_cache = rnn_forward(x, h0, _rnn_part(params), nonlinearity)
    logits, out_cache = affine_forward(h, params["W_hy"], params["b_y"])
    loss, dlogits = softmax_cross_entropy(logits, targets, reduction, mask)
    dh, dW_hy, db_y = affine_backward(dlogits, out_cache)
    dx, dh0, grads = rnn_backward(dh, rnn_cache, truncate)
    return loss, grads | {"W_hy": dW_hy, "b_y": db_y}, dx, dh0, h


def many_to_many_loss(x, targets, params, h0=None, reduction="sum", mask=None, nonlinearity="tanh",
                      truncate=None):
    """x (T, N, D), targets (T, N) ids -> loss, grads, h_last (N, H) to carry into the next batch."""
    loss, grads, _, _, h = _sequence_loss(x, h0, params, targets, reduction, mask, nonlinearity, truncate)
    return loss, grads, h[-1]


def many_to_one_loss(x, targets, params, h0=None, reduction="mean", nonlinearity="tanh"):
    """x (T, N, D), targets (N,) class ids -> loss, grads. Only the last hidden state is read out."""
    h, rnn_cache = rnn_forward(x, h0, _rnn_part(params), nonlinearity)
    logits, out_cache = affine_forward(h[-1], params["W_hy"], params["b_y"])
    loss, dlogits = softmax_cross_entropy(logits, targets, reduction)
    dh_last, dW_hy, db_y = affine_backward(dlogits, out_cache)
    dh = np.zeros_like(h)
    dh[-1] = dh_last  # the earlier states receive gradient only through the recurrence
    _, _, grads = rnn_backward(dh, rnn_cache)
    return loss, grads | {"W_hy": dW_hy, "b_y": db_y}


def encoder_decoder_loss(x, decoder_inputs, targets, encoder, decoder, reduction="sum"):
    """Many-to-many with T_x != T_y. x (T_x, N, D); decoder_inputs (T_y, N, D_y); targets (T_y, N).

    `encoder` holds RNN params only; `decoder` holds RNN params plus the output layer. The encoder's last
    state is the decoder's h0, so the decoder's dh0 is the gradient that flows back into the encoder.
    Returns loss, encoder_grads, decoder_grads.
    """
    h_enc, enc_cache = rnn_forward(x, None, encoder)
    loss, dec_grads, _, dh0, _ = _sequence_loss(decoder_inputs, h_enc[-1], decoder, targets, reduction, None,
                                                "tanh", None)
    dh_enc = np.zeros_like(h_enc)
    dh_enc[-1] = dh0
    _, _, enc_grads = rnn_backward(dh_enc, enc_cache)
    return loss, enc_grads, dec_grads


def generate(params, start_id, steps, rng=None, stop_id=None):
    """One-to-many: feed `start_id` (one-hot), then feed back each predicted id. Returns the ids generated.

    Greedy (the most likely id) when `rng` is None, sampled from the softmax otherwise. Needs D == O:
    the vocabulary is both the input and the output.
    """
    check_positive_int("steps", steps)
    V = params["W_xh"].shape[1]
    if params["W_hy"].shape[0] != V:
        raise ValueError(f"generation feeds outputs back as inputs, so O must equal D; got O="
                         f"{params['W_hy'].shape[0]}, D={V}")
    current = int(check_int_array("start_id", start_id, ndim=0))
    if not 0 <= current < V:
        raise ValueError(f"start_id must be in [0, {V - 1}], got {current}")
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a np.random.Generator or None, got {type(rng).__name__}")
    dtype = params["W_xh"].dtype
    h = np.zeros((1, params["W_hh"].shape[0]), dtype)
    out = []
    for _ in range(steps):
        x = np.zeros((1, V), dtype)
        x[0, current] = 1
        h, _ = rnn_step_forward(x, h, _rnn_part(params))
        p = softmax(h @ params["W_hy"].T + params["b_y"])[0]
        current = int(p.argmax()) if rng is None else int(rng.choice(V, p=p))
        out.append(current)
        if current == stop_id:
            break
    return out
