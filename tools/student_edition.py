"""Build the student edition of the chapters: exercise solutions removed, outputs cleared.

Usage: python tools/student_edition.py [--out build/student] notebooks/[0-9][0-9]_*.ipynb   (`make student`)

The notebooks in notebooks/ are the instructor edition: each exercise is a markdown question, a code cell
tagged `solution` that holds the reference answer, and a checker cell (`chNN.check_...(answer)`). In the student
edition

- a `solution` cell whose top level is function definitions (with imports and constants around them, at most)
  is a build-it exercise: each function keeps its decorators, its `def` line with the signature and its
  docstring, and its body becomes `raise NotImplementedError(...)` under a `# your code here` line; the imports
  are kept, everything else (constants, and every line of every body) goes. Defining the functions works, so
  the learner can run the checker at once, which calls them and says they are not written yet;
- any other `solution` cell's source becomes a placeholder: a comment naming what the checker expects (the names
  the solution defines, e.g. `answer` or `count`) and `raise NotImplementedError(...)`, so running it without an
  answer stops with a clear message instead of passing something to the checker;
- either way, the cell's tag `solution` becomes `exercise`;
- every code cell's outputs and execution count are cleared, so the learner sees only what they run.

Everything else (prose, code, checker cells, metadata) is kept. The instructor notebooks are only read; both
editions are read and written with nbformat, in its own layout.
"""

import argparse
import ast
import copy
import io
import tokenize
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


def function_cell(tree):
    """Whether a parsed solution is a build-it exercise: functions, with only imports and constants beside them."""
    def beside(node):
        if isinstance(node, ast.Import | ast.ImportFrom):
            return True
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            try:
                ast.literal_eval(node.value)
            except (ValueError, TypeError):
                return False
            return True
        return False

    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    return bool(functions) and all(n in functions or beside(n) for n in tree.body)


def signature(code, function):
    """The source of a top-level `function` (an ast node of `code`) from its first decorator to the colon that
    ends its `def` line(s); a comment on the line is left out."""
    lines = code.splitlines(keepends=True)
    first = function.decorator_list[0].lineno if function.decorator_list else function.lineno
    depth = 0
    for token in tokenize.generate_tokens(io.StringIO("".join(lines[function.lineno - 1:])).readline):
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
        elif token.type == tokenize.OP and token.string in ")]}":
            depth -= 1
        elif token.type == tokenize.OP and token.string == ":" and depth == 0:
            row, col = token.end
            end = function.lineno - 1 + row
            return "".join(lines[first - 1:end - 1]) + lines[end - 1][:col]
    raise ValueError(f"no end to the signature of {function.name}")  # cannot happen in code that parses


def function_placeholder(code, tree):
    """A build-it solution's functions with their signature and docstring, and NotImplementedError as body."""
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    imports = [ast.get_source_segment(code, n) for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    blocks = [f"# Your answer: write the body of {', '.join(f'`{n.name}`' for n in functions)}, "
              "then run the checker cell below.\n" + "".join(f"{line}\n" for line in imports)]
    for node in functions:
        first = node.body[0]
        indent = " " * (first.col_offset if first.lineno > node.lineno else node.col_offset + 4)
        lines = [signature(code, node)]
        if ast.get_docstring(node, clean=False) is not None:
            lines.append(indent + ast.get_source_segment(code, first))
        lines += [f"{indent}# your code here, in place of the raise",
                  f'{indent}raise NotImplementedError("{PLACEHOLDER_MESSAGE}")']
        blocks.append("\n".join(lines))
    return blocks[0] + ("\n" if imports else "") + "\n\n".join(blocks[1:])


def placeholder(solution):
    """The source that replaces a solution: its functions with their bodies removed, for a build-it exercise;
    else what to define, then NotImplementedError."""
    try:
        tree = ast.parse(solution)
    except SyntaxError:
        tree = None
    if tree is not None and function_cell(tree):
        return function_placeholder(solution, tree)
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
