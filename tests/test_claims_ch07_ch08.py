"""What chapters 7 and 8 state, checked on fresh shapes: how much of an LSTM cell survives a stretch with nothing
written (chapter 7, section 8), which inputs each half of a bidirectional layer has read (chapter 8, section 1),
and what each row of PyTorch's `h_n` and the backward half of `output[-1]` hold (chapter 8, section 4)."""

import numpy as np
import pytest
import torch

from seqlearn.convert import stacked_params_from_torch
from seqlearn.scratch import (
    gru_forward,
    init_lstm_params,
    init_stacked_params,
    lstm_forward,
    lstm_step_forward,
    rnn_forward,
    stacked_forward,
)

CELLS = ("rnn", "lstm", "gru")
ONE_LAYER = {"rnn": rnn_forward, "lstm": lstm_forward, "gru": gru_forward}
MODULES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


def sizes(rng):
    """Fresh (T, N, D, H)."""
    return tuple(int(v) for v in (rng.integers(2, 8), rng.integers(1, 4), rng.integers(1, 5), rng.integers(1, 6)))


def torch_module(cell, D, H, num_layers, seed):
    """A float64 PyTorch layer with its own random weights; the global torch random state is left as it was."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return MODULES[cell](D, H, num_layers=num_layers, bidirectional=True).double()


@pytest.mark.parametrize("seed", range(4))
def test_with_nothing_written_a_cell_keeps_the_product_of_its_forget_gates(seed):
    """Chapter 7 measures memory as the product of the forget gates over a stretch: true when i = 0."""
    rng = np.random.default_rng(seed)
    T, N, D, H = sizes(rng)
    params = init_lstm_params(D, H, rng)
    params["W_xi"][:] = params["W_hi"][:] = 0
    params["b_i"][:] = -40.0  # i = σ(-40) = 0 exactly in float64 (chapter 7, section 1)
    x, c0 = rng.normal(size=(T, N, D)), rng.normal(size=(N, H))
    state, forget = (rng.normal(size=(N, H)), c0), []
    for x_t in x:
        _, state, cache = lstm_step_forward(x_t, state, params)
        forget.append(cache.f)
    np.testing.assert_allclose(state[1], np.prod(forget, axis=0) * c0, rtol=1e-12, atol=0)
    assert np.all(np.prod(forget, axis=0) < 1)  # and a random forget gate lets some of it go


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("seed", range(3))
def test_each_half_of_a_bidirectional_layer_has_read_its_own_side_only(cell, seed):
    """Change x<s>: the forward half moves from step s on, the backward half up to step s, nothing else."""
    rng = np.random.default_rng(seed)
    T, N, D, H = sizes(rng)
    params = init_stacked_params(cell, D, H, num_layers=1, bidirectional=True, rng=rng)
    x = rng.normal(size=(T, N, D))
    s = int(rng.integers(T))
    changed = x.copy()
    changed[s] += 1.0
    before, after = (stacked_forward(a, None, params, cell=cell)[0] for a in (x, changed))
    moved = np.abs(after - before).max(axis=1) > 0  # (T, 2H)
    steps = np.arange(T)
    np.testing.assert_array_equal(moved[:, :H].any(axis=1), steps >= s)
    np.testing.assert_array_equal(moved[:, H:].any(axis=1), steps <= s)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("num_layers", [1, 2, 3])
def test_each_row_of_h_n_is_its_layer_and_direction_run_alone(cell, num_layers):
    """h_n[2k + d] is layer k, direction d (0 forward, 1 backward), each layer reading both directions below."""
    rng = np.random.default_rng(num_layers)
    T, N, D, H = sizes(rng)
    module = torch_module(cell, D, H, num_layers, seed=num_layers)
    params = stacked_params_from_torch(module)
    x = rng.normal(size=(T, N, D))
    with torch.no_grad():
        _, state = module(torch.from_numpy(x))
    h_n = (state[0] if cell == "lstm" else state).numpy()
    by_name = h_n.reshape(num_layers, 2, N, H)  # the docs' h_n.view(num_layers, num_directions, N, H)
    layer_in = x
    for k in range(num_layers):
        halves = []
        for d in range(2):
            states, final, _ = ONE_LAYER[cell](layer_in if d == 0 else layer_in[::-1], None, params[k][d])
            h_last = final[0] if cell == "lstm" else final
            np.testing.assert_allclose(h_n[2 * k + d], h_last, rtol=0, atol=1e-10)
            np.testing.assert_allclose(by_name[k, d], h_last, rtol=0, atol=1e-10)
            halves.append(states if d == 0 else states[::-1])
        layer_in = np.concatenate(halves, axis=-1)


@pytest.mark.parametrize("cell", CELLS)
def test_the_backward_half_of_the_last_output_has_read_the_last_input_only(cell):
    """The classic bug of chapter 8: with one layer, output[-1, :, H:] ignores x<1> ... x<T-1>; h_n[-1] does not."""
    rng = np.random.default_rng(len(cell))
    T, N, D, H = sizes(rng)
    module = torch_module(cell, D, H, num_layers=1, seed=0)
    x = rng.normal(size=(T, N, D))
    other = x.copy()
    other[:-1] = rng.normal(size=other[:-1].shape)
    with torch.no_grad():
        (out_a, state_a), (out_b, state_b) = module(torch.from_numpy(x)), module(torch.from_numpy(other))
    h_a, h_b = (s[0] if cell == "lstm" else s for s in (state_a, state_b))
    assert torch.equal(out_a[-1, :, H:], out_b[-1, :, H:])
    assert torch.equal(h_a[-1], out_a[0, :, H:])  # the backward sweep's final state: its output at t = 1
    assert not torch.allclose(h_a[-1], h_b[-1], rtol=0, atol=1e-6)
