"""Bad-input entries for the from-scratch layers: `seqlearn.scratch.rnn`, `lstm`, `gru`, `steps`, `fast`, `gates`,
`stacked`, `output` and `jordan`.

Shapes are tiny (T = 2, N = 2, D = 3, H = 4) so that each case takes a millisecond. Every layer's state
messages name the state's own symbol (h0, h_prev, dh_n), as the docstrings write it, hence `names`.
"""

import dataclasses

import numpy as np

from bad_inputs.catalogue import Bad, Entry, const, role_bads
from seqlearn import scratch
from seqlearn.scratch import fast, gates, gru, jordan, lstm, output, rnn, stacked, steps

T, N, D, H, O = 2, 2, 3, 4, 2


def _x(*shape):
    return np.random.default_rng(1).normal(size=shape)


def _gen():
    return np.random.default_rng(0)


def _rng_state(args):
    """What a refused init or a refused dropout must leave untouched: the generator's state."""
    rng = args.get("rng")
    return rng.bit_generator.state if isinstance(rng, np.random.Generator) else None


DTYPE = [const("None", None), const("int64", np.int64), const("int-name", "int32"), const("bool", bool),
         const("complex", np.complex128), const("unknown-name", "no-such-dtype"), const("int", 3)]
# A cache that is not this backward's: None, a plain tuple of its fields, or another layer's cache (`other`).
def cache_bads(other):
    return [const("None", None), Bad("tuple", lambda v: tuple(v)), Bad("other-layer", lambda v: other())]


def pair_bads(first, second):
    """An LSTM state (h, c) or its gradient: the pair's structure, then each entry (whose message names it)."""
    return [Bad("one-array", lambda v: v[0]), const("str", "hc"), Bad("three", lambda v: (*v, v[0])),
            Bad("one", lambda v: (v[0],)),
            Bad("int-first", lambda v: (v[0].astype(np.int64), v[1]), names=(first,)),
            Bad("list-second", lambda v: (v[0], v[1].tolist()), names=(second,)),
            Bad("other-float-second", lambda v: (v[0], v[1].astype(np.float32)), names=(second,)),
            Bad("wider-first", lambda v: (np.ones((N, H + 1)), v[1]), names=(first,)),
            Bad("extra-axis-second", lambda v: (v[0], v[1][None]), names=(second,))]


STATE = {"rnn": "array?", "gru": "array?", "lstm": pair_bads("h0", "c0")}
STEP_STATE = {"rnn": "array?", "gru": "array?", "lstm": pair_bads("h_prev", "c_prev")}
STATE_NAMES = {"rnn": {"state0": "h0"}, "gru": {"state0": "h0"}, "lstm": {}}
OPTION = {"rnn": "nonlinearity", "gru": "variant", "lstm": None}
INIT = {"rnn": scratch.init_rnn_params, "lstm": scratch.init_lstm_params, "gru": scratch.init_gru_params}
MODULE = {"rnn": rnn, "lstm": lstm, "gru": gru}
OTHER = {"rnn": "gru", "lstm": "rnn", "gru": "lstm"}  # whose cache to hand to a backward by mistake


def _params(cell):
    return INIT[cell](D, H, _gen())


def _state(cell, *lead):
    h = _x(*lead, N, H)
    return (h, h + 1) if cell == "lstm" else h


def _forward(cell, kind="sequence"):
    """The layer's forward function: "sequence", "fast" or "step"."""
    name = {"sequence": f"{cell}_forward", "fast": f"fast_{cell}_forward", "step": f"{cell}_step_forward"}[kind]
    return getattr(scratch, name)


def _cache(cell, kind="sequence"):
    x = _x(N, D) if kind == "step" else _x(T, N, D)
    return _forward(cell, kind)(x, None, _params(cell))[2]


def forward_entry(cell, kind):
    step = kind == "step"
    xname, sname = ("x_t", "state_prev") if step else ("x", "state0")

    def valid():
        args = {xname: _x(N, D) if step else _x(T, N, D), sname: _state(cell), "params": _params(cell)}
        if not step:
            args["truncate"] = 1
        return args | ({OPTION[cell]: "tanh" if cell == "rnn" else "original"} if OPTION[cell] else {})
    roles = {xname: "array", sname: (STEP_STATE if step else STATE)[cell], "params": "params"}
    roles |= {} if step else {"truncate": "size?"}
    roles |= {OPTION[cell]: "choice"} if OPTION[cell] else {}
    names = {"state_prev": "h_prev"} if step and cell != "lstm" else ({} if step else STATE_NAMES[cell])
    return Entry(_forward(cell, kind), valid, roles, names=names, unchanged=lambda a: a["params"])


