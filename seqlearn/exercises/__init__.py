"""Automatic checkers for the exercises at the end of each chapter.

One module per chapter (`ch01`, `ch02`, ...). Every checker takes the learner's answer and either prints a
short confirmation, or raises `WrongAnswer` with a hint that says what was expected and what arrived.
Checkers return None, so a notebook cell that calls one shows only the confirmation.
The tests prove each checker accepts the reference answer and rejects a wrong one.
"""


import functools


class WrongAnswer(AssertionError):
    """Raised by a checker when the answer is wrong; the message is a hint, not the solution."""


def passed(message):
    """Print the confirmation a checker shows for a right answer."""
    print(f"Correct: {message}")


def require(condition, hint):
    """Raise `WrongAnswer(hint)` unless `condition` holds."""
    if not condition:
        raise WrongAnswer(hint)


def reads_answer(check):
    """For a checker of a value (not of a function): an answer of the wrong type or shape, which the checker
    cannot even read (a ragged list, a number where a shape belongs), gets a `WrongAnswer` saying so, not a crash."""
    @functools.wraps(check)
    def checked(answer):
        try:
            return check(answer)
        except WrongAnswer:
            raise
        except (TypeError, ValueError, IndexError, KeyError, AttributeError) as error:
            raise WrongAnswer(f"the answer cannot be read as the question asks ({type(error).__name__}: {error}); "
                              "check its type and shape") from None
    return checked
