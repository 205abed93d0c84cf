"""The student edition (tools/student_edition.py, `make student`) hides every solution, and every checker
accepts the instructor's solution and never passes on the student's placeholder: it answers with its own
`WrongAnswer`, never with a crash. A build-it exercise's placeholder keeps each function's `def` line and
docstring and nothing of its body; defining it works, calling it raises NotImplementedError.

Whole notebooks are not executed here (nbval does that): each exercise runs only its solution cell, then its
checker cell, in a fresh namespace holding the chapter's setup cell (its first code cell: the imports) and the
solutions of the exercises before it, as a learner who did them in order has them (a build-it exercise may use
the function an earlier one built).
"""

import ast
import contextlib
import importlib.util
import inspect
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


def namespace_before(chapter, index):
    """The setup namespace, with the solutions of the chapter's exercises before exercise `index` run in it."""
    namespace = setup_namespace(chapter)
    for solution, _ in exercises(load(chapter))[:index]:
        run_cell(solution.source, namespace)
    return namespace


def functions(code):
    """The top-level functions of a solution that is a build-it exercise; [] for any other solution."""
    tree = ast.parse(code)
    return [n for n in tree.body if isinstance(n, ast.FunctionDef)] if student_edition.function_cell(tree) else []


def allowed_lines(solution):
    """The solution's lines a build-it placeholder may keep: its imports, and each function's decorators, `def`
    line(s) and docstring. Nothing of a body, not even a comment."""
    lines = solution.splitlines()
    allowed = set()
    for node in ast.parse(solution).body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            allowed |= set(lines[node.lineno - 1:node.end_lineno])
        elif isinstance(node, ast.FunctionDef):
            first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            allowed |= {line for line in lines[first - 1:node.body[0].lineno - 1] if not line.lstrip().startswith("#")}
            if ast.get_docstring(node) is not None:
                allowed |= set(lines[node.body[0].lineno - 1:node.body[0].end_lineno])
    return allowed


def assert_function_placeholder(solution, source, namespace):
    """`source` keeps the signature and docstring of every function of `solution`, each body is only
    `raise NotImplementedError(...)`; defining them works and calling each raises NotImplementedError."""
    kept = {line for line in solution.splitlines() if line.strip()} & set(source.splitlines())
    assert kept <= allowed_lines(solution), f"solution left in the student edition: {kept - allowed_lines(solution)}"
    placed = {n.name: n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}
    for function in functions(solution):
        got = placed.get(function.name)
        assert got is not None, f"the placeholder lost the function {function.name}"
        assert ast.dump(got.args) == ast.dump(function.args), f"{function.name}: the signature changed"
        assert ast.get_docstring(got) == ast.get_docstring(function), f"{function.name}: the docstring changed"
        body = got.body[1:] if ast.get_docstring(got) is not None else got.body
        assert [ast.unparse(statement) for statement in body] == [
            f"raise NotImplementedError({student_edition.PLACEHOLDER_MESSAGE!r})"], ast.unparse(got)
    run_cell(source, namespace)
    for function in functions(solution):
        parameters = inspect.signature(namespace[function.name]).parameters.values()
        required = [p for p in parameters if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        with pytest.raises(NotImplementedError):
            namespace[function.name](*[None for p in required if p.kind != p.KEYWORD_ONLY],
                                     **{p.name: None for p in required if p.kind == p.KEYWORD_ONLY})


RNN_STEP = '''import numpy as np
SCALE = 1.0


@np.errstate(over="ignore")
def rnn_step(x_t, h_prev, params,
             nonlinearity="tanh"):  # the course's layout
    """One RNN step: x_t (N, D), h_prev (N, H) -> h_t (N, H)."""
    # the pre-activation
    a = x_t @ params["W_xh"].T + h_prev @ params["W_hh"].T + params["b_h"]
    return np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)


def relu(a): return np.maximum(a, 0)
'''


def test_a_function_placeholder_keeps_the_signature_and_docstring_and_no_body():
    source = student_edition.placeholder(RNN_STEP)
    assert "import numpy as np" in source and "SCALE" not in source
    assert "def rnn_step(x_t, h_prev, params,\n             nonlinearity=\"tanh\"):\n" in source
    assert "pre-activation" not in source and "course's layout" not in source and "maximum" not in source
    assert source.count("# your code here, in place of the raise") == 2
    assert_function_placeholder(RNN_STEP, source, {})


@pytest.mark.parametrize("solution", ["answer = 3", "def f(x):\n    return x\n\nanswer = f(3)",
                                      "class Step:\n    pass", "for i in range(3):\n    answer = i"],
                         ids=["value", "function-and-its-value", "class", "loop"])
def test_any_other_solution_keeps_the_plain_placeholder(solution):
    source = student_edition.placeholder(solution)
    assert source.startswith("# Your answer: define") and "def " not in source
    with pytest.raises(NotImplementedError):
        run_cell(source, {})


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
            solution = solutions[cell["id"]]
            if functions(solution):
                assert_function_placeholder(solution, cell.source, setup_namespace(chapter))
                continue
            kept = {line for line in solution.splitlines() if line.strip()} & set(cell.source.splitlines())
            assert not kept, f"solution left in the student edition: {kept}"
            with pytest.raises(NotImplementedError):
                run_cell(cell.source, {})
    assert sum(c["id"] in solutions for c in student["cells"]) == len(solutions)


def rejects(checker, namespace):
    """Run the checker cell on a non-answer: it must raise its own WrongAnswer, not crash."""
    try:
        run_cell(checker, namespace)
    except WrongAnswer:
        return
    except Exception as error:
        pytest.fail(f"{checker.strip()} crashed on the placeholder with {type(error).__name__}: {error}; a checker "
                    "must answer with WrongAnswer (seqlearn.exercises.build.call turns NotImplementedError into one)")
    pytest.fail(f"{checker.strip()} passed on the placeholder")


@pytest.mark.parametrize(("chapter", "index"), EXERCISES, ids=lambda x: x.stem if isinstance(x, Path) else str(x))
def test_checker_passes_on_the_solution_and_never_on_the_placeholder(chapter, index):
    solution, checker = exercises(load(chapter))[index]
    assert "check_" in checker.source, f"the cell after solution {index} is not a checker: {checker.source!r}"

    namespace = namespace_before(chapter, index)
    run_cell(solution.source, namespace)
    assert run_cell(checker.source, namespace).startswith("Correct")

    student = {c["id"]: c for c in student_edition.student_notebook(load(chapter))["cells"]}
    namespace = namespace_before(chapter, index)
    if functions(solution.source):
        # A build-it exercise: the placeholder defines the functions, and the checker calls them.
        run_cell(student[solution["id"]].source, namespace)
        rejects(checker.source, namespace)
        return
    with pytest.raises(NotImplementedError):
        run_cell(student[solution["id"]].source, namespace)
    # The learner runs the checker anyway. It reads a name the placeholder asked for, which is not defined (an
    # earlier exercise's answer of the same name is forgotten here)...
    wanted = student_edition.defined_names(solution.source)
    for name in wanted:
        namespace.pop(name, None)
    with pytest.raises(NameError) as missing:
        run_cell(checker.source, namespace)
    assert missing.value.name in wanted, f"the checker reads {missing.value.name}, the placeholder asks for {wanted}"
    # ...or, defined as None (not yet an answer), it is rejected with a hint: a checker that crashes (TypeError,
    # AttributeError) on a non-answer fails here.
    namespace |= dict.fromkeys(wanted)
    rejects(checker.source, namespace)
