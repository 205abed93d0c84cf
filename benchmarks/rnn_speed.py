"""Speed of the from-scratch NumPy RNN against torch.nn.RNN, forward plus backpropagation through time.

Same process, same inputs, CPU, float32, at the shape of a character language model:
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

from seqlearn.one_hot import one_hot
from seqlearn.scratch import init_rnn_params, rnn_backward, rnn_forward


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--T", type=int, default=35)
    parser.add_argument("--N", type=int, default=32)
    parser.add_argument("--D", type=int, default=28)
    parser.add_argument("--H", type=int, default=256)
    args = parser.parse_args()
    T, N, D, H = args.T, args.N, args.D, args.H

    rng = np.random.default_rng(0)
    x = one_hot(rng.integers(0, D, size=(T, N)), D, dtype=np.float32)
    h0 = np.zeros((N, H), np.float32)
    dh = rng.normal(size=(T, N, H)).astype(np.float32)
    params = init_rnn_params(D, H, rng, dtype=np.float32)

    torch.manual_seed(0)
    rnn = torch.nn.RNN(D, H)
    x_t, h0_t, dh_t = torch.from_numpy(x), torch.from_numpy(h0)[None], torch.from_numpy(dh)

    def numpy_step():
        h, cache = rnn_forward(x, h0, params)
        rnn_backward(dh, cache)

    def torch_step():
        rnn.zero_grad()
        out, _ = rnn(x_t, h0_t)
        out.backward(dh_t)

    times = {"numpy": [], "torch": []}
    for _ in range(5):  # warm-up: caches, thread pools, allocator
        numpy_step()
        torch_step()
    for _ in range(args.repeats):
        for name, step in (("numpy", numpy_step), ("torch", torch_step)):
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)

    numpy_ms = statistics.median(times["numpy"]) * 1e3
    torch_ms = statistics.median(times["torch"]) * 1e3
    print(f"shape T={T} N={N} D={D} H={H}, float32, CPU, torch threads: {torch.get_num_threads()}, "
          f"numpy {np.__version__}, torch {torch.__version__}, {args.repeats} repeats")
    print(f"numpy forward+BPTT: {numpy_ms:7.2f} ms (median)")
    print(f"torch forward+autograd: {torch_ms:7.2f} ms (median)")
    print(f"ratio numpy/torch: {numpy_ms / torch_ms:.2f}")


if __name__ == "__main__":
    main()
