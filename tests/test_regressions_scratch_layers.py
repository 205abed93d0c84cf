"""Regression tests for issue 17 in the from-scratch layers: each example the issue lists, refused with a message that
names the argument, or now correct."""

import numpy as np
import pytest

from seqlearn import scratch

T, N, D, H = 3, 2, 3, 4


def _x(*shape, dtype=np.float64):
    return np.random.default_rng(0).normal(size=shape).astype(dtype)


def _params(cell, dtype=np.float64):
    init = {"rnn": scratch.init_rnn_params, "lstm": scratch.init_lstm_params, "gru": scratch.init_gru_params}[cell]
    return init(D, H, np.random.default_rng(1), dtype=dtype)


LAYERS = {f"{prefix}{cell}": (getattr(scratch, f"{prefix}{cell}_forward"), getattr(scratch, f"{prefix}{cell}_backward"))
          for prefix in ("", "fast_") for cell in ("rnn", "lstm", "gru")}


@pytest.mark.parametrize("layer", LAYERS)
def test_a_float32_upstream_against_a_float64_cache_is_refused(layer):
    forward, backward = LAYERS[layer]
    h, _, cache = forward(_x(T, N, D), None, _params(layer.removeprefix("fast_")))
    with pytest.raises(TypeError, match="dh has dtype float32 but x has float64"):
        backward(h.astype(np.float32), cache)


def test_a_float32_upstream_is_refused_by_every_other_backward():
    h, _, cache = scratch.rnn_step_forward(_x(N, D), None, _params("rnn"))
    with pytest.raises(TypeError, match="dh_t has dtype float32 but x has float64"):
        scratch.rnn_step_backward(h.astype(np.float32), cache)
    params = scratch.init_jordan_params(D, H, 2, np.random.default_rng(0))
    _, y, cache = scratch.jordan_forward(_x(T, N, D), None, params)
    with pytest.raises(TypeError, match="dy has dtype float32 but x has float64"):  # jordan_backward took it
        scratch.jordan_backward(y.astype(np.float32), cache)
    y, cache = scratch.affine_forward(_x(T, N, H), _x(2, H), _x(2))
    with pytest.raises(TypeError, match="dy has dtype float32 but h has float64"):
        scratch.affine_backward(y.astype(np.float32), cache)


@pytest.mark.parametrize("layer", LAYERS)
def test_every_gradient_has_the_forward_dtype(layer):
    forward, backward = LAYERS[layer]
    h, _, cache = forward(_x(T, N, D, dtype=np.float32), None, _params(layer.removeprefix("fast_"), np.float32))
    dx, dstate0, grads = backward(np.ones_like(h), cache)
    assert dx.dtype == np.float32
    assert all(g.dtype == np.float32 for g in (*np.atleast_1d(dstate0), *grads.values()))


def test_affine_refuses_mixed_dtypes_so_its_gradients_share_one():
    """affine_backward returned db in float32 and dW in float64 once: the forward took a float32 h with float64 W."""
    with pytest.raises(TypeError, match="W has dtype float64 but h has float32"):
        scratch.affine_forward(_x(T, N, H, dtype=np.float32), _x(2, H), _x(2))
    with pytest.raises(TypeError, match="b has dtype float64 but h has float32"):
        scratch.affine_forward(_x(T, N, H, dtype=np.float32), _x(2, H, dtype=np.float32), _x(2))
    y, cache = scratch.affine_forward(*(a.astype(np.float32) for a in (_x(T, N, H), _x(2, H), _x(2))))
    assert {g.dtype for g in scratch.affine_backward(np.ones_like(y), cache)} == {np.dtype(np.float32)}


@pytest.mark.parametrize("init", [scratch.init_rnn_params, scratch.init_lstm_params, scratch.init_gru_params])
@pytest.mark.parametrize("dtype", [np.int64, "int32", bool, np.complex128, None])
def test_an_init_refuses_a_dtype_that_is_not_floating(init, dtype):
    """init_rnn_params(dtype=np.int64) returned all-zero integer weights."""
    rng = np.random.default_rng(0)
    before = rng.bit_generator.state
    with pytest.raises(TypeError, match="dtype must be a floating NumPy dtype"):
        init(D, H, rng, dtype=dtype)
    assert rng.bit_generator.state == before  # refused before the first draw


def test_a_float_dtype_may_be_named():
    params = scratch.init_rnn_params(D, H, np.random.default_rng(0), dtype="float32")
    assert {p.dtype for p in params.values()} == {np.dtype(np.float32)}


