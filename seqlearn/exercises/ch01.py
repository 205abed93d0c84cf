"""Checkers for the exercises of chapter 1, Notation.

Every expected answer follows from the column-vector convention of the course: W_xh is (H, D), W_hh is
(H, H), W_hy is (O, H), and arrays in code are time-major, (T, N, ...).
"""

from seqlearn.diagrams import ARCHITECTURES
from seqlearn.exercises import passed, reads_answer, require
from seqlearn.exercises.build import call

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
TASKS = tuple(_TASKS)

# Exercise 4: a note, found online, for a column-vector RNN with D = 8, H = 16, O = 3. One shape is wrong.
CIRCULATING_NOTE = {"W_xh": (16, 8), "W_hh": (16, 16), "b_h": (16, 1), "W_hy": (16, 3), "b_y": (3, 1)}


def _shape(value):
    """A shape given as a tuple or a list, as a tuple; anything else unchanged, so the hint can show it."""
    return tuple(value) if isinstance(value, tuple | list) else value


def check_parameter_shapes(answer):
    """Exercise 1. `answer`: dict from parameter name to shape tuple, for D=10, H=32, O=5 (column-vector math).

    Biases may be given as (H,) or as columns (H, 1).
    """
    require(isinstance(answer, dict), f"expected a dict of name -> shape, got {type(answer).__name__}")
    require(set(answer) == set(_SHAPES), f"expected the names {sorted(_SHAPES)}, got {sorted(answer)}")
    for name, shape in _SHAPES.items():
        got = _shape(answer[name])
        ok = got == shape or (name.startswith("b_") and got == (*shape, 1))
        require(ok, f"{name}: {got} is not right. Which vector does it multiply, and which does it make?")
    passed("all five shapes are right; W_hh is square because it maps h⟨t-1⟩ to h⟨t⟩.")


def check_architectures(answer):
    """Exercise 2. `answer`: dict from each task in `TASKS` to one of ARCHITECTURES."""
    require(isinstance(answer, dict), f"expected a dict of task -> architecture, got {type(answer).__name__}")
    require(set(answer) == set(_TASKS), f"expected the tasks {sorted(_TASKS)}, got {sorted(answer)}")
    for task, kind in answer.items():
        require(kind in ARCHITECTURES, f"{task}: {kind!r} is not one of {ARCHITECTURES}")
        require(kind == _TASKS[task], f"{task}: not {kind}. How many inputs does it read, how many outputs?")
    passed("every task has its architecture.")


def check_parameter_count(count):
    """Exercise 3. `count(D, H, O)` -> parameters of the course's RNN (one bias b_h) with its output layer."""
    require(callable(count), f"expected a function count(D, H, O), got {type(count).__name__}")
    for D, H, O in [(1, 1, 1), (10, 32, 5), (3, 7, 2), (100, 256, 100)]:
        want = H * D + H * H + H + O * H + O
        got = call(count, {"D": D, "H": H, "O": O}, "count")
        require(got == want, f"count({D}, {H}, {O}) returned {got}; recount W_xh, W_hh, b_h, W_hy and b_y")
    passed("H·D + H·H + H + O·H + O, and it does not depend on the sequence length.")


def check_wrong_shape(answer):
    """Exercise 4. `answer`: dict with "name", the wrong entry of CIRCULATING_NOTE, and "shape", its right shape."""
    require(isinstance(answer, dict) and set(answer) == {"name", "shape"},
            f"expected a dict with the keys 'name' and 'shape', got {answer!r}")
    name, shape = answer["name"], _shape(answer["shape"])
    require(name in CIRCULATING_NOTE, f"{name!r} is not in the note; its names are {sorted(CIRCULATING_NOTE)}")
    require(name == "W_hy", f"{name} {CIRCULATING_NOTE.get(name)} is right for D=8, H=16, O=3. "
                            "Try each product of the two equations: which one cannot be computed?")
    require(shape == (3, 16), f"W_hy: {shape} is not right either; it turns h⟨t⟩ (16 numbers) into 3 outputs")
    passed("W_hy is (O, H) = (3, 16); the note's (16, 3) is d2l's row-form W_hq, mixed into column-vector math.")


@reads_answer
def check_batched_shapes(answer):
    """Exercise 5. 16 sentences padded to 20 tokens, 50-wide embeddings, H = 64, time-major arrays.

    `answer`: dict with the shapes of "x" (all inputs), "h_t" (one step's hidden state) and "h" (all steps).
    """
    want = {"x": (20, 16, 50), "h_t": (16, 64), "h": (20, 16, 64)}
    require(isinstance(answer, dict) and set(answer) == set(want),
            f"expected a dict with keys {sorted(want)}, got {answer!r}")
    for key, shape in want.items():
        got = _shape(answer[key])
        require(got == shape, f"{key}: {got} is not right; time-major means (T, N, ...)")
    passed("time-major: time first, then the batch, then the features.")
