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
- `convert`: exact converters to and from `torch.nn.RNN`: `params_from_torch`, `params_to_torch`
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
from seqlearn.scratch.convert import params_from_torch, params_to_torch
from seqlearn.scratch.jordan import init_jordan_params, jordan_backward, jordan_forward
from seqlearn.scratch.output import affine_backward, affine_forward, softmax, softmax_cross_entropy
from seqlearn.scratch.rnn import (
    NONLINEARITIES,
    init_rnn_params,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
)

__all__ = [
    "NONLINEARITIES",
    "affine_backward",
    "affine_forward",
    "encoder_decoder_backward",
    "encoder_decoder_forward",
    "encoder_decoder_loss",
    "generate",
    "init_jordan_params",
    "init_model_params",
    "init_rnn_params",
    "jordan_backward",
    "jordan_forward",
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
    "softmax",
    "softmax_cross_entropy",
]
