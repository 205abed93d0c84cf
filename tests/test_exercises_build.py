"""The build-it framework itself (seqlearn.exercises.build): what it accepts, and what it names."""

import numpy as np
import pytest

from seqlearn.exercises import WrongAnswer
from seqlearn.exercises.build import Case, Mistake, check_function, difference

CASES = [Case("N=3", lambda rng: {"x": rng.normal(size=3)}), Case("N=1", lambda rng: {"x": rng.normal(size=1)})]


def double(x):
    return 2 * x


def check(answer, mistakes=()):
    check_function(answer, double, CASES, mistakes, "double")


def test_a_correct_answer_written_another_way_passes():
    check(lambda x: x + x)
    check(lambda x: list(2 * x))  # a list where an array belongs is read as that array


@pytest.mark.parametrize("answer, message", [
    (lambda x: None, "returned None: is a `return` missing"),
    (lambda x: (2 * x).astype(np.float32), "has dtype float32, expected float64"),
    (lambda x: 3 * x, r"off by up to .* at index \(\d+,\)"),
    (lambda x: np.concatenate([2 * x, x]), r"has shape \(\d+,\), expected \(\d+,\)"),
    (lambda x: 2 * x[::-1] if len(x) > 1 else 2 * x, "off by up to"),
    (lambda x: x.__imul__(2), "changes its argument 'x' in place"),
    (lambda x: 1 / 0, "raised ZeroDivisionError"),
    (lambda x: [2 * x, [1.0]] if len(x) > 1 else 2 * x, r"is a list that does not form an array, expected an array"),
])
def test_wrong_answers_are_named(answer, message):
    with pytest.raises(WrongAnswer, match=message):
        check(answer)


def test_a_catalogued_mistake_is_named_and_others_are_not():
    mistakes = [Mistake("that triples", lambda x: 3 * x), Mistake("that negates", lambda x: -2 * x)]
    with pytest.raises(WrongAnswer, match="on N=3: that negates"):
        check(lambda x: -2 * x, mistakes)
    with pytest.raises(WrongAnswer) as error:
        check(lambda x: 4 * x, mistakes)
    assert "triples" not in str(error.value) and "negates" not in str(error.value)


def test_nan_matches_only_nan():
    assert difference(np.array([np.nan, 1.0]), np.array([np.nan, 1.0])) is None
    assert "nan or inf" in difference(np.array([np.nan, 1.0]), np.array([0.5, 1.0]))
    assert difference(np.array([1, 2]), np.array([1, 2])) is None
    assert "expected integers" in difference(np.array([1.0, 2.0]), np.array([1, 2]))
