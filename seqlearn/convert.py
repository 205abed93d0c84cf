"""Exact converters between `params` dicts and the layers of a `torch.nn.RNN`, `nn.LSTM` or `nn.GRU`.

This is the one place where the NumPy layers of `seqlearn.scratch` meet PyTorch, so it lives outside
`seqlearn.scratch`, which imports with NumPy alone.

PyTorch stacks a gated layer's gates into one matrix: weight_ih_l{k} is [W_xi; W_xf; W_xg; W_xo] for the
LSTM and [W_xr; W_xz; W_xn] for the GRU, each block (H, D); weight_hh_l{k} and the biases likewise.
The RNN is the one-gate case: weight_ih_l{k} is W_xh.

PyTorch keeps two biases, bias_ih_l{k} and bias_hh_l{k}. For the RNN, the LSTM and the GRU's r and z they
add, and the math has one: `params_from_torch` returns b_h = bias_ih + bias_hh (b_i, ..., b_r, b_z), and
`params_to_torch` writes it into bias_ih and zeros into bias_hh. Both compute the same recurrence. The GRU's
candidate n keeps both, because b_hn sits inside the reset product r ⊙ (W_hn h + b_hn): b_xn is bias_ih's
n block and b_hn bias_hh's. Only `gru_forward(..., variant="pytorch")` matches an nn.GRU: the 2014
original (variant="original") puts the reset gate before W_hn, and torch has no module that does that.

Arrays are copies, in the module's dtype (use `module.double()` for float64). A stacked module
(num_layers > 1) is read or written one `layer` at a time; layer k > 0 takes layer k-1's hidden states as
its input, so its W_x* are (H, H), or (H, 2H) when bidirectional. A bidirectional module keeps a second set
of parameters per layer, weight_ih_l{k}_reverse and so on, for its backward direction: pick one with
`direction="forward"` or `"backward"`. `stacked_params_from_torch` and `stacked_params_to_torch` convert
every layer and direction at once, as the list params[k][d] that `stacked_forward` takes.
The nonlinearity of an nn.RNN is not a parameter: pass `module.nonlinearity` to `rnn_forward`.

The whole `seqlearn.seq2seq_models.Seq2Seq` converts too, under the flat names of `seqlearn.scratch.seq2seq`:
`seq2seq_params_from_torch`, `seq2seq_params_to_torch` and, after a backward pass, `seq2seq_grads_from_torch`
(all three are also importable from `seqlearn.seq2seq_models`).
"""

import copy

import numpy as np
import torch

from seqlearn.checks import check_choice, check_count, check_float_array, check_keys, check_same_dtype, check_shape
from seqlearn.scratch.gru import GRU_GATES
from seqlearn.scratch.lstm import LSTM_GATES
from seqlearn.scratch.stacked import DIRECTIONS

# PyTorch's stacking order of each module's gates; the RNN is the one-gate case, named after its W_xh.
MODULE_GATES = {torch.nn.RNN: ("h",), torch.nn.LSTM: LSTM_GATES, torch.nn.GRU: GRU_GATES}


def _gates(module, layer, direction=None):
    """Check that one layer (and direction) of `module` can be represented; return its gates, e.g. LSTM_GATES."""
    gates = next((gates for kind, gates in MODULE_GATES.items() if isinstance(module, kind)), None)
    if gates is None:
        raise TypeError(f"module must be a torch.nn.RNN, nn.LSTM or nn.GRU, got {type(module).__name__}")
    kind = type(module).__name__
    check_count("layer", layer)  # an int index: True is not layer 1
    check_choice("direction", direction, (None, *DIRECTIONS))
    if module.batch_first or (module.bidirectional and direction is None):
        raise ValueError(f"module must be a unidirectional, time-major nn.{kind}; got "
                         f"bidirectional={module.bidirectional}, batch_first={module.batch_first} (for one "
                         "direction of a time-major bidirectional module, pass direction='forward' or 'backward')")
    if direction == "backward" and not module.bidirectional:
        raise ValueError(f"direction='backward' needs a bidirectional nn.{kind}; got bidirectional=False")
    if getattr(module, "proj_size", 0):
        raise ValueError(f"module must be an nn.LSTM without projection; got proj_size={module.proj_size}")
    if layer >= module.num_layers:
        raise ValueError(f"layer must be in [0, {module.num_layers - 1}] for this module, got {layer}")
    return gates


def _bias_names(gate):
    return ("b_xn", "b_hn") if gate == "n" else (f"b_{gate}",)  # the GRU's n keeps both biases


