"""The student edition (tools/student_edition.py, `make student`) hides every solution, and every checker
accepts the instructor's solution and never passes on the student's placeholder: it answers with its own
`WrongAnswer`, never with a crash.

Whole notebooks are not executed here (nbval does that): each exercise runs only its solution cell, then its
checker cell, in a fresh namespace holding the chapter's setup cell (its first code cell: the imports).
"""

import contextlib
import importlib.util
import io
from pathlib import Path

import nbformat
import pytest

from seqlearn.exercises import WrongAnswer

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

spec = importlib.util.spec_from_file_location("student_edition", ROOT / "tools" / "student_edition.py")
student_edition = importlib.util.module_from_spec(spec)
spec.loader.exec_module(student_edition)


def load(path):
    return nbformat.read(path, as_version=4)


def exercises(nb):
    """(solution cell, checker cell) pairs: a checker is the code cell right after a solution."""
    cells = nb["cells"]
    return [(c, cells[i + 1]) for i, c in enumerate(cells[:-1])
            if c["cell_type"] == "code" and "solution" in c["metadata"].get("tags", [])]


EXERCISES = [(chapter, index) for chapter in CHAPTERS for index in range(len(exercises(load(chapter))))]


def run_cell(code, namespace):
    """Execute a code cell's source (IPython magics dropped) in `namespace`; return what it printed."""
    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith("%"))
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "<cell>", "exec"), namespace)
    return printed.getvalue()


_setups = {}


def setup_namespace(chapter):
    """A fresh namespace holding what the chapter's setup cell (imports, settings) defines."""
    if chapter not in _setups:
        setup = next(c for c in load(chapter)["cells"] if c["cell_type"] == "code")
        namespace = {"__name__": "__main__"}
        run_cell(setup.source, namespace)
        _setups[chapter] = namespace
    return dict(_setups[chapter])


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_student_notebook_hides_every_solution(chapter):
    nb = load(chapter)
    student = student_edition.student_notebook(nb)
    assert nb == load(chapter), "building the student edition changed the instructor notebook"
    assert len(student["cells"]) == len(nb["cells"])
    solutions = {c["id"]: c.source for c, _ in exercises(nb)}
    assert solutions, f"{chapter.name} has no exercises"
    for cell in student["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
        if cell["id"] in solutions:
            assert "solution" not in cell["metadata"]["tags"]
            kept = set(solutions[cell["id"]].splitlines()) & set(cell.source.splitlines())
            assert not kept, f"solution left in the student edition: {kept}"
            with pytest.raises(NotImplementedError):
                run_cell(cell.source, {})
    assert sum(c["id"] in solutions for c in student["cells"]) == len(solutions)


@pytest.mark.parametrize(("chapter", "index"), EXERCISES, ids=lambda x: x.stem if isinstance(x, Path) else str(x))
def test_checker_passes_on_the_solution_and_never_on_the_placeholder(chapter, index):
    solution, checker = exercises(load(chapter))[index]
    assert "check_" in checker.source, f"the cell after solution {index} is not a checker: {checker.source!r}"

    namespace = setup_namespace(chapter)
    run_cell(solution.source, namespace)
    assert run_cell(checker.source, namespace).startswith("Correct")

    student = {c["id"]: c for c in student_edition.student_notebook(load(chapter))["cells"]}
    namespace = setup_namespace(chapter)
    with pytest.raises(NotImplementedError):
        run_cell(student[solution["id"]].source, namespace)
    # The learner runs the checker anyway. It reads a name the placeholder asked for, which is not defined...
    wanted = student_edition.defined_names(solution.source)
    with pytest.raises(NameError) as missing:
        run_cell(checker.source, namespace)
    assert missing.value.name in wanted, f"the checker reads {missing.value.name}, the placeholder asks for {wanted}"
    # ...or, defined as None (not yet an answer), it is rejected with a hint: a checker that crashes (TypeError,
    # AttributeError) on a non-answer fails here.
    namespace |= dict.fromkeys(wanted)
    with pytest.raises(WrongAnswer):
        run_cell(checker.source, namespace)
