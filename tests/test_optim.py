import numpy as np
import pytest
import torch

from seqlearn.optim import SGD, Adagrad, Adam, clip_by_global_norm, clip_by_value, global_norm


def run_both(ours, make_torch, steps=5):
    """Same params, same gradient sequence, through our optimiser and torch's; return both results."""
    rng = np.random.default_rng(0)
    params = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}
    tensors = {k: torch.tensor(v.copy(), requires_grad=True) for k, v in params.items()}
    reference = make_torch(list(tensors.values()))
    for _ in range(steps):
        grads = {k: rng.normal(size=v.shape) for k, v in params.items()}
        ours.step(params, grads)
        for k, t in tensors.items():
            t.grad = torch.from_numpy(grads[k].copy())
        reference.step()
    return params, {k: t.detach().numpy() for k, t in tensors.items()}


@pytest.mark.parametrize(
    "ours, make_torch",
    [
        (SGD(0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
        (Adagrad(0.1, eps=1e-10),
         lambda p: torch.optim.Adagrad(p, lr=0.1, eps=1e-10, initial_accumulator_value=0)),
        (Adagrad(0.1, eps=0.5), lambda p: torch.optim.Adagrad(p, lr=0.1, eps=0.5)),  # eps after the sqrt
        (Adam(0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
        (Adam(0.05, beta1=0.5, beta2=0.9, eps=0.1),
         lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.5, 0.9), eps=0.1)),
    ],
)
def test_agrees_with_torch_over_several_steps(ours, make_torch):
    params, reference = run_both(ours, make_torch)
    for k in params:
        np.testing.assert_allclose(params[k], reference[k], rtol=0, atol=1e-12)


def test_sgd_step_is_the_formula():
    params, grads = {"w": np.array([1.0, 2.0])}, {"w": np.array([0.5, -1.0])}
    SGD(0.1).step(params, grads)
    np.testing.assert_allclose(params["w"], [0.95, 2.1])


def test_adagrad_steps_are_the_formula():
    params, g1, g2 = {"w": np.array([1.0, 2.0])}, np.array([0.5, -1.0]), np.array([1.0, 0.0])
    opt = Adagrad(0.1, eps=1e-10)
    opt.step(params, {"w": g1})  # s = g^2: the first step has size lr in every coordinate
    np.testing.assert_allclose(params["w"], [1.0 - 0.1, 2.0 + 0.1])
    opt.step(params, {"w": g2})
    s = g1 ** 2 + g2 ** 2
    np.testing.assert_allclose(params["w"], np.array([0.9, 2.1]) - 0.1 * g2 / (np.sqrt(s) + 1e-10))


def test_adam_steps_are_the_formula():
    params, g1, g2 = {"w": np.array([1.0, 2.0])}, np.array([0.5, -1.0]), np.array([-0.25, 3.0])
    opt = Adam(0.01, beta1=0.9, beta2=0.999, eps=1e-8)
    opt.step(params, {"w": g1})  # bias correction: m_hat = g, v_hat = g^2, so the step is lr * sign(g)
    np.testing.assert_allclose(params["w"], [1.0 - 0.01, 2.0 + 0.01], rtol=1e-7)
    expected = params["w"].copy()
    opt.step(params, {"w": g2})
    m = 0.9 * 0.1 * g1 + 0.1 * g2
    v = 0.999 * 0.001 * g1 ** 2 + 0.001 * g2 ** 2
    expected -= 0.01 * (m / (1 - 0.9 ** 2)) / (np.sqrt(v / (1 - 0.999 ** 2)) + 1e-8)
    np.testing.assert_allclose(params["w"], expected, rtol=1e-12)


def test_clip_by_value_is_entrywise_and_returns_a_new_dict():
    grads = {"a": np.array([3.0, -0.1, -7.0])}
    clipped = clip_by_value(grads, 1.0)
    np.testing.assert_array_equal(clipped["a"], [1.0, -0.1, -1.0])
    np.testing.assert_array_equal(grads["a"], [3.0, -0.1, -7.0])  # the input is untouched


def test_clip_by_norm_keeps_direction_and_by_value_does_not():
    grads = {"a": np.array([3.0, 0.1]), "b": np.array([[4.0]])}
    clipped, norm = clip_by_global_norm(grads, 1.0)
    assert norm == pytest.approx(np.sqrt(9 + 0.01 + 16))
    assert global_norm(clipped) == pytest.approx(1.0)
    flat = np.concatenate([g.ravel() for g in grads.values()])
    flat_norm = np.concatenate([g.ravel() for g in clipped.values()])
    flat_value = np.concatenate([g.ravel() for g in clip_by_value(grads, 1.0).values()])
    cosine = lambda u, v: u @ v / np.linalg.norm(u) / np.linalg.norm(v)  # noqa: E731
    assert cosine(flat, flat_norm) == pytest.approx(1.0)
    assert cosine(flat, flat_value) < 0.99  # [1, 0.1, 1]: the small entry now weighs far more


def test_small_gradients_are_left_alone():
    grads = {"a": np.array([0.3, 0.4])}
    clipped, norm = clip_by_global_norm(grads, 1.0)
    assert norm == pytest.approx(0.5)
    np.testing.assert_array_equal(clipped["a"], grads["a"])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: SGD(0), "lr must be positive.*, got 0"),
        (lambda: Adam(1e-3, beta1=1.0), r"beta1 must be in \[0, 1\), got 1.0"),
        (lambda: SGD(0.1).step({"w": np.zeros(2)}, {"v": np.zeros(2)}), "must have the same keys"),
        (lambda: SGD(0.1).step({"w": np.zeros(2)}, {"w": np.zeros(3)}),
         r"grads\['w'\] must have shape \(2,\), got \(3,\)"),
        (lambda: clip_by_global_norm({"w": np.zeros(2)}, -1.0), "max_norm must be positive.*, got -1.0"),
        (lambda: clip_by_value({"w": np.zeros(2)}, 0), "limit must be positive.*, got 0"),
        (lambda: Adagrad(-0.1), "lr must be positive.*, got -0.1"),
        (lambda: Adagrad(0.1, eps=-1e-10), "eps must be a finite number >= 0, got -1e-10"),
        (lambda: Adam(1e-3, eps=-1.0), "eps must be a finite number >= 0, got -1.0"),
        (lambda: Adam(1e-3, beta2=-0.5), r"beta2 must be in \[0, 1\), got -0.5"),
    ],
)
def test_bad_inputs(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_global_norm_does_not_overflow_and_clipping_keeps_the_direction():
    for g in (np.array([3e19, 4e19], np.float32), np.array([3e200, 4e200])):
        assert global_norm({"w": g}) == pytest.approx(5 * g[0] / 3, rel=1e-6)
        clipped, norm = clip_by_global_norm({"w": g}, 1.0)
        assert clipped["w"].dtype == g.dtype and np.allclose(clipped["w"], [0.6, 0.8], rtol=1e-6)
        assert norm == pytest.approx(5 * float(g[0]) / 3, rel=1e-6)
    assert global_norm({"w": np.zeros(3), "b": np.zeros(0)}) == 0.0


@pytest.mark.parametrize("grads, error, message", [
    ({"w": np.array([np.nan, 100.0])}, ValueError, r"grads\['w'\] must be finite, got nan at \[0\]"),
    ({"w": np.array([1.0]), "b": np.array([np.inf, 1.0])}, ValueError, r"grads\['b'\] must be finite, got inf"),
    ({"w": np.array([1, 2])}, TypeError, r"grads\['w'\] must have a floating dtype .*, got int64"),
    ({}, TypeError, "grads must be a non-empty dict"),
])
def test_clipping_refuses_gradients_it_cannot_rescale(grads, error, message):
    with pytest.raises(error, match=message):
        clip_by_global_norm(grads, 1.0)
