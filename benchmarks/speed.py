"""What the benchmarks share: the shape arguments, the inputs, the alternating median timer, and the provenance
that every results file records.

The shape is a character language model's: T steps, N sequences, D one-hot characters, H hidden units.
"""

import argparse
import os
import platform
import statistics
import subprocess
import time
from pathlib import Path

import numpy as np
import torch


def parse_shape_args(description):
    """--repeats, --warmup and the shape --T --N --D --H (defaults 35, 32, 28, 256)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repeats", type=int, default=30, help="timed runs of each (default 30)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs of each first (default 5)")
    parser.add_argument("--T", type=int, default=35)
    parser.add_argument("--N", type=int, default=32)
    parser.add_argument("--D", type=int, default=28)
    parser.add_argument("--H", type=int, default=256)
    args = parser.parse_args()
    if args.repeats < 1 or args.warmup < 0:
        parser.error("--repeats must be at least 1 and --warmup at least 0")
    return args


def one_hot_inputs(args, rng):
    """float32 one-hot characters x (T, N, D), a zero state (N, H) and an upstream gradient dh (T, N, H)."""
    x = np.eye(args.D, dtype=np.float32)[rng.integers(0, args.D, size=(args.T, args.N))]
    h0 = np.zeros((args.N, args.H), np.float32)
    dh = rng.normal(size=(args.T, args.N, args.H)).astype(np.float32)
    return x, h0, dh


def median_ms(steps, args):
    """{name: median milliseconds} for a dict of zero-argument functions, run in turn so that a slow spell of
    the machine hits all of them alike, after `args.warmup` untimed rounds (caches, thread pools, allocator)."""
    times = {name: [] for name in steps}
    for _ in range(args.warmup):
        for step in steps.values():
            step()
    for _ in range(args.repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) * 1e3 for name, t in times.items()}


def print_header(args):
    print(f"T={args.T} N={args.N} D={args.D} H={args.H}, float32, CPU, torch threads: {torch.get_num_threads()}, "
          f"numpy {np.__version__}, torch {torch.__version__}")
    print(f"median of {args.repeats} runs each, after {args.warmup} warm-up runs")


def provenance(threads):
    """Where a run came from: the commit and whether the tree had uncommitted changes, versions, CPU, threads and
    the 1-minute load average (a busy machine times slower)."""
    def git(*args):
        return subprocess.run(["git", *args], capture_output=True, text=True, cwd=Path(__file__).parent).stdout.strip()
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return {"commit": git("rev-parse", "HEAD"), "uncommitted_changes": bool(git("status", "--porcelain")),
            "python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__,
            "cpu": cpu, "threads": threads, "load_average_1min": os.getloadavg()[0]}
