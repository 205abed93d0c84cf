"""The gates' sigmoid: values, dtypes, scalars and the in-place form the LSTM and GRU use."""

import numpy as np
import pytest

from seqlearn.scratch import sigmoid


def test_values_without_overflow():
    a = np.array([-1000.0, -40.0, 0.0, 1.0, 40.0, 1000.0])
    with np.errstate(all="raise"):  # 1 / (1 + exp(1000)) would overflow
        got = sigmoid(a)
    # (1 + tanh(a/2)) / 2 is accurate to ~1e-16 absolutely; far out σ(-40) = 4e-18 comes out as 0
    np.testing.assert_allclose(got[1:5], 1 / (1 + np.exp(-a[1:5])), rtol=0, atol=2e-16)
    assert got[0] == 0.0 and got[-1] == 1.0
    assert sigmoid(np.array([40.0]))[0] == 1.0  # exactly 1 in float64: chapter 7's highway relies on it


@pytest.mark.parametrize("a", [2.0, np.float64(2.0), np.array(2.0), 2])
def test_scalars(a):
    got = sigmoid(a)
    assert np.ndim(got) == 0
    assert got == pytest.approx(1 / (1 + np.exp(-2.0)), rel=1e-14)


def test_dtype_is_kept_and_input_untouched():
    a = np.array([[-1.0, 0.5]], dtype=np.float32)
    got = sigmoid(a)
    assert got.dtype == np.float32 and got.shape == (1, 2)
    np.testing.assert_array_equal(a, [[-1.0, 0.5]])
    assert sigmoid(np.float32(1.0)).dtype == np.float32


def test_in_place():
    a = np.array([-2.0, 0.0, 3.0])
    want = 1 / (1 + np.exp(-a))
    out = sigmoid(a, out=a)
    assert out is a
    np.testing.assert_allclose(a, want, rtol=1e-15)