def backward_entry(cell, kind):
    step = kind == "step"
    dname, sname = ("dh_t", "dstate_t") if step else ("dh", "dstate_n")
    name = {"sequence": f"{cell}_backward", "fast": f"fast_{cell}_backward", "step": f"{cell}_step_backward"}[kind]

    def valid():
        return {dname: _x(N, H) if step else _x(T, N, H), "cache": _cache(cell, kind), sname: _state(cell)}
    pair = pair_bads("dstate_t", "dstate_t") if step else pair_bads("dh_n", "dc_n")
    roles = {dname: "array?" if step else "array",  # a step's dh_t may be None: no loss on h_t (zeros)
             "cache": cache_bads(lambda: _cache(OTHER[cell], kind)),
             sname: pair if cell == "lstm" else "array?"}
    return Entry(getattr(scratch, name), valid, roles)


def init_entry(cell):
    def valid():
        args = {"D": D, "H": H, "rng": _gen(), "bias": True, "dtype": "float32"}
        return args | ({"forget_bias": 1.0} if cell == "lstm" else {})
    roles = {"D": "size", "H": "size", "rng": "rng", "bias": "flag", "dtype": DTYPE}
    roles |= {"forget_bias": "number"} if cell == "lstm" else {}
    return Entry(INIT[cell], valid, roles, unchanged=_rng_state)


CELLS = ("rnn", "lstm", "gru")
LAYER_ENTRIES = [init_entry(cell) for cell in CELLS]
LAYER_ENTRIES += [make(cell, kind) for cell in CELLS for kind in ("sequence", "fast", "step")
                  for make in (forward_entry, backward_entry)]

# chain_forward runs a step function: x reaches it as x_t, so a disagreement with params names x_t.
CHAIN_X = [dataclasses.replace(b, names=("x_t",)) if b.mismatch else b for b in role_bads("array")]
CHAIN_ENTRIES = [
    Entry(scratch.chain_forward, lambda: {"step_forward": scratch.rnn_step_forward, "x": _x(T, N, D),
                                          "state0": _x(N, H), "params": _params("rnn"), "truncate": 1},
          {"step_forward": "callable", "x": CHAIN_X, "state0": "array?", "params": "params", "truncate": "size?"},
          names={"state0": "h_prev"}),
    Entry(scratch.chain_backward, lambda: {"step_backward": scratch.rnn_step_backward, "dh": _x(T, N, H),
                                           "cache": _cache("rnn"), "dstate_n": _x(N, H)},
          {"step_backward": "callable", "dh": "array", "dstate_n": "array?",
           "cache": cache_bads(lambda: _cache("lstm"))},
          names={"dstate_n": "dstate_t"}),  # the first step's backward reads it as its dstate_t
]

SIGMOID_A = [const("list", [1.0, 2.0]), const("None", None), const("str", "x"), const("bool", True),
             const("complex", 1j), Bad("bool-array", lambda v: v > 0), Bad("complex-array", lambda v: v + 0j),
             Bad("str-array", lambda v: v.astype(str)), const("numpy-bool", np.bool_(True))]
GATE_ENTRIES = [
    # sigmoid(a) acts element by element on any shape; an integer array gives float64, as np.tanh does
    Entry(scratch.sigmoid, lambda: {"a": _x(2, 3), "out": np.empty((2, 3))}, {"a": SIGMOID_A, "out": "array?"},
          unchanged=lambda a: a["out"]),
]

STACKED_PARAMS = [
    const("None", None), const("empty", []), Bad("dict", lambda v: v[0][0]),
    Bad("typo-key", lambda v: [[{**p, "b_hx": p["b_h"]} for p in layer] for layer in v], names=("b_hx",)),
    Bad("int-entry", lambda v: [[{**p, "W_hh": p["W_hh"].astype(int)} for p in layer] for layer in v],
        names=("W_hh",)),
    Bad("float32-entry", lambda v: [[{**p, "b_h": p["b_h"].astype(np.float32)} for p in layer] for layer in v],
        names=("b_h",)),
    Bad("three-directions", lambda v: [layer + layer[:1] for layer in v]),
    Bad("ragged-directions", lambda v: [v[0], v[1][:1]]),
    Bad("other-H", lambda v: [v[0], [INIT["rnn"](2 * H, H + 1, _gen())] * 2], names=("H",)),
]


def _stacked_cache(cell="rnn"):
    params = scratch.init_stacked_params(cell, D, H, 2, True, _gen())
    return scratch.stacked_forward(_x(T, N, D), None, params, cell=cell)[2]


