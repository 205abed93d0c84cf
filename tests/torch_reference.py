"""What the parity tests share: running a torch.nn.RNN, LSTM or GRU as truncated BPTT does."""

import torch

from seqlearn.models import detach_state


def run_truncated(module, x, state, truncate=None):
    """Run `module` over x (T, N, D) from `state`, detaching the state every `truncate` steps (None: never), as
    a training loop does for truncated BPTT -> the output (T, N, H) and the final state."""
    k = truncate or x.shape[0]
    outs = []
    for start in range(0, x.shape[0], k):
        out, state = module(x[start:start + k], state if start == 0 else detach_state(state))
        outs.append(out)
    return torch.cat(outs), state
