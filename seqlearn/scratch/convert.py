"""Exact converters between a `params` dict and one layer of a `torch.nn.RNN`.

PyTorch keeps two biases that add, bias_ih_l{k} + bias_hh_l{k}; the math has one, b_h. So
`params_from_torch` returns b_h = bias_ih + bias_hh, and `params_to_torch` writes b_h into bias_ih and
zeros into bias_hh. Both compute the same recurrence. Arrays are copies, in the module's dtype (use
`module.double()` for float64). A stacked module (num_layers > 1) is read or written one `layer` at a time;
layer k > 0 takes layer k-1's hidden states as its input, so its W_xh is (H, H).
"""

import torch

from seqlearn.checks import check_float_array, check_shape


def _check_module(module, layer):
    if not isinstance(module, torch.nn.RNN):
        raise TypeError(f"expected a torch.nn.RNN, got {type(module).__name__}")
    if module.bidirectional or module.batch_first:
        raise ValueError("expected a unidirectional, time-major nn.RNN; got "
                         f"bidirectional={module.bidirectional}, batch_first={module.batch_first}")
    if not 0 <= layer < module.num_layers:
        raise ValueError(f"layer must be in [0, {module.num_layers - 1}] for this module, got {layer}")


def params_from_torch(module, layer=0):
    """nn.RNN -> {"W_xh", "W_hh"[, "b_h"]}, NumPy copies of one layer, in the module's dtype.

    The nonlinearity is not a parameter: pass `module.nonlinearity` to `rnn_forward`.
    """
    _check_module(module, layer)

    def copy(name):  # a copy, so that changing the array never changes the module
        return getattr(module, f"{name}_l{layer}").detach().cpu().numpy().copy()

    params = {"W_xh": copy("weight_ih"), "W_hh": copy("weight_hh")}
    if module.bias:
        params["b_h"] = copy("bias_ih") + copy("bias_hh")  # the two biases always appear as a sum
    return params


def params_to_torch(params, module, layer=0):
    """Write `params` into one layer of `module` in place and return the module.

    The module keeps its dtype: float64 params written into a float32 module are rounded to float32.
    """
    _check_module(module, layer)
    H = module.hidden_size
    D = module.input_size if layer == 0 else H
    expected = {"W_xh": (H, D), "W_hh": (H, H)} | ({"b_h": (H,)} if module.bias else {})
    if set(params) != set(expected):
        raise ValueError(f"params must have exactly the keys {sorted(expected)} for this module, "
                         f"got {sorted(params)}")
    targets = {"W_xh": f"weight_ih_l{layer}", "W_hh": f"weight_hh_l{layer}", "b_h": f"bias_ih_l{layer}"}
    with torch.no_grad():
        for name, shape in expected.items():
            value = check_shape(name, check_float_array(name, params[name]), shape)
            getattr(module, targets[name]).copy_(torch.from_numpy(value))
        if module.bias:
            getattr(module, f"bias_hh_l{layer}").zero_()
    return module
