"""From-scratch NumPy recurrent networks: forward and backward, checked against PyTorch.

- `rnn`: the Elman RNN cell and sequence, full and truncated BPTT:
  `rnn_step_forward`, `rnn_step_backward`, `rnn_forward`, `rnn_backward`, `init_rnn_params`, `NONLINEARITIES`
- `output`: the output layer over time, softmax and cross-entropy:
  `affine_forward`, `affine_backward`, `softmax`, `softmax_cross_entropy`
- `jordan`: the Jordan network (output fed back): `jordan_forward`, `jordan_backward`, `init_jordan_params`
- `architectures`: the four architectures, `init_model_params` and
  many-to-many `many_to_many_forward`, `many_to_many_backward`, `many_to_many_loss`;
  many-to-one `many_to_one_forward`, `many_to_one_backward`, `many_to_one_loss`;
  encoder-decoder `encoder_decoder_forward`, `encoder_decoder_backward`, `encoder_decoder_loss`;
  one-to-many `generate`
- `lstm`: the LSTM cell and sequence, as `torch.nn.LSTM`:
  `lstm_step_forward`, `lstm_step_backward`, `lstm_forward`, `lstm_backward`, `init_lstm_params`
- `gru`: the GRU cell and sequence, PyTorch's variant and the 2014 original:
  `gru_step_forward`, `gru_step_backward`, `gru_forward`, `gru_backward`, `init_gru_params`, `GRU_VARIANTS`
- `gates`: what the LSTM and GRU share: `sigmoid` and the checks of their parameters
- `stacked`: bidirectional and deep (stacked) RNN, LSTM and GRU, laid out as PyTorch's `num_layers` and
  `bidirectional`: `init_stacked_params`, `stacked_forward`, `stacked_backward`, `CELLS`
- `convert`: exact converters to and from `torch.nn.RNN`, `nn.LSTM` and `nn.GRU`, one layer and direction
  (`params_from_torch`, `params_to_torch`) or all of them (`stacked_params_from_torch`, `stacked_params_to_torch`)
"""

from seqlearn.scratch.architectures import (
    encoder_decoder_backward,
    encoder_decoder_forward,
    encoder_decoder_loss,
    generate,
    init_model_params,
    many_to_many_backward,
    many_to_many_forward,
    many_to_many_loss,
    many_to_one_backward,
    many_to_one_forward,
    many_to_one_loss,
)
from seqlearn.scratch.convert import (
    params_from_torch,
    params_to_torch,
    stacked_params_from_torch,
    stacked_params_to_torch,
)
from seqlearn.scratch.gates import sigmoid
from seqlearn.scratch.gru import (
    GRU_VARIANTS,
    gru_backward,
    gru_forward,
    gru_step_backward,
    gru_step_forward,
    init_gru_params,
)
from seqlearn.scratch.jordan import init_jordan_params, jordan_backward, jordan_forward
from seqlearn.scratch.lstm import (
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
from seqlearn.scratch.stacked import CELLS, init_stacked_params, stacked_backward, stacked_forward

__all__ = [
    "CELLS",
    "GRU_VARIANTS",
    "NONLINEARITIES",
    "affine_backward",
    "affine_forward",
    "encoder_decoder_backward",
    "encoder_decoder_forward",
    "encoder_decoder_loss",
    "generate",
    "gru_backward",
    "gru_forward",
    "gru_step_backward",
    "gru_step_forward",
    "init_gru_params",
    "init_jordan_params",
    "init_lstm_params",
    "init_model_params",
    "init_rnn_params",
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
    "params_from_torch",
    "params_to_torch",
    "rnn_backward",
    "rnn_forward",
    "rnn_step_backward",
    "rnn_step_forward",
    "sigmoid",
    "softmax",
    "softmax_cross_entropy",
    "stacked_backward",
    "stacked_forward",
    "stacked_params_from_torch",
    "stacked_params_to_torch",
]
