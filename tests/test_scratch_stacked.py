"""Bidirectional and stacked RNN/LSTM/GRU against torch (float64, 1e-10) and finite differences (1e-6)."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlearn.convert import stacked_params_from_torch, stacked_params_to_torch
from seqlearn.gradcheck import grad_check
from seqlearn.scratch import (
    gru_backward,
    gru_forward,
    init_gru_params,
    init_lstm_params,
    init_stacked_params,
    stacked_backward,
    stacked_forward,
)

TOL = 1e-10
MODULES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
TORCH_ORDER = {"rnn": "h", "lstm": "ifgo", "gru": "rzn"}  # the gates' blocks in weight_ih_l{k}
CONFIGS = [("rnn", {"nonlinearity": "tanh"}), ("rnn", {"nonlinearity": "relu"}), ("lstm", {}), ("gru", {})]


def torch_grads(module, cell, k, suffix):
    """The gradients of layer k, one direction ("" or "_reverse"), named like the params."""
    gates = TORCH_ORDER[cell]

    def blocks(name):
        return np.split(getattr(module, f"{name}_l{k}{suffix}").grad.numpy(), len(gates))

    W_x, W_h = blocks("weight_ih"), blocks("weight_hh")
    grads = {}
    for j, gate in enumerate(gates):
        grads[f"W_x{gate}"], grads[f"W_h{gate}"] = W_x[j], W_h[j]
        if module.bias and gate == "n":  # the GRU's n keeps both biases
            grads["b_xn"], grads["b_hn"] = blocks("bias_ih")[j], blocks("bias_hh")[j]
        elif module.bias:
            grads[f"b_{gate}"] = blocks("bias_ih")[j]  # d/d(bias_ih) == d/d(b): the two biases add
    return grads


def torch_reference(cell, x, state0, params, dout, dh_n, dc_n, **cell_kwargs):
    """nn.RNN/LSTM/GRU forward + autograd with the upstream gradients; returns numpy arrays."""
    D, H = x.shape[2], params[0][0][f"W_h{TORCH_ORDER[cell][0]}"].shape[0]
    bidirectional, bias = len(params[0]) == 2, any(name.startswith("b_") for name in params[0][0])
    module = MODULES[cell](D, H, num_layers=len(params), bidirectional=bidirectional, bias=bias, **cell_kwargs)
    module = stacked_params_to_torch(params, module.double())
    x_t = torch.from_numpy(x.copy()).requires_grad_()
    states = [torch.from_numpy(s.copy()).requires_grad_() for s in (state0 if cell == "lstm" else (state0,))]
    out, state_n = module(x_t, tuple(states) if cell == "lstm" else states[0])
    state_n = state_n if cell == "lstm" else (state_n,)
    loss = (out * torch.from_numpy(dout)).sum() + (state_n[0] * torch.from_numpy(dh_n)).sum()
    if cell == "lstm":
        loss = loss + (state_n[1] * torch.from_numpy(dc_n)).sum()
    loss.backward()
    grads = [[torch_grads(module, cell, k, suffix) for suffix in ("", "_reverse")[:len(params[0])]]
             for k in range(len(params))]
    return (out.detach().numpy(), [s.detach().numpy() for s in state_n], x_t.grad.numpy(),
            [s.grad.numpy() for s in states], grads)


def assert_close(a, b):
    np.testing.assert_allclose(a, b, rtol=0, atol=TOL)


def check_parity(cell, T, N, D, H, num_layers, bidirectional, rng, bias=True, given_state=True,
                 given_final="both", **cell_kwargs):
    """given_final: which extra gradients on the final states are given, "none", "h", "c" (LSTM) or "both"."""
    params = init_stacked_params(cell, D, H, num_layers, bidirectional, rng, bias=bias)
    num_directions = 2 if bidirectional else 1
    S = (num_layers * num_directions, N, H)  # h0, c0, h_n, c_n
    x, dout = rng.normal(size=(T, N, D)), rng.normal(size=(T, N, num_directions * H))
    # Not given: None for stacked_*, which then means zeros, and zeros for torch.
    h0, c0 = (rng.normal(size=S) if given_state else np.zeros(S) for _ in range(2))
    dh_n, dc_n = (rng.normal(size=S) if given_final in parts else None for parts in (("h", "both"), ("c", "both")))
    state0 = (h0, c0) if cell == "lstm" else h0
    if given_final == "none":
        dstate_n = None
    else:
        dstate_n = (dh_n, dc_n) if cell == "lstm" else dh_n
    out, state_n, cache = stacked_forward(x, state0 if given_state else None, params, cell=cell, **cell_kwargs)
    dx, dstate0, grads = stacked_backward(dout, cache, dstate_n)
    out_ref, state_n_ref, dx_ref, dstate0_ref, grads_ref = torch_reference(
        cell, x, state0, params, dout, np.zeros(S) if dh_n is None else dh_n, np.zeros(S) if dc_n is None else dc_n,
        **cell_kwargs)
    assert out.shape == (T, N, num_directions * H)
    assert_close(out, out_ref)
    assert isinstance(state_n, tuple) == (cell == "lstm")  # (h_n, c_n) for the LSTM, h_n for the others
    for mine, ref in zip(state_n if cell == "lstm" else (state_n,), state_n_ref, strict=True):
        assert mine.shape == S
        assert_close(mine, ref)  # h_n, and c_n for the LSTM: the same layout as torch
    assert dx.shape == x.shape
    assert_close(dx, dx_ref)
    assert isinstance(dstate0, tuple) == (cell == "lstm")  # dstate0 has state0's structure
    for mine, ref in zip(dstate0 if cell == "lstm" else (dstate0,), dstate0_ref, strict=True):
        assert mine.shape == S
        assert_close(mine, ref)
    assert len(grads) == num_layers
    for layer, layer_ref, layer_params in zip(grads, grads_ref, params, strict=True):
        assert len(layer) == len(layer_params)
        for g, g_ref, p in zip(layer, layer_ref, layer_params, strict=True):
            assert list(g) == list(p)  # named, and ordered, like the params
            for name in g:
                assert_close(g[name], g_ref[name])


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("cell, cell_kwargs", CONFIGS, ids=["rnn-tanh", "rnn-relu", "lstm", "gru"])
def test_parity_with_torch(cell, cell_kwargs, num_layers, bidirectional, bias):
    check_parity(cell, 4, 3, 3, 4, num_layers, bidirectional, np.random.default_rng(num_layers), bias=bias,
                 **cell_kwargs)


@settings(max_examples=20)
@given(T=st.integers(1, 4), N=st.integers(1, 3), D=st.integers(1, 4), H=st.integers(1, 3),
       num_layers=st.integers(1, 3), bidirectional=st.booleans(), bias=st.booleans(), given_state=st.booleans(),
       given_final=st.sampled_from(["none", "h", "c", "both"]), seed=st.integers(0, 2**32 - 1))
def test_parity_with_torch_lstm_any_shape(T, N, D, H, num_layers, bidirectional, bias, given_state, given_final,
                                          seed):
    check_parity("lstm", T, N, D, H, num_layers, bidirectional, np.random.default_rng(seed), bias=bias,
                 given_state=given_state, given_final=given_final)


@settings(max_examples=20)
@given(config=st.sampled_from(CONFIGS[:2] + CONFIGS[3:]), T=st.integers(1, 4), N=st.integers(1, 3),
       D=st.integers(1, 4), H=st.integers(1, 3), num_layers=st.integers(1, 3), bidirectional=st.booleans(),
       bias=st.booleans(), given_state=st.booleans(), given_final=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_parity_with_torch_rnn_and_gru_any_shape(config, T, N, D, H, num_layers, bidirectional, bias, given_state,
                                                 given_final, seed):
    cell, cell_kwargs = config  # rnn-tanh, rnn-relu or gru
    check_parity(cell, T, N, D, H, num_layers, bidirectional, np.random.default_rng(seed), bias=bias,
                 given_state=given_state, given_final="h" if given_final else "none", **cell_kwargs)


def test_h_n_layout_is_pytorchs():
    """h_n[k * 2 + d]: layer by layer, forward then backward; the backward sweep ends at t = 1."""
    rng = np.random.default_rng(0)
    params = init_stacked_params("gru", 3, 4, 2, True, rng)
    out, h_n, _ = stacked_forward(rng.normal(size=(5, 2, 3)), None, params, cell="gru")
    assert out.shape == (5, 2, 8) and h_n.shape == (4, 2, 4)
    np.testing.assert_array_equal(h_n[2], out[-1, :, :4])  # layer 1, forward: its state after x<T>
    np.testing.assert_array_equal(h_n[3], out[0, :, 4:])  # layer 1, backward: its state after x<1>


@pytest.mark.parametrize("variant", ["pytorch", "original"])
def test_gru_variant_reaches_every_layer(variant):
    """The cell options go to every layer's forward: one layer, one direction is exactly `gru_forward`."""
    rng = np.random.default_rng(5)
    params = init_stacked_params("gru", 3, 4, 1, False, rng)
    x, h0, dout, dh_n = (rng.normal(size=shape) for shape in ((5, 2, 3), (1, 2, 4), (5, 2, 4), (1, 2, 4)))
    out, h_n, cache = stacked_forward(x, h0, params, cell="gru", variant=variant)
    h, h_n_ref, layer_cache = gru_forward(x, h0[0], params[0][0], variant)
    np.testing.assert_array_equal(out, h)
    np.testing.assert_array_equal(h_n[0], h_n_ref)
    dx, dh0, grads = stacked_backward(dout, cache, dh_n)
    dx_ref, dh0_ref, grads_ref = gru_backward(dout, layer_cache, dh_n[0])
    np.testing.assert_array_equal(dx, dx_ref)
    np.testing.assert_array_equal(dh0[0], dh0_ref)
    assert all(np.array_equal(grads[0][0][name], grads_ref[name]) for name in grads_ref)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gradient_check_with_dropout(cell):
    rng = np.random.default_rng(2)
    params = init_stacked_params(cell, 3, 3, 2, True, rng)
    x, h0, c0 = rng.normal(size=(4, 2, 3)), rng.normal(size=(4, 2, 3)), rng.normal(size=(4, 2, 3))
    state0 = (h0, c0) if cell == "lstm" else h0
    w, wh, wc = rng.normal(size=(4, 2, 6)), rng.normal(size=(4, 2, 3)), rng.normal(size=(4, 2, 3))

    def run():  # a fresh rng with the same seed every call: the same dropout mask every call
        return stacked_forward(x, state0, params, cell=cell, dropout=0.5, training=True,
                               rng=np.random.default_rng(7))

    def loss():
        out, state_n, _ = run()
        if cell == "lstm":
            return (w * out).sum() + (wh * state_n[0]).sum() + (wc * state_n[1]).sum()
        return (w * out).sum() + (wh * state_n).sum()

    out, _, cache = run()
    assert np.abs(out - stacked_forward(x, state0, params, cell=cell)[0]).max() > 1e-3  # the dropout did act
    dx, dstate0, grads = stacked_backward(w, cache, (wh, wc) if cell == "lstm" else wh)
    arrays, analytic = {"x": x, "h0": h0}, {"x": dx, "h0": dstate0[0] if cell == "lstm" else dstate0}
    if cell == "lstm":
        arrays["c0"], analytic["c0"] = c0, dstate0[1]
    for k in range(2):
        for d, direction in enumerate("fb"):
            arrays |= {f"l{k}{direction}.{name}": p for name, p in params[k][d].items()}
            analytic |= {f"l{k}{direction}.{name}": g for name, g in grads[k][d].items()}
    # eps=1e-5: this loss sums over four stacked layers, so its rounding error, about 1e-16 |loss| / eps,
    # would swamp the smallest of the ~900 gradient entries at the default 1e-6; the truncation error eps^2
    # is still far below.
    report = grad_check(loss, arrays, analytic, eps=1e-5)
    assert report.passed(1e-6), report


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_dropout_only_between_layers_and_only_in_training(cell):
    rng = np.random.default_rng(2)
    params = init_stacked_params(cell, 3, 4, 2, True, rng)
    x = rng.normal(size=(5, 2, 3))
    plain = stacked_forward(x, None, params, cell=cell)
    for kwargs in (dict(dropout=0.5), dict(dropout=0.5, training=False, rng=np.random.default_rng(0)),
                   dict(dropout=0.0, training=True)):  # evaluation mode, or no dropout: no rng needed
        np.testing.assert_array_equal(stacked_forward(x, None, params, cell=cell, **kwargs)[0], plain[0])
    out, state_n, _ = stacked_forward(x, None, params, cell=cell, dropout=0.5, training=True,
                                      rng=np.random.default_rng(3))
    h_n, plain_h_n = (state_n[0], plain[1][0]) if cell == "lstm" else (state_n, plain[1])
    np.testing.assert_array_equal(h_n[:2], plain_h_n[:2])  # layer 0 runs as before: dropout acts on its output
    assert np.abs(h_n[2:] - plain_h_n[2:]).min() > 0  # which layer 1 reads
    assert np.abs(out - plain[0]).max() > 1e-3
    one_layer = init_stacked_params(cell, 3, 4, 1, True, rng)  # one layer: nothing between, so nothing dropped
    np.testing.assert_array_equal(
        stacked_forward(x, None, one_layer, cell=cell, dropout=0.5, training=True, rng=np.random.default_rng(3))[0],
        stacked_forward(x, None, one_layer, cell=cell)[0])


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_converters_round_trip_exactly(cell, bias):
    params = init_stacked_params(cell, 3, 4, 2, True, np.random.default_rng(4), bias=bias)
    module = MODULES[cell](3, 4, num_layers=2, bidirectional=True, bias=bias).double()
    assert stacked_params_to_torch(params, module) is module
    back = stacked_params_from_torch(module)
    assert len(back) == 2 and all(len(layer) == 2 for layer in back)
    for layer, layer_back in zip(params, back, strict=True):
        for p, p_back in zip(layer, layer_back, strict=True):
            assert list(p_back) == list(p)
            assert all(np.array_equal(p_back[name], p[name]) for name in p)  # exact
    assert all(len(layer) == 1 for layer in stacked_params_from_torch(MODULES[cell](3, 4, num_layers=3)))


