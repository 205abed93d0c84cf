"""The table-driven bad-input test: every public callable of `seqlearn` and `seqlearn.scratch`, driven with the
catalogue's bad values (tests/bad_inputs/catalogue.py), one argument at a time.

Each case starts from arguments that work (checked by `test_valid_call_works`), replaces one argument by a bad
value, and expects a ValueError or TypeError (or the module's own error type) whose message names the argument,
raised at the call itself (a generator too) and before anything is changed. A public callable missing from the
table fails `test_every_public_callable_is_in_the_table`.
"""

import importlib
import inspect
import pkgutil
import re

import numpy as np
import pytest
from bad_inputs import tables
from bad_inputs.catalogue import ROLES, role_bads

import seqlearn
import seqlearn.scratch

ENTRIES = tables.all_entries()
BY_KEY = {e.key: e for e in ENTRIES}

# Public names that are not functions to drive, and why.
# (`seqlearn.exercises` is left out: its checkers take a learner's function, and tests/build_it.py drives them
# with wrong ones.)


def _methods(cls):
    """Public methods defined in the class itself, class methods included (properties are not calls)."""
    return [name for name, v in vars(cls).items()
            if not name.startswith("_") and (inspect.isfunction(v) or isinstance(v, classmethod))]


def _is_record(obj):
    """Result types (NamedTuples, dataclasses without methods) and exceptions: the package builds them."""
    if issubclass(obj, tuple | BaseException):
        return True
    return hasattr(obj, "__dataclass_fields__") and not _methods(obj)


def public_callables():
    """Keys of every public function, class and method the module maps promise."""
    keys = set()
    modules = [importlib.import_module(f"seqlearn.{m.name}") for m in pkgutil.iter_modules(seqlearn.__path__)
               if not m.ispkg]
    modules += [importlib.import_module(f"seqlearn.scratch.{m.name}")
                for m in pkgutil.iter_modules(seqlearn.scratch.__path__)]
    scratch_public = set(seqlearn.scratch.__all__)
    for module in modules:
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if module.__name__.startswith("seqlearn.scratch.") and name not in scratch_public:
                continue  # the scratch package's public face is its __all__
            if inspect.isfunction(obj):
                keys.add(f"{module.__name__}.{name}")
            elif inspect.isclass(obj) and not _is_record(obj):
                keys.add(f"{module.__name__}.{name}")
                keys |= {f"{module.__name__}.{name}.{m}" for m in _methods(obj)}
    return keys


def test_every_public_callable_is_in_the_table():
    missing = sorted(public_callables() - set(BY_KEY))
    assert not missing, f"public callables missing from tests/bad_inputs: {missing}"


def test_the_table_names_only_public_callables_once():
    keys = [e.key for e in ENTRIES]
    assert len(keys) == len(set(keys)), "an entry appears twice"
    assert set(keys) <= public_callables()


def test_roles_are_known_and_every_driven_argument_is_a_parameter():
    for entry in ENTRIES:
        params = set(inspect.signature(entry.target).parameters)
        for arg, role in entry.roles.items():
            assert arg in params, f"{entry.key}: {arg!r} is not a parameter"
            assert isinstance(role, list) or role.rstrip("?") in ROLES, f"{entry.key}: unknown role {role!r}"
        for arg, partners in entry.partners.items():
            assert arg in entry.roles and set(partners) <= params, f"{entry.key}: partners of {arg!r}"


def call(entry, args):
    args = dict(args)
    if "self" in args:
        obj = args.pop("self")
        name = entry.target.__name__
        return obj(**args) if name == "forward" else getattr(obj, name)(**args)
    return entry.target(**args)


def fingerprint(obj):
    """A comparable snapshot of arrays, tensors and containers of them."""
    if isinstance(obj, dict):
        return {k: fingerprint(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [fingerprint(v) for v in obj]
    if hasattr(obj, "detach"):
        obj = obj.detach().cpu().numpy()
    if isinstance(obj, np.ndarray):
        return (obj.dtype.str, obj.shape, obj.tobytes())
    return obj


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.key)
def test_valid_call_works(entry):
    """The starting point of every case: without a bad value the call succeeds."""
    result = call(entry, entry.valid())
    if inspect.isgenerator(result):
        next(result)


def cases():
    for entry in ENTRIES:
        for arg in entry.roles:
            for bad in entry.bads(arg):
                yield pytest.param(entry, arg, bad, id=f"{entry.key}-{arg}-{bad.label}")


CASES = list(cases())


def test_the_catalogue_is_large():
    assert len(CASES) >= 600


@pytest.mark.parametrize(("entry", "arg", "bad"), CASES)
def test_bad_input_is_refused_naming_the_argument(entry, arg, bad):
    args = entry.valid()
    args[arg] = bad.make(args[arg])
    before = fingerprint(entry.unchanged(args)) if entry.unchanged else None
    names = (entry.names.get(arg, arg),) + bad.accepted_names(entry.valid()[arg])
    if bad.mismatch:  # a shape or dtype that disagrees with a partner argument may be reported on either side
        names += entry.partners.get(arg, ())
    with pytest.raises((TypeError, ValueError, *entry.errors)) as caught:
        call(entry, args)
    message = str(caught.value)
    pattern = "|".join(rf"(?<![A-Za-z0-9_]){re.escape(n)}(?![A-Za-z0-9_])" for n in names)
    assert re.search(pattern, message), f"the message does not name {names}: {message!r}"
    if entry.unchanged:
        assert fingerprint(entry.unchanged(args)) == before, "a refused call changed its input"


def test_role_catalogue_holds_the_issue_values():
    labels = {b.label for b in role_bads("size")}
    assert {"nan", "inf", "bool", "negative", "zero", "float", "str", "None", "list"} <= labels
    assert {"int", "bool", "complex", "other-float", "empty"} <= {b.label for b in role_bads("array")}
    assert {"uint64-wrap", "float", "negative"} <= {b.label for b in role_bads("ids")}
