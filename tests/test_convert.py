import numpy as np
import pytest
import torch

from seqlearn.scratch import init_rnn_params, params_from_torch, params_to_torch, rnn_forward


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
        h, _ = rnn_forward(x.numpy(), None, params_from_torch(original), nonlinearity)
        np.testing.assert_allclose(h, original(x)[0].numpy(), rtol=0, atol=1e-14)


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
    with pytest.raises(ValueError, match="expected a unidirectional, time-major nn.RNN"):
        params_from_torch(torch.nn.RNN(2, 3, **kwargs))


def test_stacked_layers_one_at_a_time():
    rng = np.random.default_rng(1)
    module = torch.nn.RNN(3, 4, num_layers=2).double()
    layers = [init_rnn_params(3, 4, rng), init_rnn_params(4, 4, rng)]
    for k, p in enumerate(layers):
        params_to_torch(p, module, layer=k)
    x = rng.normal(size=(5, 2, 3))
    h1, _ = rnn_forward(x, None, layers[0])
    h2, _ = rnn_forward(h1, None, layers[1])  # layer 2 reads layer 1's states
    with torch.no_grad():
        out, h_n = module(torch.from_numpy(x))
    np.testing.assert_allclose(h2, out.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(np.stack([h1[-1], h2[-1]]), h_n.numpy(), rtol=0, atol=1e-10)
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
    with pytest.raises(TypeError, match="expected a torch.nn.RNN, got LSTM"):
        params_from_torch(torch.nn.LSTM(2, 3))