def _suffix(direction):
    return "_reverse" if direction == "backward" else ""  # weight_ih_l0_reverse is the backward direction's


def params_from_torch(module, layer=0, direction=None):
    """nn.RNN -> {W_xh, W_hh[, b_h]}; nn.LSTM -> {W_xi, W_hi[, b_i], ..., W_xo, W_ho[, b_o]};
    nn.GRU -> {W_xr, W_hr[, b_r], W_xz, W_hz[, b_z], W_xn, W_hn[, b_xn, b_hn]}: NumPy copies of one layer,
    in the module's dtype.

    direction: None for a unidirectional module; "forward" or "backward" (the `_reverse` parameters) for
    one direction of a bidirectional one.
    """
    gates = _gates(module, layer, direction)

    def blocks(name):  # copies, so that changing an array never changes the module; one (H, ...) per gate
        stacked = getattr(module, f"{name}_l{layer}{_suffix(direction)}").detach().cpu().numpy()
        return [block.copy() for block in np.split(stacked, len(gates))]

    W_x, W_h = blocks("weight_ih"), blocks("weight_hh")
    if module.bias:
        b_ih, b_hh = blocks("bias_ih"), blocks("bias_hh")
    params = {}
    for k, gate in enumerate(gates):
        params[f"W_x{gate}"], params[f"W_h{gate}"] = W_x[k], W_h[k]
        if module.bias and gate == "n":
            params["b_xn"], params["b_hn"] = b_ih[k], b_hh[k]
        elif module.bias:
            params[f"b_{gate}"] = b_ih[k] + b_hh[k]  # the two biases always appear as a sum
    return params


def params_to_torch(params, module, layer=0, direction=None):
    """Write `params` into one layer of `module` (nn.RNN, nn.LSTM or nn.GRU) in place and return the module.

    direction: None for a unidirectional module; "forward" or "backward" for one direction of a
    bidirectional one. The module keeps its dtype: float64 params written into a float32 module are
    rounded to float32. Every array is checked before any is written, so a refused call changes nothing.
    """
    _write(_torch_layer(params, module, layer, direction), module)
    return module


def _torch_layer(params, module, layer, direction):
    """Check `params` for one layer of `module`; return {module's parameter name: new value}, written by `_write`."""
    gates = _gates(module, layer, direction)
    H = module.hidden_size
    D = module.input_size if layer == 0 else H * (2 if module.bidirectional else 1)  # the layer below's states
    expected = {}
    for gate in gates:
        expected |= {f"W_x{gate}": (H, D), f"W_h{gate}": (H, H)}
        if module.bias:
            expected |= {name: (H,) for name in _bias_names(gate)}
    check_keys("params", params, tuple(expected),
               takes=f"it must have exactly the keys {sorted(expected)} for this module")
    first = next(iter(expected))
    for name, shape in expected.items():
        check_shape(name, check_float_array(name, params[name]), shape)
        check_same_dtype(name, params[name], params[first].dtype, first)  # one dtype: float64 or float32

    def stacked(names):  # fresh, contiguous and native (from_numpy refuses negative strides, big-endian)
        return np.concatenate([params[name] for name in names], dtype=np.float64)

    at = f"_l{layer}{_suffix(direction)}"  # e.g. weight_ih + "_l1_reverse"
    new = {f"weight_ih{at}": stacked(f"W_x{gate}" for gate in gates),
           f"weight_hh{at}": stacked(f"W_h{gate}" for gate in gates)}
    if module.bias:
        new[f"bias_ih{at}"] = stacked(_bias_names(gate)[0] for gate in gates)  # b_h, b_i, ..., or b_r, b_z, b_xn
        new[f"bias_hh{at}"] = np.zeros_like(new[f"bias_ih{at}"])
        if "n" in gates:  # the GRU's b_hn stays apart, inside the reset product
            new[f"bias_hh{at}"][2 * H:] = params["b_hn"]
    return new


def _write(new, module):
    with torch.no_grad():
        for name, value in new.items():
            getattr(module, name).copy_(torch.from_numpy(value))


def _directions(module):
    """The module's directions, ("forward",) or ("forward", "backward"), once it is checked."""
    _gates(module, 0, "forward")
    return DIRECTIONS if module.bidirectional else DIRECTIONS[:1]


def stacked_params_from_torch(module):
    """Every layer and direction of an nn.RNN, nn.LSTM or nn.GRU as params[k][d], the list over layers of
    lists over directions (forward, then backward when bidirectional) that `stacked_forward` takes.
    """
    directions = _directions(module)
    return [[params_from_torch(module, k, direction) for direction in directions]
            for k in range(module.num_layers)]


