"""Speed of the from-scratch NumPy RNN against torch.nn.RNN, forward plus backpropagation through time.

Same process, same inputs and weights, CPU, float32, at the shape of a character language model:
T=35 steps, N=32 sequences, D=28 (one-hot characters), H=256 hidden units.
NumPy: fast_rnn_forward + fast_rnn_backward (seqlearn.scratch.fast) with a random upstream gradient on every
hidden state; also the reference rnn_forward + rnn_backward, which chain the step functions, for comparison.
PyTorch: nn.RNN forward + autograd backward with the same upstream gradient.
Runs alternate between the two, and the median of each is reported. The last line is the figure to quote:
`ratio numpy/torch: X.XX` (below 1.00 means the NumPy code is faster).
"""

import numpy as np
import torch
from speed import median_ms, one_hot_inputs, parse_shape_args, print_header

from seqlearn.convert import params_to_torch
from seqlearn.scratch import fast_rnn_backward, fast_rnn_forward, init_rnn_params, rnn_backward, rnn_forward


def main():
    args = parse_shape_args(__doc__.splitlines()[0])
    D, H = args.D, args.H
    rng = np.random.default_rng(0)
    x, h0, dh = one_hot_inputs(args, rng)
    params = init_rnn_params(D, H, rng, dtype=np.float32)

    torch.manual_seed(0)
    rnn = params_to_torch(params, torch.nn.RNN(D, H))  # the same weights on both sides
    x_t, h0_t, dh_t = torch.from_numpy(x), torch.from_numpy(h0)[None], torch.from_numpy(dh)

    def numpy_step():
        _, _, cache = fast_rnn_forward(x, h0, params)
        fast_rnn_backward(dh, cache)

    def reference_step():
        _, _, cache = rnn_forward(x, h0, params)
        rnn_backward(dh, cache)

    def torch_step():
        rnn.zero_grad()
        out, _ = rnn(x_t, h0_t)
        out.backward(dh_t)

    # Time the same computation on both sides: check once that the hidden states agree (float32 rounding).
    with torch.no_grad():
        difference = np.abs(fast_rnn_forward(x, h0, params)[0] - rnn(x_t, h0_t)[0].numpy()).max()
    if difference > 1e-4:
        raise SystemExit(f"numpy and torch disagree by {difference:.1e}; not timing different computations")

    ms = median_ms({"numpy": numpy_step, "torch": torch_step, "reference": reference_step}, args)
    numpy_ms, torch_ms = ms["numpy"], ms["torch"]
    print_header(args)
    print(f"{'':<40}{'ms per iteration':>18}")
    print(f"{'numpy reference rnn_forward + backward':<40}{ms['reference']:>18.2f}")
    print(f"{'numpy fast_rnn_forward + backward':<40}{numpy_ms:>18.2f}")
    print(f"{'torch nn.RNN forward + autograd':<40}{torch_ms:>18.2f}")
    print(f"ratio reference/fast: {ms['reference'] / numpy_ms:.2f}")
    print(f"ratio numpy/torch: {numpy_ms / torch_ms:.2f}")


if __name__ == "__main__":
    main()
