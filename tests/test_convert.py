import numpy as np
import pytest
import torch

from seqlearn.convert import params_from_torch, params_to_torch
from seqlearn.scratch import (
    gru_forward,
    init_gru_params,
    init_lstm_params,
    init_rnn_params,
    lstm_forward,
    rnn_forward,
)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_round_trips(bias, nonlinearity):
    rng = np.random.default_rng(0)
    params = init_rnn_params(3, 4, rng, bias=bias)
    module = torch.nn.RNN(3, 4, nonlinearity=nonlinearity, bias=bias).double()
    back = params_from_torch(params_to_torch(params, module))
    assert set(back) == set(params)
    assert all(np.array_equal(back[k], params[k]) for k in params)  # exact

    original = torch.nn.RNN(3, 4, nonlinearity=nonlinearity, bias=bias).double()  # two nonzero biases
    copy = params_to_torch(params_from_torch(original), torch.nn.RNN(3, 4, nonlinearity=nonlinearity,
                                                                     bias=bias).double())
    x = torch.from_numpy(rng.normal(size=(5, 2, 3)))
    with torch.no_grad():
        np.testing.assert_allclose(copy(x)[0].numpy(), original(x)[0].numpy(), rtol=0, atol=1e-14)
        h, h_n, _ = rnn_forward(x.numpy(), None, params_from_torch(original), nonlinearity)
        out, h_n_ref = original(x)
        np.testing.assert_allclose(h, out.numpy(), rtol=0, atol=1e-14)
        np.testing.assert_allclose(h_n, h_n_ref[0].numpy(), rtol=0, atol=1e-14)


@pytest.mark.parametrize("dtype, np_dtype", [(torch.float32, np.float32), (torch.float64, np.float64)])
def test_arrays_are_copies_in_the_module_dtype(dtype, np_dtype):
    module = torch.nn.RNN(2, 3).to(dtype)
    params = params_from_torch(module)
    assert all(p.dtype == np_dtype for p in params.values())
    for p in params.values():
        p[...] = 99.0
    assert (module.weight_ih_l0 != 99.0).all() and (module.weight_hh_l0 != 99.0).all()
    assert (module.bias_ih_l0 + module.bias_hh_l0 != 99.0).all()


@pytest.mark.parametrize("kwargs", [dict(bidirectional=True), dict(batch_first=True)])
def test_refuses_modules_it_cannot_represent(kwargs):
    with pytest.raises(ValueError, match="module must be a unidirectional, time-major nn.RNN"):
        params_from_torch(torch.nn.RNN(2, 3, **kwargs))


