"""What every build-it exercise's tests assert (tests/test_exercises_chNN.py): the checker accepts the reference,
rejects the student placeholder, recognises each catalogued mistake by its own hint, rejects an answer
hard-coded from one call, and never shows the expected values."""

import copy
import re

import numpy as np
import pytest

from seqlearn.exercises import WrongAnswer

# A number with three or more significant digits after the point could be an expected value; the checkers
# show differences as 1.2e-03 (two significant digits), shapes and indices as integers.
LEAK = re.compile(r"\d\.\d{3,}|\d\.\d{2,}e|array\(|\[\s*-?\d+\.\d")


def placeholder(*args):
    raise NotImplementedError("Exercise: write your answer here")


def hard_coded(reference, cases):
    """A function that returns what the reference gave on one call's inputs, whatever it is given."""
    kwargs = cases[0].make(np.random.default_rng(0))
    want = reference(*copy.deepcopy(list(kwargs.values())))
    return lambda *args: copy.deepcopy(want)


def message(checker, answer):
    with pytest.raises(WrongAnswer) as error:
        checker(answer)
    text = str(error.value)
    assert not LEAK.search(text), f"the hint may show an expected value: {text}"
    return text


def assert_build_it(checker, solution, reference, cases, mistakes):
    """The five promises of a build-it exercise, for `checker` and its catalogue of `mistakes`."""
    checker(solution)
    assert "not written yet" in message(checker, placeholder)
    assert len(mistakes) >= 3
    for mistake in mistakes:
        assert mistake.hint in message(checker, mistake.function), mistake.hint
    hints = [m.hint for m in mistakes]
    text = message(checker, hard_coded(reference, cases))
    assert not any(h in text for h in hints), "a hard-coded answer was mistaken for a catalogued mistake"
