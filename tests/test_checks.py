"""The shared argument checks (`seqlearn.checks`): the causes behind most of issue 17's findings, one test each."""

import math

import numpy as np
import pytest

from seqlearn.checks import (
    check_count,
    check_finite,
    check_flag,
    check_float_array,
    check_int_array,
    check_path,
    check_positive,
    check_positive_int,
    check_probability,
)


@pytest.mark.parametrize("value", ["3", np.array([0.1]), [0.1], None])
def test_a_number_check_types_before_it_compares(value):
    """Was: `'>' not supported between instances of 'str' and 'int'` from deep inside."""
    with pytest.raises(TypeError, match=r"lr must be positive .*, got"):
        check_positive("lr", value)


@pytest.mark.parametrize("check", [check_positive_int, check_count, check_positive, check_probability])
def test_a_bool_is_not_a_number(check):
    with pytest.raises(TypeError, match="k must be"):
        check("k", True)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_positive_numbers_are_finite(value):
    with pytest.raises(ValueError, match="temperature must be positive"):
        check_positive("temperature", value)


def test_sizes_refuse_floats_even_whole_ones():
    with pytest.raises(TypeError, match=r"batch_size must be an int, got float 2\.0"):
        check_positive_int("batch_size", 2.0)
    assert check_positive_int("batch_size", np.int64(2)) == 2


@pytest.mark.parametrize("value", ["no", "False", 0, 1, None])
def test_a_flag_is_a_bool_only(value):
    """Was: stateful="no" meant stateful, because a non-empty string is truthy."""
    with pytest.raises(TypeError, match="stateful must be True or False"):
        check_flag("stateful", value)
    assert check_flag("stateful", np.bool_(False)) is False


def test_uint64_ids_above_int64_are_refused_not_wrapped():
    """Was: 2**63 + 5 as uint64 became a negative int64 id."""
    ids = np.array([1, 2**63 + 5], dtype=np.uint64)
    with pytest.raises(ValueError, match=r"ids must be ids below 2\*\*63, got 9223372036854775813"):
        check_int_array("ids", ids)
    assert check_int_array("ids", np.array([1, 2], dtype=np.uint64)).tolist() == [1, 2]


def test_ids_in_range_name_the_first_bad_position():
    with pytest.raises(ValueError, match=r"targets must be ids in \[0, 2\] \(vocab_size=3\); got 3 at position \(1,\)"):
        check_int_array("targets", [0, 3, -1], vocab_size=3)


def test_float_arrays_of_a_stated_dtype_and_not_empty():
    with pytest.raises(TypeError, match="x must have dtype float64, got float32"):
        check_float_array("x", np.ones(2, np.float32), dtype=np.float64)
    with pytest.raises(TypeError, match="x must have a floating dtype"):
        check_float_array("x", np.ones(2, complex))
    with pytest.raises(ValueError, match=r"x must not be empty: each axis \(T, N, D\) .*got \(0, 2, 3\)"):
        check_float_array("x", np.ones((0, 2, 3)), ndim=3, dims="(T, N, D)", allow_empty=False)


def test_finite_names_the_position():
    with pytest.raises(ValueError, match=r"logits must be finite, got .*nan.* at position \(1, 0\)"):
        check_finite("logits", np.array([[0.0], [np.nan]]))


def test_paths(tmp_path):
    with pytest.raises(TypeError, match="path must be a path"):
        check_path("path", 3)
    with pytest.raises(FileNotFoundError, match="path must be an existing file; .* is missing"):
        check_path("path", tmp_path / "nope.csv", must_exist="file")
    with pytest.raises(FileNotFoundError, match="path must be an existing file; .* is a directory"):
        check_path("path", tmp_path, must_exist="file")
