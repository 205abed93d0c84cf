import numpy as np
import pytest

from seqlearn.gradcheck import grad_check
from seqlearn.scratch import init_jordan_params, jordan_backward, jordan_forward


def test_gradient_check():
    rng = np.random.default_rng(0)
    params = init_jordan_params(3, 4, 2, rng)
    x, y0 = rng.normal(size=(5, 2, 3)), rng.normal(size=(2, 2))
    w = rng.normal(size=(5, 2, 2))
    _, _, cache = jordan_forward(x, y0, params)
    dx, dy0, grads = jordan_backward(w, cache)
    report = grad_check(lambda: (w * jordan_forward(x, y0, params)[1]).sum(), {"x": x, "y0": y0, **params},
                        {"x": dx, "y0": dy0, **grads})
    assert report.passed(1e-6), report


def test_the_output_is_what_is_fed_back():
    rng = np.random.default_rng(1)
    params = init_jordan_params(3, 4, 2, rng)
    x = rng.normal(size=(3, 1, 3))
    h, y, _ = jordan_forward(x, None, params)
    h2 = np.tanh(x[1] @ params["W_xh"].T + y[0] @ params["W_yh"].T + params["b_h"])
    np.testing.assert_allclose(h[1], h2, atol=1e-15)


def test_bad_inputs():
    params = init_jordan_params(3, 4, 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"W_yh must have shape \(H, O\) = \(4, 2\), got \(4, 3\)"):
        jordan_forward(np.zeros((2, 1, 3)), None, {**params, "W_yh": np.zeros((4, 3))})
    with pytest.raises(ValueError, match="params is missing 'b_y'"):
        jordan_forward(np.zeros((2, 1, 3)), None, {k: v for k, v in params.items() if k != "b_y"})
    with pytest.raises(ValueError, match=r"y0 must have shape \(N, O\) = \(1, 2\), got \(1, 4\)"):
        jordan_forward(np.zeros((2, 1, 3)), np.zeros((1, 4)), params)
    with pytest.raises(TypeError, match="y0 has dtype float32 but x has float64"):
        jordan_forward(np.zeros((2, 1, 3)), np.zeros((1, 2), np.float32), params)
    with pytest.raises(TypeError, match="W_hy must be a NumPy array, got list"):
        jordan_forward(np.zeros((2, 1, 3)), None, {**params, "W_hy": [[0.0] * 4] * 2})
    _, y, cache = jordan_forward(np.zeros((2, 1, 3)), None, params)
    with pytest.raises(ValueError, match=r"dy must have shape \(T, N, O\) = \(2, 1, 2\), got \(2, 1, 4\)"):
        jordan_backward(np.zeros((2, 1, 4)), cache)
