"""Speed of the from-scratch NumPy LSTM and GRU against torch.nn.LSTM and nn.GRU, forward plus BPTT.

Same process, same inputs and weights, CPU, float32, at the shape of a character language model (as
rnn_speed.py): T=35 steps, N=32 sequences, D=28 (one-hot characters), H=256 hidden units.
NumPy: fast_lstm_forward + fast_lstm_backward, and fast_gru_forward + fast_gru_backward (variant="pytorch";
seqlearn.scratch.fast), with a random upstream gradient on every hidden state; also the reference
lstm_forward/gru_forward and their backwards, which chain the step functions, for comparison.
PyTorch: nn.LSTM and nn.GRU forward + autograd backward with the same upstream gradient. On the CPU,
nn.LSTM in float32 runs oneDNN's fused LSTM kernel (torch.backends.mkldnn); nn.GRU runs op by op.
Runs alternate between the four, and the median of each is reported. The last two lines are the figures to
quote: `ratio numpy/torch lstm: X.XX` and `ratio numpy/torch gru: X.XX` (below 1.00: NumPy is faster).
"""

import numpy as np
import torch
from speed import median_ms, one_hot_inputs, parse_shape_args, print_header

from seqlearn.convert import params_to_torch
from seqlearn.scratch import (
    fast_gru_backward,
    fast_gru_forward,
    fast_lstm_backward,
    fast_lstm_forward,
    gru_backward,
    gru_forward,
    init_gru_params,
    init_lstm_params,
    lstm_backward,
    lstm_forward,
)


def main():
    args = parse_shape_args(__doc__.splitlines()[0])
    D, H = args.D, args.H
    rng = np.random.default_rng(0)
    x, h0, dh = one_hot_inputs(args, rng)
    c0 = np.zeros_like(h0)
    lstm_params = init_lstm_params(D, H, rng, dtype=np.float32)
    gru_params = init_gru_params(D, H, rng, dtype=np.float32)

    torch.manual_seed(0)
    lstm = params_to_torch(lstm_params, torch.nn.LSTM(D, H))  # the same weights on both sides
    gru = params_to_torch(gru_params, torch.nn.GRU(D, H))
    x_t, dh_t = torch.from_numpy(x), torch.from_numpy(dh)
    h0_t, c0_t = torch.from_numpy(h0)[None], torch.from_numpy(c0)[None]

    def numpy_lstm():
        _, _, cache = fast_lstm_forward(x, (h0, c0), lstm_params)
        fast_lstm_backward(dh, cache)

    def reference_lstm():
        _, _, cache = lstm_forward(x, (h0, c0), lstm_params)
        lstm_backward(dh, cache)

    def torch_lstm():
        lstm.zero_grad()
        out, _ = lstm(x_t, (h0_t, c0_t))
        out.backward(dh_t)

    def numpy_gru():
        _, _, cache = fast_gru_forward(x, h0, gru_params)
        fast_gru_backward(dh, cache)

    def reference_gru():
        _, _, cache = gru_forward(x, h0, gru_params)
        gru_backward(dh, cache)

    def torch_gru():
        gru.zero_grad()
        out, _ = gru(x_t, h0_t)
        out.backward(dh_t)

    # Time the same computations on both sides: check once that the hidden states agree (float32 rounding).
    with torch.no_grad():
        differences = {"lstm": fast_lstm_forward(x, (h0, c0), lstm_params)[0] - lstm(x_t, (h0_t, c0_t))[0].numpy(),
                       "gru": fast_gru_forward(x, h0, gru_params)[0] - gru(x_t, h0_t)[0].numpy()}
    for name, difference in differences.items():
        if np.abs(difference).max() > 1e-4:
            raise SystemExit(f"numpy and torch {name} disagree by {np.abs(difference).max():.1e}; "
                             "not timing different computations")

    steps = {"numpy lstm": numpy_lstm, "torch lstm": torch_lstm, "numpy gru": numpy_gru, "torch gru": torch_gru,
             "reference lstm": reference_lstm, "reference gru": reference_gru}
    ms = median_ms(steps, args)
    print_header(args)
    print(f"{'':<42}{'ms per iteration':>18}")
    print(f"{'numpy reference lstm_forward + backward':<42}{ms['reference lstm']:>18.2f}")
    print(f"{'numpy fast_lstm_forward + backward':<42}{ms['numpy lstm']:>18.2f}")
    print(f"{'torch nn.LSTM forward + autograd':<42}{ms['torch lstm']:>18.2f}")
    print(f"{'numpy reference gru_forward + backward':<42}{ms['reference gru']:>18.2f}")
    print(f"{'numpy fast_gru_forward + backward':<42}{ms['numpy gru']:>18.2f}")
    print(f"{'torch nn.GRU forward + autograd':<42}{ms['torch gru']:>18.2f}")
    print(f"ratio reference/fast lstm: {ms['reference lstm'] / ms['numpy lstm']:.2f}")
    print(f"ratio reference/fast gru: {ms['reference gru'] / ms['numpy gru']:.2f}")
    print(f"ratio numpy/torch lstm: {ms['numpy lstm'] / ms['torch lstm']:.2f}")
    print(f"ratio numpy/torch gru: {ms['numpy gru'] / ms['torch gru']:.2f}")


if __name__ == "__main__":
    main()
