import numpy as np
import pytest
import torch

from seqlearn.convert import params_to_torch
from seqlearn.gradcheck import grad_check
from seqlearn.one_hot import one_hot
from seqlearn.scratch import (
    encoder_decoder_backward,
    encoder_decoder_forward,
    encoder_decoder_generate,
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
    rnn_backward,
    rnn_forward,
    teacher_forcing_inputs,
)
from seqlearn.scratch.output import softmax_cross_entropy


def rnn_part(params):
    """The RNN's own parameters in a model's params."""
    return {k: params[k] for k in ("W_xh", "W_hh", "b_h")}


def torch_model(params):
    """The same model in PyTorch, float64: nn.RNN with our W_xh, W_hh, b_h and nn.Linear with W_hy, b_y."""
    H, D = params["W_xh"].shape
    rnn = params_to_torch(rnn_part(params), torch.nn.RNN(D, H).double())
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
    decoder = init_model_params(3, 4, 2, rng)  # C = 2 classes; it reads C + 1 = 3 inputs: the classes and <bos>
    x, targets = rng.normal(size=(5, 2, 3)), rng.integers(0, 2, size=(3, 2))  # T_x = 5, T_y = 3
    _, enc_grads, dec_grads = encoder_decoder_loss(x, targets, encoder, decoder)

    def loss():
        return encoder_decoder_loss(x, targets, encoder, decoder)[0]

    prefixed = {f"enc_{k}": v for k, v in encoder.items()} | {f"dec_{k}": v for k, v in decoder.items()}
    analytic = {f"enc_{k}": v for k, v in enc_grads.items()} | {f"dec_{k}": v for k, v in dec_grads.items()}
    report = grad_check(loss, prefixed, analytic)
    assert report.passed(1e-6), report


def test_teacher_forcing_inputs_start_with_bos():
    targets = np.array([[0, 2], [1, 0], [2, 2]])  # T_y = 3, N = 2, C = 3
    inputs = teacher_forcing_inputs(targets, 3)
    assert inputs.shape == (3, 2, 4) and inputs.dtype == np.float64
    np.testing.assert_array_equal(inputs.argmax(-1), [[3, 3], [0, 2], [1, 0]])  # <bos> = 3, then y⟨t-1⟩
    np.testing.assert_array_equal(inputs.sum(-1), np.ones((3, 2)))  # one-hot
    # <bos> is not class 0: a start and a previous target of class 0 are different inputs
    assert not np.array_equal(inputs[0, 0], inputs[1, 1])
    assert teacher_forcing_inputs(targets, 3, np.float32).dtype == np.float32
    with pytest.raises(ValueError, match=r"targets must be class ids in \[0, 2\]; id 3 is <bos>"):
        teacher_forcing_inputs(np.array([[3]]), 3)


