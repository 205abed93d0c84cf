"""Issue 17's examples in the numeric tools and the PyTorch bridges: each refused with a message naming the
argument, before anything changes, or now computed right."""

import copy

import numpy as np
import pytest
import torch

from seqlearn.convert import (
    params_from_torch,
    params_to_torch,
    seq2seq_grads_from_torch,
    seq2seq_params_from_torch,
    seq2seq_params_to_torch,
    stacked_params_from_torch,
    stacked_params_to_torch,
)
from seqlearn.gradcheck import grad_check, numerical_gradient
from seqlearn.gradient_flow import rescale_to_spectral_radius
from seqlearn.optim import SGD, Adagrad, Adam, clip_by_global_norm, clip_by_value, global_norm
from seqlearn.seq2seq_models import Seq2Seq, greedy_decode, sequence_loss, teacher_forcing


def same_state(a, b):
    return all(torch.equal(a[k], b[k]) for k in a)


def gru_and_params():
    torch.manual_seed(0)
    gru = torch.nn.GRU(2, 3).double()
    params = {k: v + 1.0 for k, v in params_from_torch(gru).items()}  # different from the module's
    return gru, params


@pytest.mark.parametrize("bad_b_hn", [np.zeros(3, dtype=int), np.zeros((1, 3)), np.zeros(4), None])
def test_params_to_torch_checks_b_hn_before_writing_the_weights(bad_b_hn):
    gru, params = gru_and_params()
    before = copy.deepcopy(gru.state_dict())
    with pytest.raises((TypeError, ValueError), match="b_hn"):
        params_to_torch(params | {"b_hn": bad_b_hn}, gru)
    assert same_state(gru.state_dict(), before)


def test_params_to_torch_takes_a_reversed_view_of_b_hn():
    gru, params = gru_and_params()
    params["b_hn"] = params["b_hn"][::-1].copy()[::-1]  # negative strides: torch.from_numpy refuses these
    params_to_torch(params, gru)
    for k, v in params_from_torch(gru).items():
        np.testing.assert_allclose(v, params[k])


def test_stacked_params_to_torch_checks_every_layer_before_writing_any():
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(2, 3, num_layers=2)
    params = [[{k: v + 1 for k, v in layer[0].items()}] for layer in stacked_params_from_torch(lstm)]
    params[1][0]["b_o"] = params[1][0]["b_o"].astype(int)
    before = copy.deepcopy(lstm.state_dict())
    with pytest.raises(TypeError, match="b_o must have a floating dtype"):
        stacked_params_to_torch(params, lstm)
    assert same_state(lstm.state_dict(), before)


def test_params_from_torch_refuses_a_bool_layer():
    with pytest.raises(TypeError, match="layer must be an int, got bool True"):
        params_from_torch(torch.nn.RNN(2, 3, num_layers=2), layer=True)


def test_seq2seq_params_to_torch_checks_everything_before_writing():
    torch.manual_seed(0)
    model = Seq2Seq(5, 7, 4, "dot")
    params = {k: v + 1 for k, v in seq2seq_params_from_torch(model).items()}
    before = copy.deepcopy(model.state_dict())
    with pytest.raises(TypeError, match="W_y must have a floating dtype"):
        seq2seq_params_to_torch(params | {"W_y": params["W_y"].astype(int)}, model)
    with pytest.raises(TypeError, match="decoder.b_hn must have dtype float32, got float64"):
        seq2seq_params_to_torch(params | {"decoder.b_hn": params["decoder.b_hn"].astype(np.float64)}, model)
    assert same_state(model.state_dict(), before)


def test_seq2seq_grads_before_backward_is_refused():
    with pytest.raises(ValueError, match=r"model has no gradient for .*call loss.backward\(\) first"):
        seq2seq_grads_from_torch(Seq2Seq(5, 7, 4))


@pytest.mark.parametrize("order", [("a", "b"), ("b", "a")])
def test_grad_check_fails_a_nan_gradient(order):
    a, b = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    arrays = {name: {"a": a, "b": b}[name] for name in order}
    analytic = {name: {"a": 2 * a, "b": np.full(2, np.nan)}[name] for name in order}
    report = grad_check(lambda: float((a ** 2).sum() + (b ** 2).sum()), arrays, analytic)
    assert not report.passed() and report.max_error == np.inf and report.worst_name == "b"


def test_grad_check_with_nothing_to_check_is_an_error():
    with pytest.raises(ValueError, match="arrays must hold at least one array to check, got none"):
        grad_check(lambda: 0.0, {}, {})
    with pytest.raises(ValueError, match="a is empty: there is nothing to check"):
        grad_check(lambda: 0.0, {"a": np.zeros(0)}, {"a": np.zeros(0)})


@pytest.mark.parametrize("dtype", ["int64", "float32"])
def test_numerical_gradient_needs_float64(dtype):
    # an integer array gave [500000 1500000 2500000] for x**2 at [1, 2, 3]; float32 was about 10% off
    x = np.array([1, 2, 3], dtype)
    with pytest.raises(TypeError, match=f"x must be a float64 array .finite differences need float64.*got {dtype}"):
        numerical_gradient(lambda: float((x ** 2).sum()), x)


@pytest.mark.parametrize("g", [np.array([3e19, 4e19], np.float32), np.array([3e200, 4e200])])
def test_clip_by_global_norm_does_not_overflow(g):
    clipped, norm = clip_by_global_norm({"w": g}, 1.0)
    assert norm == pytest.approx(5 * float(g[0]) / 3, rel=1e-6)
    np.testing.assert_allclose(clipped["w"], [0.6, 0.8], rtol=1e-6)
    assert clipped["w"].dtype == g.dtype


