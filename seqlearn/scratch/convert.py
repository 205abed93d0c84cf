"""Exact converters between a `params` dict and a single-layer `torch.nn.RNN`.

PyTorch keeps two biases that add, bias_ih_l0 + bias_hh_l0; the math has one, b_h. So
`params_from_torch` returns b_h = bias_ih_l0 + bias_hh_l0, and `params_to_torch` writes b_h into
bias_ih_l0 and zeros into bias_hh_l0. Both compute the same recurrence. Arrays are copies, in the
module's dtype (use `module.double()` for float64).
"""

import torch

from seqlearn.checks import check_float_array, check_shape


def _check_module(module):
    if not isinstance(module, torch.nn.RNN):
        raise TypeError(f"expected a torch.nn.RNN, got {type(module).__name__}")
    if module.num_layers != 1 or module.bidirectional or module.batch_first:
        raise ValueError(
            "expected a single-layer, unidirectional, time-major nn.RNN; got "
            f"num_layers={module.num_layers}, bidirectional={module.bidirectional}, batch_first={module.batch_first}"
        )


def params_from_torch(module):
    """nn.RNN -> {"W_xh", "W_hh"[, "b_h"]} NumPy copies; the nonlinearity is `module.nonlinearity`."""
    _check_module(module)
    with torch.no_grad():
        params = {"W_xh": module.weight_ih_l0.numpy().copy(), "W_hh": module.weight_hh_l0.numpy().copy()}
        if module.bias:
            params["b_h"] = (module.bias_ih_l0 + module.bias_hh_l0).numpy().copy()
    return params


def params_to_torch(params, module):
    """Write `params` into `module` (in place, keeping its dtype) and return it."""
    _check_module(module)
    H, D = module.hidden_size, module.input_size
    expected = {"W_xh": (H, D), "W_hh": (H, H)} | ({"b_h": (H,)} if module.bias else {})
    if set(params) != set(expected):
        raise ValueError(f"params must have exactly the keys {sorted(expected)} for this module, got {sorted(params)}")
    with torch.no_grad():
        for name, target in (("W_xh", module.weight_ih_l0), ("W_hh", module.weight_hh_l0)):
            target.copy_(torch.from_numpy(check_shape(name, check_float_array(name, params[name]), expected[name])))
        if module.bias:
            module.bias_ih_l0.copy_(torch.from_numpy(check_shape("b_h", check_float_array("b_h", params["b_h"]), (H,))))
            module.bias_hh_l0.zero_()
    return module

