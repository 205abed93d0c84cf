"""From-scratch NumPy recurrent networks: forward and backward, checked against PyTorch. NumPy is all it needs.

**The layer contract.** Every recurrent layer (RNN, LSTM, GRU, and the stacked/bidirectional wrapper), and
every step of one, has the same two functions, in the spirit of CS231n's `(out, cache)` / `(dout, cache)`:

    h, state_n, cache = *_forward(x, state0, params, **options)
    dx, dstate0, grads = *_backward(dh, cache, dstate_n=None)

    h_t, state_t, cache = *_step_forward(x_t, state_prev, params, **options)
    dx_t, dstate_prev, grads = *_step_backward(dh_t, cache, dstate_t=None)

- x (T, N, D), time-major; h (T, N, H), the hidden state after every step; for a step, x_t (N, D), h_t (N, H).
- The state is what a cell carries from one step to the next: h (N, H) for the RNN and the GRU, the pair
  (h, c) for the LSTM. state0 None means zeros. The final state_n of the RNN and GRU is h[-1].
- dh is the loss's gradient on every h; dstate_n an extra gradient on the final state (None: none).
  dstate0 is the gradient on state0, with state0's structure. grads has the names of params; each shared
  weight's gradient is the sum over time.
- options: nonlinearity ("tanh"/"relu", RNN), variant ("pytorch"/"original", GRU), truncate (cut the
  gradient every k steps: truncated BPTT).
- A cache is a NamedTuple that only its own module reads.

A sequence is its step chained over time (`steps`), so what a chapter shows is what runs; `fast` computes
the same, faster, and the benchmarks time it.

- `rnn`: the Elman RNN: `rnn_step_forward`, `rnn_step_backward`, `rnn_forward`, `rnn_backward`,
  `init_rnn_params`, `NONLINEARITIES`
- `lstm`: the LSTM, as `torch.nn.LSTM`: `lstm_step_forward`, `lstm_step_backward`, `lstm_forward`,
  `lstm_backward`, `init_lstm_params`, `LSTM_GATES`
- `gru`: the GRU, PyTorch's variant and the 2014 original: `gru_step_forward`, `gru_step_backward`,
  `gru_forward`, `gru_backward`, `init_gru_params`, `GRU_VARIANTS`, `GRU_GATES`
- `steps`: the two loops that chain a step over time, full or truncated BPTT: `chain_forward`,
  `chain_backward`
- `fast`: making it fast, the same layers with the input's part and the weight gradients taken out of the
  loop and the gates stacked: `fast_rnn_forward`, `fast_rnn_backward`, `fast_lstm_forward`, ...
- `gates`: what the LSTM and GRU share: `sigmoid` and the checks of their parameters
- `stacked`: bidirectional and deep (stacked) RNN, LSTM and GRU, laid out as PyTorch's `num_layers` and
  `bidirectional`: `init_stacked_params`, `stacked_forward`, `stacked_backward`, `CELLS`, `DIRECTIONS`
- `output`: the output layer over time, softmax and cross-entropy:
  `affine_forward`, `affine_backward`, `softmax`, `softmax_cross_entropy`
- `jordan`: the Jordan network (output fed back): `jordan_forward`, `jordan_backward`, `init_jordan_params`
- `architectures`: the four architectures with the output layer, returning (logits, h_n, cache):
  `init_model_params`; many-to-many `many_to_many_forward`, `many_to_many_backward`, `many_to_many_loss`;
  many-to-one `many_to_one_forward`, `many_to_one_backward`, `many_to_one_loss`;
  encoder-decoder `encoder_decoder_forward`, `encoder_decoder_backward`, `encoder_decoder_loss`,
  `encoder_decoder_generate`, `teacher_forcing_inputs` (the decoder reads `<bos>` first);
  one-to-many `generate`

- `attention`: scores (dot, scaled dot, general, additive), softmax weights over the keys with a mask, a
  context per query, forward and backward: `attention_forward`, `attention_backward`, `init_attention_params`,
  `ATTENTION_SCORES`
- `seq2seq`: the encoder-decoder of chapter 10, a GRU encoder and a GRU decoder with optional attention, trained
  by teacher forcing: `init_seq2seq_params`, `seq2seq_forward`, `seq2seq_backward`, `seq2seq_loss`, `decoder_io`
- `model_checks`: what those models share: the checks of their parameters (unknown keys refused first), inputs,
  ids, masks and losses (NaN or inf refused): `check_model_params`, `check_ids`, `check_mask`,
  `finite_cross_entropy`, ...
- `decoding`: writing with that model, one step at a time: `encode`, `decoder_step`, `greedy_decode`,
  `beam_search` (with a length penalty)

The exact converters to and from `torch.nn.RNN`, `nn.LSTM` and `nn.GRU` are in `seqlearn.convert`, where
PyTorch is expected.
"""

