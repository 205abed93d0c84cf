"""Build the student edition of the chapters: exercise solutions removed, outputs cleared.

Usage: python tools/student_edition.py [--out build/student] notebooks/[0-9][0-9]_*.ipynb   (`make student`)

The notebooks in notebooks/ are the instructor edition: each exercise is a markdown question, a code cell
tagged `solution` that holds the reference answer, and a checker cell (`chNN.check_...(answer)`). In the student
edition

- each `solution` cell's source becomes a placeholder: a comment naming what the checker expects (the names the
  solution defines, e.g. `answer` or `count`) and `raise NotImplementedError(...)`, so running it without an
  answer stops with a clear message instead of passing something to the checker; its tag becomes `exercise`;
- every code cell's outputs and execution count are cleared, so the learner sees only what they run.

Everything else (prose, code, checker cells, metadata) is kept. The instructor notebooks are only read; both
editions are read and written with nbformat, in its own layout.
"""

import argparse
import ast
import copy
from pathlib import Path

import nbformat

PLACEHOLDER_MESSAGE = "Exercise: write your answer here"


def defined_names(code):
    """The top-level names a solution defines (assignments, functions), in order; [] if it does not parse."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    names = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            targets = [node.name]
        elif isinstance(node, ast.Assign):
            targets = [n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)]
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
            targets = [node.target.id]
        else:
            targets = []
        names += [n for n in targets if n not in names]
    return names


def placeholder(solution):
    """The source that replaces a solution: what to define, then NotImplementedError."""
    names = defined_names(solution)
    wanted = ", ".join(f"`{n}`" for n in names) if names else "your answer"
    return (f"# Your answer: define {wanted}, then run the checker cell below.\n"
            f"# Delete the next line when you have written it.\n"
            f'raise NotImplementedError("{PLACEHOLDER_MESSAGE}")')


def student_notebook(nb):
    """A student copy of `nb` (a notebook as nbformat.read gives it); `nb` itself is not changed."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        if "solution" in tags:
            cell.source = placeholder(cell.source)
            cell.metadata.tags = ["exercise" if t == "solution" else t for t in tags]
        cell.outputs = []
        cell.execution_count = None
    return nb


def build(paths, out):
    out.mkdir(parents=True, exist_ok=True)
    for path in paths:
        target = out / Path(path).name
        nbformat.write(student_notebook(nbformat.read(path, as_version=4)), target)
        print(f"{path} -> {target}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("build/student"))
    args = parser.parse_args()
    build(args.notebooks, args.out)


if __name__ == "__main__":
    main()
