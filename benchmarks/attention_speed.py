"""A recurrent encoder against one self-attention layer: forward time, sequential steps and FLOPs, for growing T.

The same batch x (T, N, H), float32 on the CPU, through
- a GRU layer (torch.nn.GRU(H, H)): step t needs the state of step t - 1, so its T steps run one after another;
- one self-attention layer: queries, keys and values Q = x W_q, K = x W_k, V = x W_v (H -> H each), then
  softmax(Q K^T / sqrt(H)) V over all T positions at once: a few large matrix products, no step waits for another.

Each forward pass is timed (no gradients) REPEATS times after WARMUP untimed ones, the two layers taking turns;
the median is reported in ms.
FLOPs count the matrix products, 2 per multiply-add; the elementwise work (gates, tanh, softmax) is O(T N H) or
O(N T^2) and left out:
    GRU             T N (2 · 3H · H + 2 · 3H · H) = 12 T N H^2     (input and recurrent products of r, z, n)
    self-attention  3 · 2 T N H^2 + 2 N T^2 H + 2 N T^2 H = 6 T N H^2 + 4 N T^2 H
                    (the three projections, the scores Q K^T, the weighted sum of the values)
so attention's FLOPs grow as T^2 and pass the GRU's once T > 1.5 H; what it saves is the sequence of T steps
(one sequential step instead of T), which is why it wins on parallel hardware however many FLOPs it does.

Results, with their provenance (commit, versions, CPU, threads, load average, wall time), go to RESULTS.
"""

import argparse
import json
import math
import time
from pathlib import Path

import torch
from speed import median_ms, provenance
from torch import nn

N, H = 32, 128
LENGTHS = (16, 64, 256)
WARMUP, REPEATS = 10, 200
RESULTS = Path(__file__).with_name("results") / "attention_speed.json"


class SelfAttention(nn.Module):
    """x (T, N, H) -> (T, N, H): scaled dot-product self-attention, one head, every position at once."""

    def __init__(self, hidden_size):
        super().__init__()
        self.W_q, self.W_k, self.W_v = (nn.Linear(hidden_size, hidden_size, bias=False) for _ in range(3))

    def forward(self, x):
        x = x.transpose(0, 1)  # (N, T, H): the products below are batched over N
        q, k, v = self.W_q(x), self.W_k(x), self.W_v(x)
        weights = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(x.shape[-1]), dim=-1)  # (N, T, T)
        return (weights @ v).transpose(0, 1)


def gru_flops(T):
    return 12 * T * N * H * H


def attention_flops(T):
    return 6 * T * N * H * H + 4 * N * T * T * H


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    args.warmup, args.repeats = WARMUP, REPEATS  # what speed.median_ms reads
    torch.set_num_threads(args.threads)
    wall, source = time.perf_counter(), provenance(args.threads)
    torch.manual_seed(0)
    gru, attention = nn.GRU(H, H), SelfAttention(H)
    rows = []
    for T in LENGTHS:
        x = torch.randn(T, N, H)
        with torch.no_grad():  # forward passes only
            timed = median_ms({"gru": lambda x=x: gru(x)[0], "attention": lambda x=x: attention(x)}, args)
        gru_ms, attention_ms = timed["gru"], timed["attention"]
        rows.append({"T": T, "gru_ms": gru_ms, "attention_ms": attention_ms, "gru_sequential_steps": T,
                     "attention_sequential_steps": 1, "gru_flops": gru_flops(T), "attention_flops": attention_flops(T)})
    results = {"setup": {"N": N, "H": H, "dtype": "float32", "device": "cpu", "warmup": WARMUP, "repeats": REPEATS,
                         "statistic": "median"},
               "rows": rows, "provenance": source | {"wall_seconds": time.perf_counter() - wall}}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=1) + "\n")

    print(f"N = {N}, H = {H}, float32 on the CPU, {args.threads} threads; median of {REPEATS} forward passes")
    print(f"{'T':>5} {'GRU ms':>9} {'attn ms':>9} {'GRU steps':>10} {'attn steps':>11} {'GRU GFLOP':>10} "
          f"{'attn GFLOP':>11} {'GRU/attn time':>14}")
    for r in rows:
        print(f"{r['T']:>5} {r['gru_ms']:>9.2f} {r['attention_ms']:>9.2f} {r['gru_sequential_steps']:>10} "
              f"{r['attention_sequential_steps']:>11} {r['gru_flops'] / 1e9:>10.3f} "
              f"{r['attention_flops'] / 1e9:>11.3f} {r['gru_ms'] / r['attention_ms']:>13.1f}x")
    print(f"wall time {results['provenance']['wall_seconds']:.1f} s; wrote {args.output}")


if __name__ == "__main__":
    main()