from seqlearn.scratch.architectures import (
    encoder_decoder_backward,
    encoder_decoder_forward,
    encoder_decoder_generate,
    encoder_decoder_loss,
    generate,
    init_model_params,
    many_to_many_backward,
    many_to_many_forward,
    many_to_many_loss,
    many_to_one_backward,
    many_to_one_forward,
    many_to_one_loss,
    teacher_forcing_inputs,
)
from seqlearn.scratch.attention import ATTENTION_SCORES, attention_backward, attention_forward, init_attention_params
from seqlearn.scratch.decoding import beam_search, decoder_step, encode, greedy_decode
from seqlearn.scratch.fast import (
    fast_gru_backward,
    fast_gru_forward,
    fast_lstm_backward,
    fast_lstm_forward,
    fast_rnn_backward,
    fast_rnn_forward,
)
from seqlearn.scratch.gates import sigmoid
from seqlearn.scratch.gru import (
    GRU_GATES,
    GRU_VARIANTS,
    gru_backward,
    gru_forward,
    gru_step_backward,
    gru_step_forward,
    init_gru_params,
)
from seqlearn.scratch.jordan import init_jordan_params, jordan_backward, jordan_forward
from seqlearn.scratch.lstm import (
    LSTM_GATES,
    init_lstm_params,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
)
from seqlearn.scratch.output import affine_backward, affine_forward, softmax, softmax_cross_entropy
from seqlearn.scratch.rnn import (
    NONLINEARITIES,
    init_rnn_params,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
)
from seqlearn.scratch.seq2seq import decoder_io, init_seq2seq_params, seq2seq_backward, seq2seq_forward, seq2seq_loss
from seqlearn.scratch.stacked import CELLS, DIRECTIONS, init_stacked_params, stacked_backward, stacked_forward
from seqlearn.scratch.steps import chain_backward, chain_forward

__all__ = [
    "ATTENTION_SCORES",
    "CELLS",
    "DIRECTIONS",
    "GRU_GATES",
    "GRU_VARIANTS",
    "LSTM_GATES",
    "NONLINEARITIES",
    "affine_backward",
    "affine_forward",
    "attention_backward",
    "attention_forward",
    "beam_search",
    "chain_backward",
    "chain_forward",
    "decoder_io",
    "decoder_step",
    "encode",
    "encoder_decoder_backward",
    "encoder_decoder_forward",
    "encoder_decoder_generate",
    "encoder_decoder_loss",
    "fast_gru_backward",
    "fast_gru_forward",
    "fast_lstm_backward",
    "fast_lstm_forward",
    "fast_rnn_backward",
    "fast_rnn_forward",
    "generate",
    "greedy_decode",
    "gru_backward",
    "gru_forward",
    "gru_step_backward",
    "gru_step_forward",
    "init_attention_params",
    "init_gru_params",
    "init_jordan_params",
    "init_lstm_params",
    "init_model_params",
    "init_rnn_params",
    "init_seq2seq_params",
    "init_stacked_params",
    "jordan_backward",
    "jordan_forward",
    "lstm_backward",
    "lstm_forward",
    "lstm_step_backward",
    "lstm_step_forward",
    "many_to_many_backward",
    "many_to_many_forward",
    "many_to_many_loss",
    "many_to_one_backward",
    "many_to_one_forward",
    "many_to_one_loss",
    "rnn_backward",
    "rnn_forward",
    "rnn_step_backward",
    "rnn_step_forward",
    "seq2seq_backward",
    "seq2seq_forward",
    "seq2seq_loss",
    "sigmoid",
    "softmax",
    "softmax_cross_entropy",
    "stacked_backward",
    "stacked_forward",
    "teacher_forcing_inputs",
]