@pytest.mark.parametrize("bias", ["no", 0, 1, None])
def test_bias_is_a_bool(bias):
    """init_rnn_params(bias="no") kept the bias."""
    for init in (scratch.init_rnn_params, scratch.init_lstm_params, scratch.init_gru_params):
        with pytest.raises(TypeError, match="bias must be True or False"):
            init(D, H, np.random.default_rng(0), bias=bias)
    with pytest.raises(TypeError, match="bias must be True or False"):
        scratch.init_stacked_params("rnn", D, H, 1, False, np.random.default_rng(0), bias="no")


def test_sigmoid_of_a_list_says_what_it_wants():
    """sigmoid([1, 2]) raised NumPy's "Field elements must be 2- or 3-tuples"."""
    with pytest.raises(TypeError, match=r"a must be a NumPy array or a real number, got list \[1, 2\]; use np.array"):
        scratch.sigmoid([1, 2])
    for bad in (True, "1", None, 1j, np.array([True]), np.array([1j])):
        with pytest.raises(TypeError, match="a must"):
            scratch.sigmoid(bad)
    np.testing.assert_allclose(scratch.sigmoid(np.array([1, 2])), 1 / (1 + np.exp(-np.array([1.0, 2.0]))))


def test_sigmoid_out_must_match_a():
    a = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"out must have shape a.shape = \(2, 3\), got \(4, 2, 3\)"):
        scratch.sigmoid(a, out=np.zeros((4, 2, 3)))  # NumPy would broadcast a into it
    with pytest.raises(TypeError, match="out has dtype float32 but σ"):
        scratch.sigmoid(a, out=np.zeros((2, 3), np.float32))  # NumPy would cast down silently


def test_softmax_checks_its_input():
    """softmax had no checks."""
    with pytest.raises(TypeError, match="logits must be a NumPy array, got list"):
        scratch.softmax([1.0, 2.0])
    with pytest.raises(TypeError, match="logits must have a floating dtype"):
        scratch.softmax(np.array([1, 2]))
    with pytest.raises(ValueError, match=r"logits must have a last axis \(\.\.\., V\)"):
        scratch.softmax(np.zeros((2, 0)))
    assert np.isnan(scratch.softmax(np.array([np.nan, 1.0]))).all()  # a forward pass propagates NaN


@pytest.mark.parametrize("rng, error", [(None, TypeError), (0, TypeError), (np.random.RandomState(0), TypeError)])
def test_init_jordan_params_checks_its_arguments(rng, error):
    """init_jordan_params checked nothing: rng=None gave an AttributeError."""
    with pytest.raises(error, match="rng must be a np.random.Generator"):
        scratch.init_jordan_params(3, 4, 2, rng)
    for kwargs, name in [({"D": 0}, "D"), ({"H": True}, "H"), ({"O": 2.0}, "O"), ({"dtype": np.int64}, "dtype")]:
        args = {"D": 3, "H": 4, "O": 2, "rng": np.random.default_rng(0)} | kwargs
        with pytest.raises((TypeError, ValueError), match=name):
            scratch.init_jordan_params(**args)


LOGITS = _x(T, N, 5)
TARGETS = np.zeros((T, N), int)


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("logits, targets, mask, message", [
    (LOGITS, TARGETS, np.zeros((T, N), bool), "mask must be True somewhere"),
    (LOGITS[:0], TARGETS[:0], None, r"logits must not be empty, got shape \(0, 2, 5\): a loss over no token"),
    (LOGITS[:, :0], TARGETS[:, :0], None, r"logits must not be empty, got shape \(3, 0, 5\): a loss over no token"),
], ids=["all-False-mask", "T=0", "N=0"])
def test_a_loss_over_no_token_is_an_error(reduction, logits, targets, mask, message):
    """It was 0 (so a perplexity of 1, a perfect model)."""
    with pytest.raises(ValueError, match=message):
        scratch.softmax_cross_entropy(logits, targets, reduction, mask)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_a_loss_refuses_non_finite_logits(value):
    logits = LOGITS.copy()
    logits[1, 0, 2] = value
    with pytest.raises(ValueError, match=r"logits must be finite, got .* at position \(1, 0, 2\)"):
        scratch.softmax_cross_entropy(logits, TARGETS)


def test_a_masked_out_nan_is_refused_too():
    """NaN * 0 is NaN, so a NaN under the mask would still have reached the loss and the gradient."""
    logits = LOGITS.copy()
    logits[0, 0] = np.nan
    mask = np.ones((T, N), bool)
    mask[0, 0] = False
    with pytest.raises(ValueError, match="logits must be finite"):
        scratch.softmax_cross_entropy(logits, TARGETS, mask=mask)


