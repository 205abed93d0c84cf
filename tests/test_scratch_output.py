import numpy as np
import pytest
import torch

from seqlearn.gradcheck import grad_check
from seqlearn.scratch import affine_backward, affine_forward, softmax, softmax_cross_entropy


def test_affine_gradient_check():
    rng = np.random.default_rng(0)
    h, W, b = rng.normal(size=(4, 3, 5)), rng.normal(size=(2, 5)), rng.normal(size=2)
    w = rng.normal(size=(4, 3, 2))
    y, cache = affine_forward(h, W, b)
    dh, dW, db = affine_backward(w, cache)
    report = grad_check(lambda: (w * affine_forward(h, W, b)[0]).sum(), {"h": h, "W": W, "b": b},
                        {"h": dh, "W": dW, "b": db})
    assert report.passed(1e-6), report


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("masked", [False, True])
def test_cross_entropy_gradient_check(reduction, masked):
    rng = np.random.default_rng(1)
    logits, targets = rng.normal(size=(5, 3, 4)), rng.integers(0, 4, size=(5, 3))
    mask = rng.random((5, 3)) < 0.7 if masked else None
    _, dlogits = softmax_cross_entropy(logits, targets, reduction, mask)
    report = grad_check(lambda: softmax_cross_entropy(logits, targets, reduction, mask)[0],
                        {"logits": logits}, {"logits": dlogits})
    assert report.passed(1e-6), report
    if masked:
        assert (dlogits[~mask] == 0).all()


def torch_cross_entropy(logits, targets, **options):
    """PyTorch's loss and its gradient on the logits, for logits (..., V) and targets (...)."""
    logits_t = torch.from_numpy(logits).requires_grad_()
    loss = torch.nn.functional.cross_entropy(logits_t.reshape(-1, logits.shape[-1]),
                                             torch.from_numpy(targets).reshape(-1), **options)
    loss.backward()
    return loss.item(), logits_t.grad.numpy()


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_cross_entropy_matches_torch(reduction):
    rng = np.random.default_rng(2)
    logits, targets = rng.normal(size=(6, 2, 5)), rng.integers(0, 5, size=(6, 2))
    loss, dlogits = softmax_cross_entropy(logits, targets, reduction)
    ref_loss, ref_grad = torch_cross_entropy(logits, targets, reduction=reduction)
    assert abs(loss - ref_loss) < 1e-10
    np.testing.assert_allclose(dlogits, ref_grad, rtol=0, atol=1e-12)


def test_masked_mean_matches_torch_ignore_index():
    """A mask is torch's ignore_index: masked positions count neither in the loss nor in the mean."""
    rng = np.random.default_rng(5)
    logits, targets = rng.normal(size=(6, 3, 4)), rng.integers(0, 4, size=(6, 3))
    mask = rng.random((6, 3)) < 0.6
    loss, dlogits = softmax_cross_entropy(logits, targets, "mean", mask)
    ref_loss, ref_grad = torch_cross_entropy(logits, np.where(mask, targets, -100), ignore_index=-100)
    assert abs(loss - ref_loss) < 1e-10
    np.testing.assert_allclose(dlogits, ref_grad, rtol=0, atol=1e-12)


def test_mean_is_the_sum_divided_by_the_count():
    rng = np.random.default_rng(3)
    logits, targets = rng.normal(size=(4, 2, 3)), rng.integers(0, 3, size=(4, 2))
    total, dsum = softmax_cross_entropy(logits, targets, "sum")
    mean, dmean = softmax_cross_entropy(logits, targets, "mean")
    assert mean == pytest.approx(total / 8)
    np.testing.assert_allclose(dmean * 8, dsum, atol=1e-15)


def test_softmax_is_stable_and_sums_to_one():
    p = softmax(np.array([[1000.0, 1000.0, -1000.0]]))
    np.testing.assert_allclose(p, [[0.5, 0.5, 0.0]])


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3])), ValueError,
         r"targets must be ids in \[0, 2\] \(vocab_size=3\); got 3 at position \(1,\)"),
        (lambda: softmax_cross_entropy(np.zeros((2, 3)), np.array([-1, 0])), ValueError,
         r"targets must be ids in \[0, 2\] \(vocab_size=3\); got -1 at position \(0,\)"),
        (lambda: softmax_cross_entropy(np.zeros((2, 3), int), np.array([0, 1])), TypeError,
         "logits must have a floating dtype"),
        (lambda: affine_backward(np.zeros((2, 4)), affine_forward(np.zeros((2, 4)), np.zeros((3, 4)),
                                                                  np.zeros(3))[1]), ValueError,
         r"dy must have shape \(\.\.\., O\) = \(2, 3\), got \(2, 4\)"),
        (lambda: softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2])), ValueError,
         r"targets must have shape logits.shape\[:-1\] = \(2,\), got \(3,\)"),
        (lambda: softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0])), TypeError,
         "targets must hold integers"),
        (lambda: softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1]), "max"), ValueError,
         "reduction must be one of 'sum', 'mean'"),
        (lambda: softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1]), mask=np.ones(2)), TypeError,
         r"mask must be a bool NumPy array \(the shape of targets\), True at the real positions, got dtype float64"),
        (lambda: affine_forward(np.zeros((2, 4)), np.zeros((3, 5)), np.zeros(3)), ValueError,
         r"W must have shape \(O, H\) = \(3, 4\), got \(3, 5\)"),
        (lambda: affine_forward(np.zeros((2, 4)), np.zeros((3, 4)), np.zeros(4)), ValueError,
         r"b must have shape \(O,\) = \(3,\), got \(4,\)"),
    ],
)
def test_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()