def test_stacked_layers_one_at_a_time():
    rng = np.random.default_rng(1)
    module = torch.nn.RNN(3, 4, num_layers=2).double()
    layers = [init_rnn_params(3, 4, rng), init_rnn_params(4, 4, rng)]
    for k, p in enumerate(layers):
        params_to_torch(p, module, layer=k)
    x = rng.normal(size=(5, 2, 3))
    h1, h1_n, _ = rnn_forward(x, None, layers[0])
    h2, h2_n, _ = rnn_forward(h1, None, layers[1])  # layer 2 reads layer 1's states
    with torch.no_grad():
        out, h_n = module(torch.from_numpy(x))
    np.testing.assert_allclose(h2, out.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(np.stack([h1_n, h2_n]), h_n.numpy(), rtol=0, atol=1e-10)
    for k, p in enumerate(layers):
        assert all(np.array_equal(params_from_torch(module, k)[n], p[n]) for n in p)
    with pytest.raises(ValueError, match=r"layer must be in \[0, 1\] for this module, got 2"):
        params_from_torch(module, layer=2)


def test_refuses_mismatched_params():
    with pytest.raises(ValueError, match=r"exactly the keys \['W_hh', 'W_xh'\] for this module"):
        params_to_torch(init_rnn_params(2, 3, np.random.default_rng(0)), torch.nn.RNN(2, 3, bias=False))
    with pytest.raises(ValueError, match=r"W_hh must have shape \(3, 3\), got \(3, 2\)"):
        params_to_torch({"W_xh": np.zeros((3, 2)), "W_hh": np.zeros((3, 2)), "b_h": np.zeros(3)},
                        torch.nn.RNN(2, 3))
    with pytest.raises(TypeError, match="module must be a torch.nn.RNN, nn.LSTM or nn.GRU, got Linear"):
        params_from_torch(torch.nn.Linear(2, 3))


GATED = {"lstm": (torch.nn.LSTM, init_lstm_params), "gru": (torch.nn.GRU, init_gru_params)}


def scratch_forward(kind, x, params):
    """The from-scratch layer's hidden states for x, from zero initial states."""
    return scratch_run(kind, x, params)[0]


def scratch_run(kind, x, params):
    """The from-scratch layer's hidden states and final state (h_n, or (h_n, c_n) for the LSTM)."""
    h, state_n, _ = lstm_forward(x, None, params) if kind == "lstm" else gru_forward(x, None, params)
    return h, state_n


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("kind", GATED)
def test_gated_round_trips(kind, bias):
    module_class, init = GATED[kind]
    rng = np.random.default_rng(2)
    params = init(3, 4, rng, bias=bias)
    back = params_from_torch(params_to_torch(params, module_class(3, 4, bias=bias).double()))
    assert list(back) == list(params)  # the same names, in the same order
    assert all(np.array_equal(back[k], params[k]) for k in params)  # exact

    original = module_class(3, 4, bias=bias).double()  # two nonzero biases
    copy = params_to_torch(params_from_torch(original), module_class(3, 4, bias=bias).double())
    x = torch.from_numpy(rng.normal(size=(5, 2, 3)))
    with torch.no_grad():
        np.testing.assert_allclose(copy(x)[0].numpy(), original(x)[0].numpy(), rtol=0, atol=1e-14)
        h, state_n = scratch_run(kind, x.numpy(), params_from_torch(original))
        out, state_n_ref = original(x)
        np.testing.assert_allclose(h, out.numpy(), rtol=0, atol=1e-14)
        for mine, ref in zip(state_n if kind == "lstm" else (state_n,),
                             state_n_ref if kind == "lstm" else (state_n_ref,), strict=True):
            np.testing.assert_allclose(mine, ref[0].numpy(), rtol=0, atol=1e-14)  # h_n, and c_n for the LSTM


def test_gate_blocks_follow_pytorchs_order():
    """weight_ih_l0 stacks the LSTM's gates as i, f, g, o and the GRU's as r, z, n (PyTorch's documentation)."""
    H = 2
    lstm, gru = torch.nn.LSTM(3, H).double(), torch.nn.GRU(3, H).double()
    for module, gates in ((lstm, "ifgo"), (gru, "rzn")):
        params = params_from_torch(module)
        for k, gate in enumerate(gates):
            rows = slice(k * H, (k + 1) * H)
            assert np.array_equal(params[f"W_x{gate}"], module.weight_ih_l0[rows].detach().numpy())
            assert np.array_equal(params[f"W_h{gate}"], module.weight_hh_l0[rows].detach().numpy())
    bias_ih, bias_hh = lstm.bias_ih_l0.detach().numpy(), lstm.bias_hh_l0.detach().numpy()
    np.testing.assert_array_equal(params_from_torch(lstm)["b_f"], bias_ih[H:2 * H] + bias_hh[H:2 * H])
    params = params_from_torch(gru)
    bias_ih, bias_hh = gru.bias_ih_l0.detach().numpy(), gru.bias_hh_l0.detach().numpy()
    np.testing.assert_array_equal(params["b_z"], bias_ih[H:2 * H] + bias_hh[H:2 * H])  # r and z: they add
    np.testing.assert_array_equal(params["b_xn"], bias_ih[2 * H:])  # n: both kept, b_hn inside r ⊙ (...)
    np.testing.assert_array_equal(params["b_hn"], bias_hh[2 * H:])


@pytest.mark.parametrize("kind", GATED)
def test_gated_stacked_layers_one_at_a_time(kind):
    module_class, init = GATED[kind]
    rng = np.random.default_rng(3)
    module = module_class(3, 4, num_layers=2).double()
    layers = [init(3, 4, rng), init(4, 4, rng)]
    for k, p in enumerate(layers):
        params_to_torch(p, module, layer=k)
    x = rng.normal(size=(5, 2, 3))
    h2 = scratch_forward(kind, scratch_forward(kind, x, layers[0]), layers[1])  # layer 2 reads layer 1's states
    with torch.no_grad():
        out = module(torch.from_numpy(x))[0]
    np.testing.assert_allclose(h2, out.numpy(), rtol=0, atol=1e-10)
    for k, p in enumerate(layers):
        assert all(np.array_equal(params_from_torch(module, k)[n], p[n]) for n in p)


@pytest.mark.parametrize("kind", GATED)
def test_gated_arrays_are_copies_in_the_module_dtype(kind):
    module = GATED[kind][0](2, 3)
    params = params_from_torch(module)
    assert all(p.dtype == np.float32 for p in params.values())
    before = {name: t.detach().clone() for name, t in module.named_parameters()}
    for p in params.values():
        p[...] = 99.0
    assert all(torch.equal(before[name], t) for name, t in module.named_parameters())


def test_refuses_gated_modules_it_cannot_represent():
    with pytest.raises(ValueError, match="module must be a unidirectional, time-major nn.LSTM"):
        params_from_torch(torch.nn.LSTM(2, 3, bidirectional=True))
    with pytest.raises(ValueError, match="module must be a unidirectional, time-major nn.GRU"):
        params_to_torch(init_gru_params(2, 3, np.random.default_rng(0)), torch.nn.GRU(2, 3, batch_first=True))
    with pytest.raises(ValueError, match="module must be an nn.LSTM without projection; got proj_size=2"):
        params_from_torch(torch.nn.LSTM(2, 3, proj_size=2))


def test_refuses_mismatched_gated_params():
    lstm_params = init_lstm_params(2, 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"exactly the keys \['W_hf', 'W_hg', 'W_hi', 'W_ho', 'W_xf', 'W_xg', "
                                         r"'W_xi', 'W_xo'\] for this module"):
        params_to_torch(lstm_params, torch.nn.LSTM(2, 3, bias=False))
    with pytest.raises(ValueError, match=r"exactly the keys \['W_hn', 'W_hr', 'W_hz', 'W_xn', 'W_xr', 'W_xz', "
                                         r"'b_hn', 'b_r', 'b_xn', 'b_z'\] for this module"):
        params_to_torch(lstm_params, torch.nn.GRU(2, 3))  # LSTM params into a GRU
    with pytest.raises(ValueError, match=r"W_hg must have shape \(3, 3\), got \(3, 2\)"):
        params_to_torch({**lstm_params, "W_hg": np.zeros((3, 2))}, torch.nn.LSTM(2, 3))


def test_one_direction_of_a_bidirectional_module():
    """weight_ih_l{k}_reverse and its kin hold the backward direction; layer k > 0 reads both directions."""
    module = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True).double()
    params = init_lstm_params(8, 4, np.random.default_rng(4))  # layer 1's W_x*: (H, 2H)
    params_to_torch(params, module, layer=1, direction="backward")
    np.testing.assert_array_equal(module.weight_ih_l1_reverse[4:8].detach().numpy(), params["W_xf"])  # i, f, ...
    back = params_from_torch(module, layer=1, direction="backward")
    assert list(back) == list(params) and all(np.array_equal(back[k], params[k]) for k in params)
    assert not np.array_equal(params_from_torch(module, layer=1, direction="forward")["W_xf"], params["W_xf"])
    rnn = torch.nn.RNN(3, 4)
    assert all(np.array_equal(params_from_torch(rnn, direction="forward")[k], v)
               for k, v in params_from_torch(rnn).items())
    with pytest.raises(ValueError, match="module must be a unidirectional, time-major nn.LSTM; got bidirectional=True, "
                                         "batch_first=False .* pass direction='forward' or 'backward'"):
        params_from_torch(module, layer=1)
    with pytest.raises(ValueError, match="direction='backward' needs a bidirectional nn.RNN; got bidirectional=False"):
        params_to_torch(params_from_torch(rnn), rnn, direction="backward")
    with pytest.raises(ValueError, match="direction must be one of None, 'forward', 'backward'; got 'reverse'"):
        params_from_torch(module, direction="reverse")
