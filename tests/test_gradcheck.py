import numpy as np
import pytest

from seqlearn.gradcheck import grad_check, numerical_gradient, relative_error


def test_numerical_gradient_of_a_quadratic():
    x = np.array([1.0, -2.0, 3.0])
    np.testing.assert_allclose(numerical_gradient(lambda: (x ** 2).sum(), x), 2 * x, rtol=1e-8)
    np.testing.assert_array_equal(x, [1.0, -2.0, 3.0])  # restored


def test_finds_a_wrong_gradient_and_names_it():
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    grad_A, grad_B = np.ones((3, 2)) @ B.T, A.T @ np.ones((3, 2))  # of sum(A @ B)
    right = grad_check(lambda: (A @ B).sum(), {"A": A, "B": B}, {"A": grad_A, "B": grad_B})
    assert right.passed(1e-8) and right.max_error < 1e-8
    wrong_B = grad_B.copy()
    wrong_B[2, 1] *= 1.5
    report = grad_check(lambda: (A @ B).sum(), {"A": A, "B": B}, {"A": grad_A, "B": wrong_B})
    assert not report.passed()
    assert (report.worst_name, report.worst_index) == ("B", (2, 1))
    assert "worst: B[2, 1]" in str(report)


def test_relative_error_of_zeros_is_zero():
    assert relative_error(np.zeros(3), np.zeros(3)).max() == 0


def test_refuses_float32_and_mismatched_names():
    x = np.zeros(2, np.float32)
    with pytest.raises(TypeError, match="x must be a float64 array .finite differences need float64"):
        grad_check(lambda: 0.0, {"x": x}, {"x": x})
    with pytest.raises(ValueError, match="must name the same arrays"):
        grad_check(lambda: 0.0, {"x": np.zeros(2)}, {"y": np.zeros(2)})


def test_numerical_gradient_of_a_non_contiguous_view():
    base = np.arange(12.0).reshape(3, 4)
    x = base.T  # a transposed view: flattening it would copy, and perturbing the copy would do nothing
    np.testing.assert_allclose(numerical_gradient(lambda: (base ** 2).sum(), x), 2 * x, rtol=1e-8)


def test_entry_is_restored_when_f_raises():
    x = np.array([1.0, 2.0])

    def f():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_f_must_return_a_scalar():
    x = np.array([1.0, 2.0])
    with pytest.raises(ValueError, match=r"f must return a scalar, got an array of shape \(2,\)"):
        numerical_gradient(lambda: x * 2, x)


def test_report_prints_a_rounded_table():
    x, c = np.array([1.0, 2.0, 3.0]), np.array([1.0, -2.0, 0.5])
    analytic = c.copy()
    analytic[1] *= 1 + 2e-7  # relative error 2e-7 / (2 + 2e-7) = 1.0e-07
    report = grad_check(lambda: (c * x).sum(), {"x": x}, {"x": analytic})
    lines = str(report).splitlines()
    assert lines[0].split() == ["array", "max", "relative", "error"]
    assert lines[1].split() == ["x", "1.0e-07"]
    assert lines[2] == "worst: x[1] at 1.0e-07"
    assert report.max_error == pytest.approx(1e-7, rel=1e-2)
    assert report.passed(1e-6) and not report.passed(1e-8)


@pytest.mark.parametrize("order", [("a", "b"), ("b", "a")])
def test_a_nan_gradient_fails_whatever_the_order(order):
    a, b = np.array([1.0, 2.0]), np.array([3.0, 4.0])

    def f():
        return float((a ** 2).sum() + (b ** 2).sum())

    arrays = {name: {"a": a, "b": b}[name] for name in order}
    analytic = {name: {"a": 2 * a, "b": np.array([np.nan, 8.0])}[name] for name in order}
    report = grad_check(f, arrays, analytic)
    assert not report.passed() and report.max_error == np.inf
    assert (report.worst_name, report.worst_index) == ("b", (0,))


def test_a_nan_loss_fails():
    x = np.array([1.0, 2.0])
    report = grad_check(lambda: float("nan"), {"x": x}, {"x": 2 * x})
    assert not report.passed() and report.max_error == np.inf


def test_nothing_to_check_is_refused():
    with pytest.raises(ValueError, match="arrays must hold at least one array to check, got none"):
        grad_check(lambda: 0.0, {}, {})
    with pytest.raises(TypeError, match="arrays must be a dict of name -> array, got list"):
        grad_check(lambda: 0.0, [np.zeros(2)], {})
