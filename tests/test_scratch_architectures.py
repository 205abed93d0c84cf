import numpy as np
import pytest
import torch

from seqlearn.gradcheck import grad_check
from seqlearn.scratch import (
    encoder_decoder_backward,
    encoder_decoder_forward,
    encoder_decoder_loss,
    generate,
    init_model_params,
    init_rnn_params,
    many_to_many_backward,
    many_to_many_forward,
    many_to_many_loss,
    many_to_one_backward,
    many_to_one_forward,
    many_to_one_loss,
    params_to_torch,
)
from seqlearn.scratch.output import softmax_cross_entropy


def torch_model(params):
    """The same model in PyTorch, float64: nn.RNN with our W_xh, W_hh, b_h and nn.Linear with W_hy, b_y."""
    H, D = params["W_xh"].shape
    rnn = params_to_torch({k: params[k] for k in ("W_xh", "W_hh", "b_h")}, torch.nn.RNN(D, H).double())
    head = torch.nn.Linear(H, params["W_hy"].shape[0]).double()
    with torch.no_grad():
        head.weight.copy_(torch.from_numpy(params["W_hy"]))
        head.bias.copy_(torch.from_numpy(params["b_y"]))
    return rnn, head


def test_many_to_many_gradient_check():
    rng = np.random.default_rng(0)
    params = init_model_params(3, 4, 5, rng)
    x, targets = rng.normal(size=(4, 2, 3)), rng.integers(0, 5, size=(4, 2))
    _, grads, _ = many_to_many_loss(x, targets, params)
    report = grad_check(lambda: many_to_many_loss(x, targets, params)[0], params, grads)
    assert report.passed(1e-6), report