def _caches():
    x = _x(T, N, D)
    caches = {name: forward(x, None, _params(name.removeprefix("fast_")))[2] for name, (forward, _) in LAYERS.items()}
    caches["jordan"] = scratch.jordan_forward(x, None, scratch.init_jordan_params(D, H, 2, np.random.default_rng(0)))[2]
    caches["stacked"] = scratch.stacked_forward(x, None, [[_params("rnn")]], cell="rnn")[2]
    return caches


CACHES = _caches()
BACKWARDS = {name: backward for name, (_, backward) in LAYERS.items()} | {
    "jordan": scratch.jordan_backward, "stacked": scratch.stacked_backward}


@pytest.mark.parametrize("name", BACKWARDS)
def test_a_backward_refuses_another_layers_cache(name):
    backward = BACKWARDS[name]
    for other, cache in CACHES.items():
        if other == name:
            continue
        with pytest.raises(TypeError, match=f"cache must be the cache that {name}_forward returned, got"):
            backward(np.zeros((T, N, H)), cache)
    with pytest.raises(TypeError, match=r"cache must be the cache .* got tuple"):
        backward(np.zeros((T, N, H)), tuple(CACHES[name]))


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_a_step_backward_refuses_another_steps_cache(cell):
    others = [c for c in ("rnn", "lstm", "gru") if c != cell]
    cache = getattr(scratch, f"{others[0]}_step_forward")(_x(N, D), None, _params(others[0]))[2]
    with pytest.raises(TypeError, match=f"cache must be the cache that {cell}_step_forward returned"):
        getattr(scratch, f"{cell}_step_backward")(np.zeros((N, H)), cache)


@pytest.mark.parametrize("layer", LAYERS)
def test_an_empty_batch_is_refused(layer):
    forward, _ = LAYERS[layer]
    with pytest.raises(ValueError, match=r"x must have at least one example \(N\) and one feature \(D\)"):
        forward(_x(T, 0, D), None, _params(layer.removeprefix("fast_")))
    with pytest.raises(ValueError, match="x must have at least one time step"):
        forward(_x(0, N, D), None, _params(layer.removeprefix("fast_")))


def test_a_wrong_input_width_names_the_input_too():
    with pytest.raises(ValueError, match=r"W_xh must have shape \(H, D\) = \(4, 5\), got \(4, 3\): x has D = 5"):
        scratch.rnn_forward(_x(T, N, 5), None, _params("rnn"))
    with pytest.raises(ValueError, match=r"W_xr must have shape \(H, D\) = \(4, 5\), got \(4, 3\): x_t has D = 5"):
        scratch.gru_step_forward(_x(N, 5), None, _params("gru"))


@pytest.mark.parametrize("kwargs, error, message", [
    ({"training": "no"}, TypeError, "training must be True or False, got str 'no'"),
    ({"dropout": True}, TypeError, "dropout must be a number in"),
    ({"dropout": np.nan}, ValueError, "dropout must be a number in"),
    ({"rng": 0}, TypeError, "rng must be a np.random.Generator or None"),  # a wrong rng even without dropout
])
def test_stacked_forward_flags_and_numbers(kwargs, error, message):
    with pytest.raises(error, match=message):
        scratch.stacked_forward(_x(T, N, D), None, [[_params("rnn")]], cell="rnn", **kwargs)


def test_a_refused_dropout_call_leaves_the_rng_alone():
    rng = np.random.default_rng(0)
    before = rng.bit_generator.state
    params = scratch.init_stacked_params("rnn", D, H, 2, False, np.random.default_rng(1))
    with pytest.raises(ValueError, match="truncate must be at least 1"):
        scratch.stacked_forward(_x(T, N, D), None, params, cell="rnn", dropout=0.5, training=True, rng=rng,
                                truncate=0)
    assert rng.bit_generator.state == before


def test_lstm_forget_bias_must_be_finite():
    with pytest.raises(ValueError, match="forget_bias must be a finite number, got nan"):
        scratch.init_lstm_params(D, H, np.random.default_rng(0), forget_bias=np.nan)
    with pytest.raises(TypeError, match="forget_bias must be a finite number, got bool True"):
        scratch.init_lstm_params(D, H, np.random.default_rng(0), forget_bias=True)


def test_a_jordan_params_typo_is_named_as_unknown():
    params = scratch.init_jordan_params(D, H, 2, np.random.default_rng(0))
    params["b_yy"] = params.pop("b_y")
    with pytest.raises(ValueError, match=r"unknown keys \['b_yy'\]"):
        scratch.jordan_forward(_x(T, N, D), None, params)
    with pytest.raises(TypeError, match="params must be a dict of arrays, got list"):
        scratch.jordan_forward(_x(T, N, D), None, list(params.values()))