def test_init():
    params = init_stacked_params("lstm", 3, 4, 3, True, np.random.default_rng(0), dtype=np.float32,
                                 forget_bias=1.0)
    assert len(params) == 3 and all(len(layer) == 2 for layer in params)
    assert params[0][1]["W_xi"].shape == (4, 3) and params[2][0]["W_xi"].shape == (4, 8)  # 2H: both directions
    assert params[1][1]["W_hi"].shape == (4, 4)
    assert all(p.dtype == np.float32 for layer in params for ps in layer for p in ps.values())
    assert all(ps["b_f"].min() >= 0.5 for layer in params for ps in layer)  # 1 - 1/sqrt(H)
    params = init_stacked_params("gru", 3, 4, 2, False, np.random.default_rng(0), bias=False)
    assert [len(layer) for layer in params] == [1, 1] and params[1][0]["W_xr"].shape == (4, 4)
    assert "b_r" not in params[0][0]


P = init_stacked_params("lstm", 3, 4, 2, True, np.random.default_rng(0))
G = init_stacked_params("gru", 3, 4, 2, True, np.random.default_rng(0))
R = init_stacked_params("rnn", 3, 4, 2, True, np.random.default_rng(0))
X = np.zeros((5, 2, 3))
S = np.zeros((4, 2, 4))
DOUT = np.zeros((5, 2, 8))
CACHE = stacked_forward(X, None, G, cell="gru")[2]
LSTM_CACHE = stacked_forward(X, None, P, cell="lstm")[2]
RNN_CACHE = stacked_forward(X, None, R, cell="rnn")[2]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: stacked_forward(X, None, G, cell="elman"), ValueError,
         "cell must be one of 'rnn', 'lstm', 'gru'; got 'elman'"),
        (lambda: stacked_forward(X, None, G), TypeError, "missing 1 required keyword-only argument: 'cell'"),
        (lambda: init_stacked_params("elman", 3, 4, 2, True, np.random.default_rng(0)), ValueError,
         "cell must be one of 'rnn', 'lstm', 'gru'; got 'elman'"),
        (lambda: stacked_forward(X, None, [], cell="gru"), ValueError,
         r"params must be a list over layers \(at least one\) of lists over directions; got an empty list"),
        (lambda: stacked_forward(X, None, G[0], cell="gru"), ValueError,
         "params\\[0\\] must be a list of one dict per direction, \\[forward\\] or \\[forward, backward\\]; "
         "got dict"),
        (lambda: stacked_forward(X, None, [G[0], G[1][:1]], cell="gru"), ValueError,
         r"every layer needs the same directions: params\[0\] has 2, params\[1\] has 1; is a direction missing\?"),
        (lambda: stacked_forward(X, None, [G[0] * 2], cell="gru"), ValueError,
         r"params\[0\] must be a list of one dict per direction, .* got length 4"),
        (lambda: stacked_forward(X, S, G + G[1:], cell="gru"), ValueError,  # three layers, two layers' states
         r"h0 must have shape \(num_layers \* num_directions, N, H\) = \(6, 2, 4\), got \(4, 2, 4\)"),
        (lambda: stacked_forward(X, S[None], G, cell="gru"), ValueError,
         r"h0 must have 3 dimensions \(num_layers \* num_directions, N, H\), got shape \(1, 4, 2, 4\)"),
        (lambda: stacked_forward(X, (S, np.zeros((4, 2, 5))), P, cell="lstm"), ValueError,
         r"c0 must have shape \(num_layers \* num_directions, N, H\) = \(4, 2, 4\), got \(4, 2, 5\)"),
        (lambda: stacked_forward(X, S, P, cell="lstm"), TypeError,
         r"state0 must be a tuple \(h0, c0\) or None for an LSTM, got ndarray"),
        (lambda: stacked_forward(X, (S,), P, cell="lstm"), ValueError,
         r"state0 must be a tuple \(h0, c0\) of two arrays, got a tuple of length 1"),
        (lambda: stacked_forward(X, (S, S), G, cell="gru"), TypeError, "h0 must be a NumPy array, got tuple"),
        (lambda: stacked_forward(X, (S, S), R, cell="rnn"), TypeError, "h0 must be a NumPy array, got tuple"),
        (lambda: stacked_forward(X, S.astype(np.float32), G, cell="gru"), TypeError,
         "h0 has dtype float32 but x has float64"),
        (lambda: stacked_forward(X, (S, S.astype(np.float32)), P, cell="lstm"), TypeError,
         "c0 has dtype float32 but x has float64"),
        (lambda: stacked_forward(X, None, P[:1] + [[init_lstm_params(4, 4, np.random.default_rng(0))] * 2],
                                 cell="lstm"),
         ValueError, r"params\[1\]\[0\] \(layer 1, forward\): W_xi must have shape \(H, D\) = \(4, 8\), got \(4, 4\)"),
        (lambda: stacked_forward(X, None, [[G[0][0], init_gru_params(3, 5, np.random.default_rng(0))]], cell="gru"),
         ValueError, r"every layer and direction needs the same H: params\[0\]\[0\] has H = 4, params\[0\]\[1\] "
                     "has H = 5"),
        (lambda: stacked_forward(X, None, P, cell="gru"), ValueError,
         r"params\[0\]\[0\] \(layer 0, forward\): params has unknown keys"),  # LSTM params for a GRU
        (lambda: stacked_forward(X, None, P, cell="lstm", nonlinearity="relu"), TypeError,
         r"a stacked lstm takes the options \['truncate'\]; got \['nonlinearity'\]"),
        (lambda: stacked_forward(X, None, R, cell="rnn", variant="pytorch"), TypeError,
         r"a stacked rnn takes the options \['nonlinearity', 'truncate'\]; got \['variant'\]"),
        (lambda: stacked_forward(X, None, G, cell="gru", variant="cho"), ValueError,
         "variant must be one of 'pytorch', 'original'; got 'cho'"),
        (lambda: stacked_forward(X, None, R, cell="rnn", nonlinearity="sigmoid"), ValueError,
         "nonlinearity must be one of 'tanh', 'relu'; got 'sigmoid'"),
        (lambda: stacked_forward(X, None, G, cell="gru", dropout=1.0), ValueError,
         r"dropout must be a number in \[0, 1\), got 1.0"),
        (lambda: stacked_forward(X, None, G, cell="gru", dropout=-0.1), ValueError,
         r"dropout must be a number in \[0, 1\), got -0.1"),
        (lambda: stacked_forward(X, None, G, cell="gru", dropout="0.5"), TypeError,
         "dropout must be a number in \\[0, 1\\), got str '0.5'"),
        (lambda: stacked_forward(X, None, G, cell="gru", dropout=0.5, training=True), ValueError,
         r"dropout=0.5 in training mode draws random masks: pass rng=np.random.default_rng\(seed\)"),
        (lambda: stacked_forward(X, None, G, cell="gru", dropout=0.5, training=True, rng=0), TypeError,
         "rng must be a np.random.Generator"),
        (lambda: stacked_forward(X, None, G, cell="gru", training=1), TypeError,
         "training must be True or False, got int"),
        (lambda: stacked_forward(X[0], None, G, cell="gru"), ValueError,
         r"x must have 3 dimensions \(T, N, D\), got shape \(2, 3\)"),
        (lambda: stacked_backward(np.zeros((5, 2, 4)), CACHE), ValueError,
         r"dout must have shape \(T, N, num_directions \* H\) = \(5, 2, 8\), got \(5, 2, 4\)"),
        (lambda: stacked_backward(DOUT, CACHE, S[:2]), ValueError,
         r"dh_n must have shape \(num_layers \* num_directions, N, H\) = \(4, 2, 4\), got \(2, 2, 4\)"),
        (lambda: stacked_backward(DOUT, CACHE, S.astype(np.float32)), TypeError,
         "dh_n has dtype float32 but x has float64"),
        (lambda: stacked_backward(DOUT, CACHE, (S, S)), TypeError,  # a GRU's state has no cell state
         "dh_n must be a NumPy array, got tuple"),
        (lambda: stacked_backward(DOUT, RNN_CACHE, (S, S)), TypeError, "dh_n must be a NumPy array, got tuple"),
        (lambda: stacked_backward(DOUT, LSTM_CACHE, S), TypeError,
         r"dstate_n must be a tuple \(dh_n, dc_n\) or None for an LSTM, got ndarray"),
        (lambda: stacked_backward(DOUT, LSTM_CACHE, (S, S, S)), ValueError,
         r"dstate_n must be a tuple \(dh_n, dc_n\) of two arrays, got a tuple of length 3"),
        (lambda: stacked_backward(DOUT, LSTM_CACHE, (None, S[:, :1])), ValueError,
         r"dc_n must have shape \(num_layers \* num_directions, N, H\) = \(4, 2, 4\), got \(4, 1, 4\)"),
        (lambda: init_stacked_params("rnn", 3, 4, 0, True, np.random.default_rng(0)), ValueError,
         "num_layers must be at least 1, got 0"),
        (lambda: init_stacked_params("rnn", 3, 4, 2, "yes", np.random.default_rng(0)), TypeError,
         "bidirectional must be True or False, got str"),
        (lambda: stacked_params_to_torch(G, torch.nn.GRU(3, 4, num_layers=3, bidirectional=True)), ValueError,
         "params must be a list of num_layers=3 layers for this module, got 2 layers"),
        (lambda: stacked_params_to_torch([G[0], G[1][:1]], torch.nn.GRU(3, 4, num_layers=2, bidirectional=True)),
         ValueError, r"params\[1\] must be a list of 2 direction\(s\) for this module \(bidirectional=True\), "
                     r"got 1 direction\(s\)"),
        (lambda: stacked_params_to_torch(G, torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True)), ValueError,
         "params has unknown keys .*; it must have exactly the keys"),
        (lambda: stacked_params_from_torch(torch.nn.GRU(3, 4, batch_first=True)), ValueError,
         "a unidirectional, time-major nn.GRU"),
    ],
)
def test_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("cache", [CACHE, LSTM_CACHE], ids=["gru", "lstm"])
def test_a_float32_dout_is_refused_by_its_name(cache):
    with pytest.raises(TypeError, match="dout has dtype float32 but x has float64"):
        stacked_backward(DOUT.astype(np.float32), cache)
