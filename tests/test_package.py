"""The package stays readable: every module on its package's map, short, and using only public names of others."""

import ast
import pathlib

import pytest

import seqlearn
import seqlearn.scratch

ROOT = pathlib.Path(seqlearn.__file__).parent
PACKAGES = {ROOT: seqlearn, ROOT / "scratch": seqlearn.scratch}
MAX_LINES = 250


def modules(folder):
    return sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("folder", PACKAGES, ids=lambda p: p.name)
def test_every_module_is_on_the_map(folder):
    doc = PACKAGES[folder].__doc__
    prefix = "seqlearn." if folder == ROOT else ""
    missing = [name for name in modules(folder) if f"`{prefix}{name}`" not in doc]
    subpackages = [p.name for p in folder.iterdir() if (p / "__init__.py").is_file()]
    missing += [name for name in subpackages if f"`{prefix}{name}`" not in doc]
    assert missing == []


def test_no_module_is_long():
    lengths = {str(p.relative_to(ROOT)): len(p.read_text().splitlines()) for p in ROOT.rglob("*.py")}
    assert {name: n for name, n in lengths.items() if n > MAX_LINES} == {}


def private_imports(source):
    """Names starting with an underscore imported from another seqlearn module."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("seqlearn"):
            found += [alias.name for alias in node.names if alias.name.startswith("_")]
    return found


def test_modules_use_only_public_names_of_each_other():
    offenders = {str(p.relative_to(ROOT)): names for p in ROOT.rglob("*.py")
                 if (names := private_imports(p.read_text()))}
    assert offenders == {}
    assert private_imports("from seqlearn.scratch.rnn import _derivative as d\n") == ["_derivative"]


def test_each_name_is_defined_once():
    """The gate orders, the cells and the directions: one definition each, imported everywhere else."""
    definitions = {}
    for path in ROOT.rglob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id.isupper():
                        definitions.setdefault(target.id, []).append(str(path.relative_to(ROOT)))
    for name in ("LSTM_GATES", "GRU_GATES", "CELLS", "DIRECTIONS", "GRU_VARIANTS", "NONLINEARITIES"):
        assert len(definitions.get(name, [])) == 1, (name, definitions.get(name))
    assert "GATES" not in definitions