STACKED_ENTRIES = [
    Entry(scratch.init_stacked_params,
          lambda: {"cell": "gru", "D": D, "H": H, "num_layers": 2, "bidirectional": True, "rng": _gen(),
                   "dtype": np.float32},
          {"cell": "choice", "D": "size", "H": "size", "num_layers": "size", "bidirectional": "flag", "rng": "rng",
           "dtype": DTYPE}, unchanged=_rng_state),
    Entry(scratch.stacked_forward,
          lambda: {"x": _x(T, N, D), "state0": _x(4, N, H), "cell": "rnn", "dropout": 0.5, "training": True,
                   "rng": _gen(), "params": scratch.init_stacked_params("rnn", D, H, 2, True, _gen())},
          {"x": "array", "state0": "array?", "params": STACKED_PARAMS, "cell": "choice", "dropout": "probability",
           "training": "flag", "rng": "rng"},
          extra={"dropout": [const("one", 1.0)]},  # 1.0 would drop everything: [0, 1)
          names={"state0": "h0"}, unchanged=lambda a: (_rng_state(a), a["params"])),
    Entry(scratch.stacked_backward, lambda: {"dout": _x(T, N, 2 * H), "cache": _stacked_cache(),
                                             "dstate_n": _x(4, N, H)},
          {"dout": "array", "dstate_n": "array?", "cache": cache_bads(lambda: _cache("rnn"))},
          names={"dstate_n": "dh_n"}),
]

AFFINE = lambda: {"h": _x(T, N, H), "W": _x(O, H), "b": _x(O)}  # noqa: E731
MASK = [Bad("int", lambda v: v.astype(int)), Bad("float", lambda v: v.astype(float)), const("str", "mask"),
        Bad("wrong-shape", lambda v: v[None]), Bad("transposed", lambda v: v.T.copy()[:1]),
        Bad("all-False", lambda v: np.zeros_like(v))]
OUTPUT_ENTRIES = [
    Entry(scratch.affine_forward, AFFINE, {"h": "array", "W": "array", "b": "array"},
          skip={"h": ("extra-axis", "one-axis-less")}),  # h (..., H): any leading shape is valid
    Entry(scratch.affine_backward, lambda: {"dy": _x(T, N, O), "cache": scratch.affine_forward(**AFFINE())[1]},
          {"dy": "array", "cache": cache_bads(lambda: _cache("rnn"))}),
    # softmax along the last axis of any float array: another float dtype, more axes or more classes are valid
    Entry(scratch.softmax, lambda: {"logits": _x(T, N, O)}, {"logits": "array"},
          skip={"logits": ("other-float", "extra-axis", "one-axis-less", "wider")},
          extra={"logits": [Bad("no-class", lambda v: v[..., :0]), const("scalar", np.float64(1.0))]}),
    Entry(scratch.softmax_cross_entropy,
          lambda: {"logits": _x(T, N, 3), "targets": np.array([[0, 2], [1, 1]]), "reduction": "mean",
                   "mask": np.array([[True, False], [True, True]])},
          {"logits": "finite_array", "targets": "ids", "reduction": "choice", "mask": MASK},
          skip={"logits": ("other-float", "wider")},  # a float32 loss is valid, and so is a class no target uses
          extra={"logits": [Bad("no-token", lambda v: v[:0]), Bad("no-class", lambda v: v[..., :0])]}),
]


def _jordan_cache():
    return scratch.jordan_forward(_x(T, N, D), None, scratch.init_jordan_params(D, H, O, _gen()))[2]


JORDAN_ENTRIES = [
    Entry(scratch.init_jordan_params, lambda: {"D": D, "H": H, "O": O, "rng": _gen(), "dtype": np.float64},
          {"D": "size", "H": "size", "O": "size", "rng": "rng", "dtype": DTYPE}, unchanged=_rng_state),
    Entry(scratch.jordan_forward, lambda: {"x": _x(T, N, D), "y0": _x(N, O),
                                           "params": scratch.init_jordan_params(D, H, O, _gen())},
          {"x": "array", "y0": "array?", "params": "params"}, unchanged=lambda a: a["params"]),
    Entry(scratch.jordan_backward, lambda: {"dy": _x(T, N, O), "cache": _jordan_cache()},
          {"dy": "array", "cache": cache_bads(lambda: _cache("rnn"))}),
]

ENTRIES = LAYER_ENTRIES + CHAIN_ENTRIES + GATE_ENTRIES + STACKED_ENTRIES + OUTPUT_ENTRIES + JORDAN_ENTRIES
assert {e.target.__module__ for e in ENTRIES} == {m.__name__ for m in (rnn, lstm, gru, steps, fast, gates, stacked,
                                                                        output, jordan)}
