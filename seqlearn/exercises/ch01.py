"""Checkers for the exercises of chapter 1, Notation."""

from seqlearn.diagrams import ARCHITECTURES
from seqlearn.exercises import passed, require

# Exercise 1: every parameter shape for D = 10 inputs, H = 32 hidden units, O = 5 outputs.
_SHAPES = {"W_xh": (32, 10), "W_hh": (32, 32), "b_h": (32,), "W_hy": (5, 32), "b_y": (5,)}

# Exercise 2: the architecture of each task.
_TASKS = {
    "sentiment classification": "many-to-one",
    "music generation": "one-to-many",
    "machine translation": "many-to-many-unequal",
    "named-entity recognition": "many-to-many-equal",
    "video activity recognition": "many-to-one",
}


def check_parameter_shapes(answer):
    """`answer`: dict from parameter name to shape tuple, for D=10, H=32, O=5 (column-vector math)."""
    require(isinstance(answer, dict), f"expected a dict of name -> shape, got {type(answer).__name__}")
    require(set(answer) == set(_SHAPES), f"expected the names {sorted(_SHAPES)}, got {sorted(answer)}")
    for name, shape in _SHAPES.items():
        got = tuple(answer[name]) if isinstance(answer[name], tuple | list) else answer[name]
        require(got == shape, f"{name}: {got} is not right. Which vector does it multiply, and which does it make?")
    return passed("all five shapes are right; W_hh is square because it maps h⟨t-1⟩ to h⟨t⟩.")


def check_architectures(answer):
    """`answer`: dict from each task in `TASKS` to one of ARCHITECTURES."""
    require(isinstance(answer, dict), f"expected a dict of task -> architecture, got {type(answer).__name__}")
    require(set(answer) == set(_TASKS), f"expected the tasks {sorted(_TASKS)}, got {sorted(answer)}")
    for task, kind in answer.items():
        require(kind in ARCHITECTURES, f"{task}: {kind!r} is not one of {ARCHITECTURES}")
        require(kind == _TASKS[task], f"{task}: not {kind}. How many inputs does it read, how many outputs?")
    return passed("every task has its architecture.")


TASKS = tuple(_TASKS)


def check_parameter_count(count):
    """`count(D, H, O)` -> number of parameters of the course's RNN (one bias b_h) with its output layer."""
    require(callable(count), f"expected a function count(D, H, O), got {type(count).__name__}")
    for D, H, O in [(1, 1, 1), (10, 32, 5), (3, 7, 2), (100, 256, 100)]:
        want = H * D + H * H + H + O * H + O
        got = count(D, H, O)
        require(got == want, f"count({D}, {H}, {O}) returned {got}; recount W_xh, W_hh, b_h, W_hy and b_y")
    return passed("H·D + H·H + H + O·H + O, and it does not depend on the sequence length.")


def check_batched_shapes(answer):
    """16 sentences padded to 20 tokens, 50-wide embeddings, H = 64, time-major arrays.

    `answer`: dict with the shapes of "x" (all inputs), "h_t" (one step's hidden state) and "h" (all steps).
    """
    want = {"x": (20, 16, 50), "h_t": (16, 64), "h": (20, 16, 64)}
    require(isinstance(answer, dict) and set(answer) == set(want),
            f"expected a dict with keys {sorted(want)}, got {answer!r}")
    for key, shape in want.items():
        require(tuple(answer[key]) == shape, f"{key}: {tuple(answer[key])} is not right; time-major means (T, N, ...)")
    return passed("time-major: time first, then the batch, then the features.")