def stacked_params_to_torch(params, module):
    """Write params[k][d] into every layer and direction of `module` in place and return the module."""
    directions = _directions(module)
    if not isinstance(params, list | tuple) or len(params) != module.num_layers:
        got = f"{len(params)} layers" if isinstance(params, list | tuple) else type(params).__name__
        raise ValueError(f"params must be a list of num_layers={module.num_layers} layers for this module, "
                         f"got {got}")
    for k, layer in enumerate(params):
        if not isinstance(layer, list | tuple) or len(layer) != len(directions):
            got = f"{len(layer)} direction(s)" if isinstance(layer, list | tuple) else type(layer).__name__
            raise ValueError(f"params[{k}] must be a list of {len(directions)} direction(s) for this module "
                             f"(bidirectional={module.bidirectional}), got {got}")
    # every layer checked before any is written: a bad last layer must not leave the first ones overwritten
    new = [_torch_layer(p, module, k, d) for k, layer in enumerate(params)
           for p, d in zip(layer, directions, strict=True)]
    for layer in new:
        _write(layer, module)
    return module


def _check_seq2seq(model):
    from seqlearn.seq2seq_models import Seq2Seq  # here, not at the top: seq2seq_models imports this module

    if not isinstance(model, Seq2Seq):
        raise TypeError(f"model must be a Seq2Seq, got {type(model).__name__}")
    return model


def seq2seq_params_from_torch(model):
    """A Seq2Seq -> the NumPy model's flat dict of copies ("encoder.W_xr", ..., "W_y", "b_y"), model's dtype."""
    _check_seq2seq(model)
    params = {f"{part}.{name}": p for part in ("encoder", "decoder")
              for name, p in params_from_torch(getattr(model, part)).items()}
    if model.attention is not None:
        params |= {f"attention.{name}": p.detach().cpu().numpy().copy()
                   for name, p in model.attention.named_parameters()}
    layers = (("W_c", "b_c", model.W_c), ("W_y", "b_y", model.W_y))
    for weight, bias, layer in (layers if model.W_c is not None else layers[1:]):
        params[weight], params[bias] = (p.detach().cpu().numpy().copy() for p in (layer.weight, layer.bias))
    return params


def seq2seq_grads_from_torch(model):
    """After backward: the gradients under the NumPy names. nn.GRU's two biases of r and z add up to the NumPy
    b_r, b_z, so each gets that one's gradient: keep bias_ih's and drop bias_hh's r and z blocks."""
    missing = [name for name, p in _check_seq2seq(model).named_parameters() if p.grad is None]
    if missing:
        raise ValueError(f"model has no gradient for {missing}: call loss.backward() first")
    grads = copy.deepcopy(model)
    for g, p in zip(grads.parameters(), model.parameters(), strict=True):
        g.data = p.grad.detach().clone()
    for gru in (grads.encoder, grads.decoder):
        gru.bias_hh_l0.data[:2 * gru.hidden_size] = 0
    return seq2seq_params_from_torch(grads)


def seq2seq_params_to_torch(params, model):
    """Write the NumPy model's flat dict into `model` (a Seq2Seq) in place and return it; every name and shape
    must match, in one float dtype (W_y's). The model keeps its dtype. All is checked before anything is written."""
    expected = {name: tuple(p.shape) for name, p in seq2seq_params_from_torch(model).items()}
    check_keys("params", params, tuple(expected),
               takes=f"it must have exactly the keys {sorted(expected)} for this model")
    dtype = check_float_array("W_y", params["W_y"]).dtype
    for name, shape in expected.items():
        check_shape(name, check_float_array(name, params[name], dtype=dtype), shape)
    grus = [(_torch_layer({n.split(".", 1)[1]: p for n, p in params.items() if n.startswith(f"{part}.")},
                          getattr(model, part), 0, None), getattr(model, part)) for part in ("encoder", "decoder")]
    others = {f"attention.{n}": p for n, p in (model.attention.named_parameters() if model.attention else ())}
    others |= {"W_y": model.W_y.weight, "b_y": model.W_y.bias}
    if model.W_c is not None:
        others |= {"W_c": model.W_c.weight, "b_c": model.W_c.bias}
    for new, gru in grus:
        _write(new, gru)
    with torch.no_grad():
        for name, p in others.items():
            p.copy_(torch.from_numpy(np.ascontiguousarray(params[name], dtype=np.float64)))  # any strides, native
    return model