def test_encoder_decoder_matches_torch():
    """The loss and every gradient, against nn.RNN encoder and decoder and nn.Linear, in float64."""
    rng = np.random.default_rng(14)
    D, H, C, T_x, T_y, N = 3, 4, 5, 6, 4, 3
    encoder, decoder = init_rnn_params(D, H, rng), init_model_params(C + 1, H, C, rng)
    x, targets = rng.normal(size=(T_x, N, D)), rng.integers(0, C, size=(T_y, N))
    loss, enc_grads, dec_grads = encoder_decoder_loss(x, targets, encoder, decoder)  # reduction="sum"

    enc_rnn = params_to_torch(encoder, torch.nn.RNN(D, H).double())
    dec_rnn, head = torch_model(decoder)
    previous = np.concatenate([np.full((1, N), C), targets[:-1]])  # <bos> = C, then the targets shifted
    dec_in = torch.nn.functional.one_hot(torch.from_numpy(previous), C + 1).double()
    _, h_enc = enc_rnn(torch.from_numpy(x))
    out, _ = dec_rnn(dec_in, h_enc)
    ref = torch.nn.functional.cross_entropy(head(out).reshape(-1, C), torch.from_numpy(targets).reshape(-1),
                                            reduction="sum")
    ref.backward()
    assert abs(loss - ref.item()) < 1e-10
    for grads, rnn in ((enc_grads, enc_rnn), (dec_grads, dec_rnn)):
        np.testing.assert_allclose(grads["W_xh"], rnn.weight_ih_l0.grad.numpy(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(grads["W_hh"], rnn.weight_hh_l0.grad.numpy(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(grads["b_h"], rnn.bias_ih_l0.grad.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(dec_grads["W_hy"], head.weight.grad.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(dec_grads["b_y"], head.bias.grad.numpy(), rtol=0, atol=1e-10)


def test_encoder_decoder_generate_feeds_back_its_predictions():
    rng = np.random.default_rng(15)
    C = 4
    encoder, decoder = init_rnn_params(3, 6, rng), init_model_params(C + 1, 6, C, rng)
    x = rng.normal(size=(5, 3, 3))
    ids = encoder_decoder_generate(x, encoder, decoder, steps=6)
    assert ids.shape == (6, 3) and ((0 <= ids) & (ids < C)).all()
    # Teacher forcing on its own predictions reproduces them: both read <bos>, then the previous id.
    logits, _, _ = encoder_decoder_forward(x, teacher_forcing_inputs(ids, C), encoder, decoder)
    np.testing.assert_array_equal(logits.argmax(-1), ids)
    # The first step reads <bos>, not class 0: starting from class 0 changes the first prediction's logits.
    class_0 = teacher_forcing_inputs(ids, C)
    class_0[0] = one_hot(np.zeros(3, int), C + 1)
    assert not np.allclose(encoder_decoder_forward(x, class_0, encoder, decoder)[0][0], logits[0])


def test_encoder_decoder_needs_a_bos_input():
    rng = np.random.default_rng(16)
    encoder, decoder = init_rnn_params(3, 4, rng), init_model_params(2, 4, 2, rng)  # reads C = 2, no room for <bos>
    x, targets = rng.normal(size=(4, 1, 3)), np.zeros((2, 1), int)
    with pytest.raises(ValueError, match=r"its W_xh needs C \+ 1 = 3 columns; got 2"):
        encoder_decoder_loss(x, targets, encoder, decoder)
    with pytest.raises(ValueError, match=r"its W_xh needs C \+ 1 = 3 columns; got 2"):
        encoder_decoder_generate(x, encoder, decoder, 3)


def linear_loss_check(forward, backward, inputs, params, rng, **options):
    """Gradient check of L = sum(w * logits) + sum(w_n * h_n) for a forward/backward pair, on its inputs and
    params; the backward is given dstate_n = w_n."""
    logits, h_n, cache = forward(*inputs.values(), params, **options)
    w, w_n = rng.normal(size=logits.shape), rng.normal(size=h_n.shape)

    def loss():
        logits, h_n, _ = forward(*inputs.values(), params, **options)
        return (w * logits).sum() + (w_n * h_n).sum()

    dx, dh0, grads = backward(w, cache, w_n)
    assert list(grads) == list(params)  # named, and ordered, like the params
    report = grad_check(loss, inputs | params, dict(zip(inputs, (dx, dh0), strict=True)) | grads)
    assert report.passed(1e-6), report


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_many_to_many_forward_backward_gradient_check(nonlinearity):
    rng = np.random.default_rng(6)
    params = init_model_params(3, 4, 5, rng)
    inputs = {"x": rng.normal(size=(4, 2, 3)), "h0": rng.normal(size=(2, 4))}
    linear_loss_check(many_to_many_forward, many_to_many_backward, inputs, params, rng, nonlinearity=nonlinearity)


def test_many_to_one_forward_backward_gradient_check():
    rng = np.random.default_rng(7)
    params = init_model_params(3, 4, 2, rng)
    inputs = {"x": rng.normal(size=(5, 2, 3)), "h0": rng.normal(size=(2, 4))}
    linear_loss_check(many_to_one_forward, many_to_one_backward, inputs, params, rng)


def test_forwards_return_logits_then_the_final_state():
    rng = np.random.default_rng(11)
    params = init_model_params(3, 4, 5, rng)
    x, h0 = rng.normal(size=(6, 2, 3)), rng.normal(size=(2, 4))
    h, h_n, _ = rnn_forward(x, h0, rnn_part(params))
    logits, m2m_h_n, _ = many_to_many_forward(x, h0, params)
    assert logits.shape == (6, 2, 5)
    np.testing.assert_allclose(logits, h @ params["W_hy"].T + params["b_y"], rtol=0, atol=1e-14)
    np.testing.assert_array_equal(m2m_h_n, h_n)
    logits, m2o_h_n, _ = many_to_one_forward(x, h0, params)
    assert logits.shape == (2, 5)
    np.testing.assert_allclose(logits, h_n @ params["W_hy"].T + params["b_y"], rtol=0, atol=1e-14)
    np.testing.assert_array_equal(m2o_h_n, h_n)
    encoder, decoder, dec_in = rnn_part(params), init_model_params(2, 4, 3, rng), rng.normal(size=(3, 2, 2))
    logits, dec_h_n, _ = encoder_decoder_forward(x, dec_in, encoder, decoder)
    ref_logits, ref_h_n, _ = many_to_many_forward(dec_in, rnn_forward(x, None, encoder)[1], decoder)
    np.testing.assert_array_equal(logits, ref_logits)  # the encoder's final state starts the decoder
    np.testing.assert_array_equal(dec_h_n, ref_h_n)  # and h_n is the decoder's


def test_many_to_many_truncate_is_a_forward_option():
    """many_to_many_forward's truncate= is rnn_forward's; many_to_many_loss passes its own truncate= on."""
    rng = np.random.default_rng(12)
    params = init_model_params(3, 4, 5, rng)
    x, h0, targets = rng.normal(size=(7, 2, 3)), rng.normal(size=(2, 4)), rng.integers(0, 5, size=(7, 2))
    logits, _, cache = many_to_many_forward(x, h0, params, "tanh", 3)
    np.testing.assert_array_equal(logits, many_to_many_forward(x, h0, params)[0])  # the forward is unchanged
    dlogits = rng.normal(size=logits.shape)
    dx, dh0, grads = many_to_many_backward(dlogits, cache)
    dx_ref, dh0_ref, grads_ref = rnn_backward(dlogits @ params["W_hy"],
                                              rnn_forward(x, h0, rnn_part(params), truncate=3)[2])
    np.testing.assert_allclose(dx, dx_ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(dh0, dh0_ref, rtol=0, atol=1e-12)
    for name in grads_ref:
        np.testing.assert_allclose(grads[name], grads_ref[name], rtol=0, atol=1e-12)
    _, full, _ = many_to_many_loss(x, targets, params, h0)
    _, cut, _ = many_to_many_loss(x, targets, params, h0, truncate=3)
    logits, _, cut_cache = many_to_many_forward(x, h0, params, truncate=3)
    _, _, ref = many_to_many_backward(softmax_cross_entropy(logits, targets)[1], cut_cache)
    for name in params:
        np.testing.assert_allclose(cut[name], ref[name], rtol=0, atol=1e-12)
    assert not np.allclose(cut["W_hh"], full["W_hh"])  # the cut is real


def test_many_to_many_truncated_gradient_check():
    rng = np.random.default_rng(13)
    params = init_model_params(3, 4, 5, rng)
    x, h0, k = rng.normal(size=(7, 2, 3)), rng.normal(size=(2, 4)), 3
    logits, _, cache = many_to_many_forward(x, h0, params, truncate=k)
    w = rng.normal(size=logits.shape)
    h = rnn_forward(x, h0, rnn_part(params))[0]
    starts = [h0] + [h[s - 1].copy() for s in range(k, 7, k)]  # frozen chunk start states

    def surrogate():
        return sum((w[s:s + k] * many_to_many_forward(x[s:s + k], starts[i], params)[0]).sum()
                   for i, s in enumerate(range(0, 7, k)))

    dx, dh0, grads = many_to_many_backward(w, cache)
    report = grad_check(surrogate, {"x": x, "h0": starts[0], **params}, {"x": dx, "h0": dh0, **grads})
    assert report.passed(1e-6), report


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
    logits, _, cache = encoder_decoder_forward(x, dec_in, encoder, decoder)
    assert logits.shape == (2, 2, 3)  # T_y steps, not T_x
    w = rng.normal(size=logits.shape)
    dx, ddec_in, enc_grads, dec_grads = encoder_decoder_backward(w, cache)

    def loss():
        return (w * encoder_decoder_forward(x, dec_in, encoder, decoder)[0]).sum()

    inputs = {"x": x, "dec_in": dec_in} | {f"enc_{k}": v for k, v in encoder.items()} \
        | {f"dec_{k}": v for k, v in decoder.items()}
    analytic = {"x": dx, "dec_in": ddec_in} | {f"enc_{k}": v for k, v in enc_grads.items()} \
        | {f"dec_{k}": v for k, v in dec_grads.items()}
    report = grad_check(loss, inputs, analytic)
    assert report.passed(1e-6), report


def test_generate_greedy_flag():
    params = init_model_params(6, 8, 6, np.random.default_rng(10))
    greedy = generate(params, 0, 10)
    assert generate(params, 0, 10, rng=np.random.default_rng(0), greedy=True) == greedy
    sampled = generate(params, 0, 10, rng=np.random.default_rng(1), greedy=False)
    assert sampled == generate(params, 0, 10, rng=np.random.default_rng(1))
    with pytest.raises(ValueError, match="greedy=False samples, so it needs rng"):
        generate(params, 0, 10, greedy=False)
    with pytest.raises(TypeError, match="greedy must be True or False, got str 'yes'"):
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
    with pytest.raises(ValueError, match=r"params is missing 'W_hy', 'b_y'"):
        many_to_many_loss(np.zeros((2, 1, 3)), np.zeros((2, 1), int), init_rnn_params(3, 4, rng))
    with pytest.raises(ValueError, match="O must equal D; got O=2, D=3"):
        generate(init_model_params(3, 4, 2, rng), 0, 5)
    with pytest.raises(ValueError, match=r"start_id must be ids in \[0, 2\] \(vocab_size=3\); got 3"):
        generate(init_model_params(3, 4, 3, rng), 3, 5)
    with pytest.raises(ValueError, match=r"targets must have 1 dimension\(s\), got shape \(2, 1\)"):
        many_to_one_loss(np.zeros((2, 1, 3)), np.zeros((2, 1), int), init_model_params(3, 4, 2, rng))


P = init_model_params(3, 4, 5, np.random.default_rng(0))
X = np.zeros((6, 2, 3))
M2M_CACHE = many_to_many_forward(X, None, P)[2]
M2O_CACHE = many_to_one_forward(X, None, P)[2]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: many_to_many_forward(X, None, P, "tanh", 0), ValueError, "truncate must be at least 1, got 0"),
        (lambda: many_to_many_loss(X, np.zeros((6, 2), int), P, truncate=0), ValueError,
         "truncate must be at least 1, got 0"),
        (lambda: many_to_many_forward(X, np.zeros((2, 5)), P), ValueError,
         r"state0 must have shape \(N, H\) = \(2, 4\), got \(2, 5\)"),
        (lambda: many_to_one_forward(X, np.zeros((2, 4), np.float32), P), TypeError,
         "state0 has dtype float32 but x has float64"),
        (lambda: many_to_many_backward(np.zeros((6, 2, 5)), M2M_CACHE, np.zeros((2, 3))), ValueError,
         r"dstate_n must have shape \(N, H\) = \(2, 4\), got \(2, 3\)"),
        (lambda: many_to_many_backward(np.zeros((6, 2, 5)), M2M_CACHE, np.zeros((2, 4), np.float32)), TypeError,
         "dstate_n has dtype float32 but x has float64"),
        (lambda: many_to_many_backward(np.zeros((6, 2, 4)), M2M_CACHE), ValueError,
         r"dlogits must have shape \(T, N, O\) = \(6, 2, 5\), got \(6, 2, 4\)"),
        (lambda: many_to_one_backward(np.zeros((6, 2, 5)), M2O_CACHE), ValueError,
         r"dlogits must have 2 dimensions \(N, O\), got shape \(6, 2, 5\)"),
    ],
)
def test_bad_inputs_new_api(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("dstate_n, error, message", [
    (np.zeros(4), ValueError, r"dstate_n must have 2 dimensions \(N, H\), got shape \(4,\)"),
    (np.zeros((2, 4), np.float32), TypeError, "dstate_n has dtype float32 but x has float64"),
], ids=["shape", "dtype"])
def test_many_to_one_backward_checks_dstate_n(dstate_n, error, message):
    with pytest.raises(error, match=message):
        many_to_one_backward(np.zeros((2, 5)), M2O_CACHE, dstate_n)


@pytest.mark.parametrize("backward, shape", [(many_to_many_backward, (6, 2, 5)), (many_to_one_backward, (2, 5))],
                         ids=["many_to_many", "many_to_one"])
def test_a_float32_dlogits_is_refused(backward, shape):
    cache = M2M_CACHE if backward is many_to_many_backward else M2O_CACHE
    with pytest.raises(TypeError, match="has dtype float32 but x has float64"):
        backward(np.zeros(shape, np.float32), cache)