@pytest.mark.parametrize("g", [np.array([np.nan, 100.0]), np.array([np.inf, 1.0])])
@pytest.mark.parametrize("clip", [lambda g: clip_by_global_norm(g, 1.0), lambda g: clip_by_value(g, 1.0), global_norm])
def test_clipping_refuses_a_non_finite_gradient(clip, g):
    with pytest.raises(ValueError, match=r"grads\['w'\] must be finite.*did the loss diverge"):
        clip({"w": g})


@pytest.mark.parametrize("make", [lambda: SGD(0.1), lambda: Adagrad(0.1), lambda: Adam(0.1)])
@pytest.mark.parametrize("bad_b, error, message", [
    (np.array([1.0, np.nan]), ValueError, r"grads\['b'\] must be finite"),
    (np.ones(3), ValueError, r"grads\['b'\] must have shape \(2,\), got \(3,\)"),
    (np.ones(2, np.float32), TypeError, r"grads\['b'\] has dtype float32 but grads\['W'\] has float64"),
    (np.ones(2, int), TypeError, r"grads\['b'\] must have a floating dtype"),
])
def test_a_step_checks_every_gradient_before_changing_anything(make, bad_b, error, message):
    optimiser = make()
    params = {"W": np.ones((2, 2)), "b": np.zeros(2)}
    optimiser.step(params, {"W": np.ones((2, 2)), "b": np.ones(2)})
    before = copy.deepcopy((params, vars(optimiser)))
    with pytest.raises(error, match=message):
        optimiser.step(params, {"W": np.ones((2, 2)), "b": bad_b})  # W comes first: it must not be updated
    after = (params, vars(optimiser))
    for x, y in zip(before, after, strict=True):
        assert str(x) == str(y)


def test_adam_refuses_new_parameters_and_state_of_another_shape():
    adam = Adam(0.1)
    adam.step({"w": np.zeros(2)}, {"w": np.ones(2)})
    with pytest.raises(ValueError, match=r"params must have the keys this Adam was stepped with, \['w'\]"):
        adam.step({"v": np.zeros(2)}, {"v": np.ones(2)})
    with pytest.raises(ValueError, match=r"params\['w'\] has shape \(3,\) .* stepped with \(2,\)"):
        adam.step({"w": np.zeros(3)}, {"w": np.ones(3)})
    assert adam.t == 1


@pytest.mark.parametrize("logits, predicted, mask", [
    (torch.zeros(2, 1, 5), torch.zeros(2, 1, dtype=torch.int64), torch.zeros(2, 1, dtype=torch.bool)),  # all False
    (torch.zeros(0, 1, 5), torch.zeros(0, 1, dtype=torch.int64), torch.zeros(0, 1, dtype=torch.bool)),  # T = 0
    (torch.zeros(2, 0, 5), torch.zeros(2, 0, dtype=torch.int64), torch.zeros(2, 0, dtype=torch.bool)),  # N = 0
])
def test_sequence_loss_over_zero_tokens_is_an_error(logits, predicted, mask):
    with pytest.raises(ValueError, match="mask must be True somewhere|logits must be .* no axis empty"):
        sequence_loss(logits, predicted, mask)


def test_sequence_loss_refuses_nan_logits_and_out_of_range_targets():
    mask = torch.ones(2, 1, dtype=torch.bool)
    with pytest.raises(ValueError, match="logits must not be NaN"):
        sequence_loss(torch.full((2, 1, 5), float("nan")), torch.zeros(2, 1, dtype=torch.int64), mask)
    with pytest.raises(ValueError, match=r"predicted .* must be in \[0, 4\], got values from -100"):
        sequence_loss(torch.zeros(2, 1, 5), torch.full((2, 1), -100), mask)  # not silently ignore_index


def model_and_batch():
    torch.manual_seed(0)
    return Seq2Seq(5, 7, 4), torch.tensor([[1, 2], [3, 4]]), torch.tensor([2, 1])


@pytest.mark.parametrize("call, name", [
    (lambda: SGD(True), "lr"),
    (lambda: Adam(1e-3, beta1=True), "beta1"),
    (lambda: Adagrad(0.1, eps=True), "eps"),
    (lambda: clip_by_value({"w": np.ones(2)}, True), "limit"),
    (lambda: clip_by_global_norm({"w": np.ones(2)}, True), "max_norm"),
    (lambda: numerical_gradient(lambda: 0.0, np.ones(2), eps=True), "eps"),
    (lambda: rescale_to_spectral_radius(np.eye(2), True), "rho"),
    (lambda: greedy_decode(*model_and_batch(), 2, 3, max_len=True), "max_len"),
    (lambda: greedy_decode(*model_and_batch(), True, 3, 4), "bos_id"),
    (lambda: teacher_forcing(torch.tensor([[4], [5]]), torch.tensor([2]), 2, 3, pad_id=True), "pad_id"),
    (lambda: Seq2Seq(True, 7, 4), "src_vocab_size"),
])
def test_true_is_not_a_number(call, name):
    with pytest.raises(TypeError, match=rf"{name} must be .*, got bool True"):
        call()


@pytest.mark.parametrize("scale, dtype", [(1e-200, np.float64), (1e-23, np.float32), (1e200, np.float64)])
def test_the_global_norm_neither_underflows_nor_overflows(scale, dtype):
    """Found by review: squares of 3e-200 and 4e-200 underflowed, and the norm came out 0."""
    norm = global_norm({"w": np.array([3 * scale, 4 * scale], dtype)})
    assert norm == pytest.approx(5 * scale, rel=1e-6)
