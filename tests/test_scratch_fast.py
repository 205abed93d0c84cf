"""`seqlearn.scratch.fast` against the reference layers: the same values (float64, 1e-12), the same contract and
the same errors, for every cell, option and shape."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlearn.scratch import (
    fast_gru_backward,
    fast_gru_forward,
    fast_lstm_backward,
    fast_lstm_forward,
    fast_rnn_backward,
    fast_rnn_forward,
    gru_backward,
    gru_forward,
    init_gru_params,
    init_lstm_params,
    init_rnn_params,
    lstm_backward,
    lstm_forward,
    rnn_backward,
    rnn_forward,
)

TOL = 1e-12

# cell -> (the reference forward and backward, the fast ones, init, whether the state is the pair (h, c))
LAYERS = {
    "rnn": ((rnn_forward, rnn_backward), (fast_rnn_forward, fast_rnn_backward), init_rnn_params, False),
    "lstm": ((lstm_forward, lstm_backward), (fast_lstm_forward, fast_lstm_backward), init_lstm_params, True),
    "gru": ((gru_forward, gru_backward), (fast_gru_forward, fast_gru_backward), init_gru_params, False),
}
# every cell with every option: (cell, options)
CONFIGS = [("rnn", {"nonlinearity": "tanh"}), ("rnn", {"nonlinearity": "relu"}), ("lstm", {}),
           ("gru", {"variant": "pytorch"}), ("gru", {"variant": "original"})]
IDS = ["rnn-tanh", "rnn-relu", "lstm", "gru-pytorch", "gru-original"]


def parts(state, pair):
    """A state (or its gradient) as a tuple of arrays: (h, c) for the LSTM, (h,) for the others."""
    return tuple(state) if pair else (state,)


def arrays_in(state):
    """The arrays a state (or its gradient) holds: none for None, and the entries of an LSTM pair not None."""
    if state is None:
        return ()
    return tuple(a for a in (state if isinstance(state, tuple) else (state,)) if a is not None)


def assert_close(a, b):
    assert a.shape == b.shape and a.dtype == b.dtype
    np.testing.assert_allclose(a, b, rtol=0, atol=TOL)


def assert_same_results(mine, ref, pair):
    """(h, state_n, cache) of two forwards, or (dx, dstate0, grads) of two backwards: equal to TOL."""
    assert_close(mine[0], ref[0])
    assert isinstance(mine[1], tuple) == isinstance(ref[1], tuple) == pair  # the state's structure
    for m, r in zip(parts(mine[1], pair), parts(ref[1], pair), strict=True):
        assert_close(m, r)
    if isinstance(ref[2], dict):  # the grads
        assert list(mine[2]) == list(ref[2])  # named, and ordered, like the params
        for name in ref[2]:
            assert_close(mine[2][name], ref[2][name])


def draw_state(rng, N, H, pair, which):
    """A state or a final-state gradient: None, or (for the LSTM) a pair with either entry possibly None."""
    if which == "none":
        return None
    if not pair:
        return rng.normal(size=(N, H))
    return tuple(rng.normal(size=(N, H)) if which in (part, "both") else None for part in ("h", "c"))


def check_fast_equals_reference(cell, options, T, N, D, H, bias, truncate, given_state, given_final, seed):
    reference, fast, init, pair = LAYERS[cell]
    rng = np.random.default_rng(seed)
    params = init(D, H, rng, bias=bias)
    x, dh = rng.normal(size=(T, N, D)), rng.normal(size=(T, N, H))
    state0 = draw_state(rng, N, H, pair, given_state)
    dstate_n = draw_state(rng, N, H, pair, given_final)
    inputs = [x, dh, *arrays_in(state0), *arrays_in(dstate_n), *params.values()]
    before = [a.copy() for a in inputs]

    ref = reference[0](x, state0, params, **options, truncate=truncate)
    mine = fast[0](x, state0, params, **options, truncate=truncate)
    assert mine[0].shape == (T, N, H)
    assert_same_results(mine, ref, pair)
    np.testing.assert_array_equal(parts(mine[1], pair)[0], mine[0][-1])  # h_n is h[-1]

    ref_grads = reference[1](dh, ref[2], dstate_n)
    mine_grads = fast[1](dh, mine[2], dstate_n)
    assert mine_grads[0].shape == (T, N, D)
    assert_same_results(mine_grads, ref_grads, pair)
    again = fast[1](dh, mine[2], dstate_n)  # the backward leaves the cache as it found it
    assert_same_results(again, mine_grads, pair)
    for a, b in zip(inputs, before, strict=True):  # and neither pass changes what it was given
        np.testing.assert_array_equal(a, b)


STATES = {False: ["none", "h"], True: ["none", "h", "c", "both"]}


@settings(max_examples=80)
@given(config=st.sampled_from(CONFIGS), T=st.integers(1, 6), N=st.integers(1, 4), D=st.integers(1, 5),
       H=st.integers(1, 5), bias=st.booleans(), truncate=st.sampled_from([None, 1, 2, 3, 7]),
       data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_fast_equals_reference_any_shape(config, T, N, D, H, bias, truncate, data, seed):
    cell, options = config
    choices = STATES[LAYERS[cell][3]]
    given_state, given_final = data.draw(st.sampled_from(choices)), data.draw(st.sampled_from(choices))
    check_fast_equals_reference(cell, options, T, N, D, H, bias, truncate, given_state, given_final, seed)


SHAPES = [(1, 1, 1, 1), (1, 3, 2, 4), (5, 1, 3, 2), (4, 2, 3, 5), (7, 3, 6, 4)]  # (T, N, D, H)


@pytest.mark.parametrize("given", [False, True], ids=["no-state", "state"])
@pytest.mark.parametrize("truncate", [None, 2], ids=["full", "truncate2"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
@pytest.mark.parametrize("shape", SHAPES, ids=["T{}-N{}-D{}-H{}".format(*shape) for shape in SHAPES])
@pytest.mark.parametrize("cell, options", CONFIGS, ids=IDS)
def test_fast_equals_reference(cell, options, shape, bias, truncate, given):
    """given: state0 and dstate_n given (both entries for the LSTM), or both None."""
    which = ("both" if LAYERS[cell][3] else "h") if given else "none"
    check_fast_equals_reference(cell, options, *shape, bias, truncate, which, which, seed=sum(shape))


@pytest.mark.parametrize("cell, options", CONFIGS, ids=IDS)
def test_float32_stays_float32(cell, options):
    reference, fast, init, pair = LAYERS[cell]
    rng = np.random.default_rng(1)
    params = init(3, 4, rng, dtype=np.float32)
    x, dh = rng.normal(size=(5, 2, 3)).astype(np.float32), rng.normal(size=(5, 2, 4)).astype(np.float32)
    ref, mine = reference[0](x, None, params, **options), fast[0](x, None, params, **options)
    ref_grads, mine_grads = reference[1](dh, ref[2]), fast[1](dh, mine[2])
    for r, m in ((ref, mine), (ref_grads, mine_grads)):
        arrays = [(r[0], m[0]), *zip(parts(r[1], pair), parts(m[1], pair), strict=True)]
        if isinstance(r[2], dict):
            arrays += [(r[2][name], m[2][name]) for name in r[2]]
        for a, b in arrays:
            assert a.dtype == b.dtype == np.float32
            np.testing.assert_allclose(b, a, rtol=0, atol=1e-5)


RNN_P = init_rnn_params(3, 4, np.random.default_rng(0))
LSTM_P = init_lstm_params(3, 4, np.random.default_rng(0))
GRU_P = init_gru_params(3, 4, np.random.default_rng(0))
PARAMS = {"rnn": RNN_P, "lstm": LSTM_P, "gru": GRU_P}
X = np.zeros((5, 2, 3))
Z = np.zeros((2, 4))
DH = np.zeros((5, 2, 4))


def backward_of(cell, dh, *dstate_n, **options):
    """A call of a layer's backward on its own forward's cache: (forward, backward) -> result."""
    return lambda layer: layer[1](dh, layer[0](X, None, PARAMS[cell], **options)[2], *dstate_n)


def forward_of(cell, x, state0, params=None, **options):
    return lambda layer: layer[0](x, state0, PARAMS[cell] if params is None else params, **options)


BAD = [
    ("rnn", forward_of("rnn", X[0], None)),
    ("rnn", forward_of("rnn", X, np.zeros((2, 5)))),
    ("rnn", forward_of("rnn", X.astype(np.float32), None)),
    ("rnn", forward_of("rnn", X, None, nonlinearity="sigmoid")),
    ("rnn", forward_of("rnn", X, None, truncate=0)),
    ("rnn", forward_of("rnn", X, None, truncate=2.0)),
    ("rnn", forward_of("rnn", np.zeros((0, 2, 3)), None)),
    ("rnn", forward_of("rnn", X, None, {**RNN_P, "b_hh": RNN_P["b_h"]})),
    ("rnn", backward_of("rnn", np.zeros((5, 2, 3)))),
    ("rnn", backward_of("rnn", DH.astype(np.float32))),
    ("rnn", backward_of("rnn", DH, np.zeros((2, 3)))),
    ("rnn", backward_of("rnn", DH, Z.astype(np.float32))),
    ("lstm", forward_of("lstm", X, Z)),
    ("lstm", forward_of("lstm", X, (Z,))),
    ("lstm", forward_of("lstm", X, (Z, np.zeros((2, 5))))),
    ("lstm", forward_of("lstm", X, None, truncate=0)),
    ("lstm", forward_of("lstm", X, None, {k: v for k, v in LSTM_P.items() if k != "b_o"})),
    ("lstm", backward_of("lstm", DH[:, :1])),
    ("lstm", backward_of("lstm", DH, Z)),
    ("lstm", backward_of("lstm", DH, (None, np.zeros((2, 3))))),
    ("lstm", backward_of("lstm", DH, (Z.astype(np.float32), None))),
    ("gru", forward_of("gru", X, None, variant="cho")),
    ("gru", forward_of("gru", X, (Z,))),
    ("gru", forward_of("gru", X, None, truncate=-1)),
    ("gru", forward_of("gru", np.zeros((5, 2, 4)), None)),
    ("gru", backward_of("gru", DH[..., None])),
    ("gru", backward_of("gru", DH, np.zeros((3, 4)), variant="original")),
    ("gru", backward_of("gru", DH, (Z, Z))),
]


def raised(call, layer):
    """The (type, message) of the error that call(layer) raises."""
    with pytest.raises((TypeError, ValueError)) as info:
        call(layer)
    return info.type, str(info.value)


@pytest.mark.parametrize("cell, call", BAD)
def test_bad_inputs_give_the_reference_errors(cell, call):
    reference, fast, _, _ = LAYERS[cell]
    assert raised(call, fast) == raised(call, reference)


@pytest.mark.parametrize("cell", LAYERS)
def test_dh_none_gives_the_reference_error(cell):
    reference, fast, _, _ = LAYERS[cell]
    call = backward_of(cell, None)
    assert raised(call, fast) == raised(call, reference)
