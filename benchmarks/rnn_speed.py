"""Speed of the from-scratch NumPy RNN against torch.nn.RNN, forward plus backpropagation through time.

Same process, same inputs and weights, CPU, float32, at the shape of a character language model:
T=35 steps, N=32 sequences, D=28 (one-hot characters), H=256 hidden units.
NumPy: rnn_forward + rnn_backward with a random upstream gradient on every hidden state.
PyTorch: nn.RNN forward + autograd backward with the same upstream gradient.
Runs alternate between the two, and the median of each is reported. The last line is the figure to quote:
`ratio numpy/torch: X.XX` (below 1.00 means the NumPy code is faster).
"""

import argparse
import statistics
import time

import numpy as np
import torch

from seqlearn.scratch import init_rnn_params, params_to_torch, rnn_backward, rnn_forward


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="timed runs of each (default 30)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs of each first (default 5)")
    parser.add_argument("--T", type=int, default=35)
    parser.add_argument("--N", type=int, default=32)
    parser.add_argument("--D", type=int, default=28)
    parser.add_argument("--H", type=int, default=256)
    args = parser.parse_args()
    if args.repeats < 1 or args.warmup < 0:
        parser.error("--repeats must be at least 1 and --warmup at least 0")
    T, N, D, H = args.T, args.N, args.D, args.H

    rng = np.random.default_rng(0)
    x = np.eye(D, dtype=np.float32)[rng.integers(0, D, size=(T, N))]  # one-hot characters, (T, N, D)
    h0 = np.zeros((N, H), np.float32)
    dh = rng.normal(size=(T, N, H)).astype(np.float32)
    params = init_rnn_params(D, H, rng, dtype=np.float32)

    torch.manual_seed(0)
    rnn = params_to_torch(params, torch.nn.RNN(D, H))  # the same weights on both sides
    x_t, h0_t, dh_t = torch.from_numpy(x), torch.from_numpy(h0)[None], torch.from_numpy(dh)

    def numpy_step():
        h, cache = rnn_forward(x, h0, params)
        rnn_backward(dh, cache)

    def torch_step():
        rnn.zero_grad()
        out, _ = rnn(x_t, h0_t)
        out.backward(dh_t)

    # Time the same computation on both sides: check once that the hidden states agree (float32 rounding).
    with torch.no_grad():
        difference = np.abs(rnn_forward(x, h0, params)[0] - rnn(x_t, h0_t)[0].numpy()).max()
    if difference > 1e-4:
        raise SystemExit(f"numpy and torch disagree by {difference:.1e}; not timing different computations")

    times = {"numpy": [], "torch": []}
    for _ in range(args.warmup):  # caches, thread pools, allocator
        numpy_step()
        torch_step()
    for _ in range(args.repeats):
        for name, step in (("numpy", numpy_step), ("torch", torch_step)):
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)

    numpy_ms = statistics.median(times["numpy"]) * 1e3
    torch_ms = statistics.median(times["torch"]) * 1e3
    print(f"T={T} N={N} D={D} H={H}, float32, CPU, torch threads: {torch.get_num_threads()}, "
          f"numpy {np.__version__}, torch {torch.__version__}")
    print(f"median of {args.repeats} runs each, after {args.warmup} warm-up runs")
    print(f"{'':<36}{'ms per iteration':>18}")
    print(f"{'numpy rnn_forward + rnn_backward':<36}{numpy_ms:>18.2f}")
    print(f"{'torch nn.RNN forward + autograd':<36}{torch_ms:>18.2f}")
    print(f"ratio numpy/torch: {numpy_ms / torch_ms:.2f}")


if __name__ == "__main__":
    main()