def test_many_to_many_matches_torch():
    rng = np.random.default_rng(1)
    params = init_model_params(3, 4, 5, rng)
    x, targets = rng.normal(size=(6, 2, 3)), rng.integers(0, 5, size=(6, 2))
    loss, grads, h_last = many_to_many_loss(x, targets, params, reduction="mean")
    rnn, head = torch_model(params)
    out, h_n = rnn(torch.from_numpy(x))
    ref = torch.nn.functional.cross_entropy(head(out).reshape(-1, 5), torch.from_numpy(targets).reshape(-1))
    ref.backward()
    assert abs(loss - ref.item()) < 1e-10
    np.testing.assert_allclose(h_last, h_n[0].detach().numpy(), atol=1e-10)
    np.testing.assert_allclose(grads["W_hh"], rnn.weight_hh_l0.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(grads["W_hy"], head.weight.grad.numpy(), atol=1e-10)


def test_many_to_one_gradient_check():
    rng = np.random.default_rng(2)
    params = init_model_params(3, 4, 3, rng)
    x, targets = rng.normal(size=(5, 4, 3)), rng.integers(0, 3, size=4)
    _, grads = many_to_one_loss(x, targets, params)
    report = grad_check(lambda: many_to_one_loss(x, targets, params)[0], params, grads)
    assert report.passed(1e-6), report


def test_encoder_decoder_gradient_check():
    rng = np.random.default_rng(3)
    encoder = init_rnn_params(3, 4, rng)
    decoder = init_model_params(2, 4, 2, rng)
    x, dec_in = rng.normal(size=(5, 2, 3)), rng.normal(size=(3, 2, 2))  # T_x = 5, T_y = 3
    targets = rng.integers(0, 2, size=(3, 2))
    _, enc_grads, dec_grads = encoder_decoder_loss(x, dec_in, targets, encoder, decoder)

    def loss():
        return encoder_decoder_loss(x, dec_in, targets, encoder, decoder)[0]

    prefixed = {f"enc_{k}": v for k, v in encoder.items()} | {f"dec_{k}": v for k, v in decoder.items()}
    analytic = {f"enc_{k}": v for k, v in enc_grads.items()} | {f"dec_{k}": v for k, v in dec_grads.items()}
    report = grad_check(loss, prefixed, analytic)
    assert report.passed(1e-6), report


def linear_loss_check(forward, backward, inputs, params, rng):
    """Gradient check of L = sum(w * logits) for a forward/backward pair, on its inputs and params."""
    _, logits, cache = forward(*inputs.values(), params)
    w = rng.normal(size=logits.shape)
    dx, dh0, grads = backward(w, cache)
    report = grad_check(lambda: (w * forward(*inputs.values(), params)[1]).sum(), inputs | params,
                        dict(zip(inputs, (dx, dh0), strict=True)) | grads)
    assert report.passed(1e-6), report


def test_many_to_many_forward_backward_gradient_check():
    rng = np.random.default_rng(6)
    params = init_model_params(3, 4, 5, rng)
    inputs = {"x": rng.normal(size=(4, 2, 3)), "h0": rng.normal(size=(2, 4))}
    linear_loss_check(many_to_many_forward, many_to_many_backward, inputs, params, rng)


def test_many_to_one_forward_backward_gradient_check():
    rng = np.random.default_rng(7)
    params = init_model_params(3, 4, 2, rng)
    inputs = {"x": rng.normal(size=(5, 2, 3)), "h0": rng.normal(size=(2, 4))}
    linear_loss_check(many_to_one_forward, many_to_one_backward, inputs, params, rng)


def test_many_to_one_matches_torch():
    rng = np.random.default_rng(8)
    params = init_model_params(3, 4, 3, rng)
    x, targets = rng.normal(size=(6, 5, 3)), rng.integers(0, 3, size=5)
    loss, grads = many_to_one_loss(x, targets, params)  # reduction="mean", like torch's default
    rnn, head = torch_model(params)
    _, h_n = rnn(torch.from_numpy(x))
    ref = torch.nn.functional.cross_entropy(head(h_n[0]), torch.from_numpy(targets))
    ref.backward()
    assert abs(loss - ref.item()) < 1e-10
    np.testing.assert_allclose(grads["W_xh"], rnn.weight_ih_l0.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(grads["W_hh"], rnn.weight_hh_l0.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(grads["b_y"], head.bias.grad.numpy(), atol=1e-10)


def test_encoder_decoder_forward_backward_inputs_gradient_check():
    """The gradient reaches the encoder's inputs only through the decoder's initial state."""
    rng = np.random.default_rng(9)
    encoder, decoder = init_rnn_params(3, 4, rng), init_model_params(2, 4, 3, rng)
    x, dec_in = rng.normal(size=(4, 2, 3)), rng.normal(size=(2, 2, 2))
    _, logits, cache = encoder_decoder_forward(x, dec_in, encoder, decoder)
    assert logits.shape == (2, 2, 3)  # T_y steps, not T_x
    targets = rng.integers(0, 3, size=(2, 2))
    _, dlogits = softmax_cross_entropy(logits, targets)
    dx, ddec_in, _, _ = encoder_decoder_backward(dlogits, cache)
    report = grad_check(lambda: encoder_decoder_loss(x, dec_in, targets, encoder, decoder)[0],
                        {"x": x, "dec_in": dec_in}, {"x": dx, "dec_in": ddec_in})
    assert report.passed(1e-6), report


def test_generate_greedy_flag():
    params = init_model_params(6, 8, 6, np.random.default_rng(10))
    greedy = generate(params, 0, 10)
    assert generate(params, 0, 10, rng=np.random.default_rng(0), greedy=True) == greedy
    sampled = generate(params, 0, 10, rng=np.random.default_rng(1), greedy=False)
    assert sampled == generate(params, 0, 10, rng=np.random.default_rng(1))
    with pytest.raises(ValueError, match="greedy=False samples, so it needs rng"):
        generate(params, 0, 10, greedy=False)
    with pytest.raises(TypeError, match="greedy must be True, False or None, got 'yes'"):
        generate(params, 0, 10, greedy="yes")


def test_generate_greedy_and_sampled():
    rng = np.random.default_rng(4)
    params = init_model_params(6, 8, 6, rng)
    greedy = generate(params, 0, 10)
    assert greedy == generate(params, 0, 10) and len(greedy) == 10
    a = generate(params, 0, 10, rng=np.random.default_rng(5))
    assert a == generate(params, 0, 10, rng=np.random.default_rng(5))
    assert all(0 <= i < 6 for i in a)
    stopped = generate(params, 0, 50, stop_id=greedy[2])
    assert stopped[-1] == greedy[2] and len(stopped) <= 3


def test_bad_inputs():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="params is missing 'W_hy'"):
        many_to_many_loss(np.zeros((2, 1, 3)), np.zeros((2, 1), int), init_rnn_params(3, 4, rng))
    with pytest.raises(ValueError, match="O must equal D; got O=2, D=3"):
        generate(init_model_params(3, 4, 2, rng), 0, 5)
    with pytest.raises(ValueError, match=r"start_id must be in \[0, 2\], got 3"):
        generate(init_model_params(3, 4, 3, rng), 3, 5)
    with pytest.raises(ValueError, match=r"targets must have shape logits.shape\[:-1\] = \(1,\), "
                                         r"got \(2, 1\)"):
        many_to_one_loss(np.zeros((2, 1, 3)), np.zeros((2, 1), int), init_model_params(3, 4, 2, rng))
