"""Every recurrent layer follows one contract (seqlearn.scratch's docstring), and caches stay private.

    h, state_n, cache = forward(x, state0, params, **options)
    dx, dstate0, grads = backward(dh, cache, dstate_n=None)

and the same for steps, with x_t, state_prev and dstate_t.
"""

import ast
import inspect
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import seqlearn.scratch as scratch

ROOT = pathlib.Path(__file__).resolve().parent.parent
CELLS = {
    "rnn": (scratch.init_rnn_params, {}),
    "lstm": (scratch.init_lstm_params, {}),
    "gru": (scratch.init_gru_params, {}),
}
SEQUENCE = {cell: (getattr(scratch, f"{cell}_forward"), getattr(scratch, f"{cell}_backward")) for cell in CELLS}
FAST = {cell: (getattr(scratch, f"fast_{cell}_forward"), getattr(scratch, f"fast_{cell}_backward")) for cell in CELLS}
STEPS = {cell: (getattr(scratch, f"{cell}_step_forward"), getattr(scratch, f"{cell}_step_backward")) for cell in CELLS}


def positional(function):
    return [p.name for p in inspect.signature(function).parameters.values()
            if p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty]


def optional(function, name):
    parameter = inspect.signature(function).parameters[name]
    return parameter.default is None


@pytest.mark.parametrize("layers", [SEQUENCE, FAST, {"stacked": (scratch.stacked_forward, scratch.stacked_backward)}])
def test_sequence_signatures(layers):
    for forward, backward in layers.values():
        assert positional(forward) == ["x", "state0", "params"], forward.__name__
        assert positional(backward) == ["dh" if "stacked" not in backward.__name__ else "dout", "cache"]
        assert optional(backward, "dstate_n"), backward.__name__


def test_step_signatures():
    for forward, backward in STEPS.values():
        assert positional(forward) == ["x_t", "state_prev", "params"], forward.__name__
        assert positional(backward) == ["dh_t", "cache"], backward.__name__
        assert optional(backward, "dstate_t"), backward.__name__


def random_state(cell, N, H, rng):
    h = rng.normal(size=(N, H))
    return (h, rng.normal(size=(N, H))) if cell == "lstm" else h


def same_structure(a, b):
    """Both arrays of one shape, or both pairs of arrays of matching shapes."""
    if isinstance(a, tuple):
        return (isinstance(b, tuple) and len(a) == len(b) == 2
                and all(x.shape == y.shape for x, y in zip(a, b, strict=True)))
    return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("layers", [SEQUENCE, FAST], ids=["reference", "fast"])
def test_sequence_results(cell, layers):
    rng = np.random.default_rng(0)
    T, N, D, H = 4, 3, 2, 5
    params = CELLS[cell][0](D, H, rng)
    forward, backward = layers[cell]
    x, state0 = rng.normal(size=(T, N, D)), random_state(cell, N, H, rng)
    h, state_n, cache = forward(x, state0, params)
    assert h.shape == (T, N, H)
    assert same_structure(state_n, state0)
    final_h = state_n[0] if cell == "lstm" else state_n
    np.testing.assert_array_equal(final_h, h[-1])
    assert isinstance(cache, tuple) and hasattr(cache, "_fields")  # a NamedTuple
    dstate_n = random_state(cell, N, H, rng)
    for extra in (None, dstate_n):
        dx, dstate0, grads = backward(rng.normal(size=h.shape), cache, extra)
        assert dx.shape == x.shape
        assert same_structure(dstate0, state0)
        assert set(grads) == set(params) and all(grads[k].shape == params[k].shape for k in params)


@pytest.mark.parametrize("cell", CELLS)
def test_step_results(cell):
    rng = np.random.default_rng(1)
    N, D, H = 3, 2, 5
    params = CELLS[cell][0](D, H, rng)
    forward, backward = STEPS[cell]
    x_t, state_prev = rng.normal(size=(N, D)), random_state(cell, N, H, rng)
    h_t, state_t, cache = forward(x_t, state_prev, params)
    assert h_t.shape == (N, H) and same_structure(state_t, state_prev)
    assert hasattr(cache, "_fields")
    for dstate_t in (None, random_state(cell, N, H, rng)):
        dx_t, dstate_prev, grads = backward(rng.normal(size=(N, H)), cache, dstate_t)
        assert dx_t.shape == x_t.shape and same_structure(dstate_prev, state_prev)
        assert set(grads) == set(params)


@pytest.mark.parametrize("cell", CELLS)
def test_stacked_results(cell):
    rng = np.random.default_rng(2)
    T, N, D, H, L = 3, 2, 4, 3, 2
    params = scratch.init_stacked_params(cell, D, H, L, True, rng)
    h0 = rng.normal(size=(2 * L, N, H))
    state0 = (h0, rng.normal(size=h0.shape)) if cell == "lstm" else h0
    out, state_n, cache = scratch.stacked_forward(rng.normal(size=(T, N, D)), state0, params, cell=cell)
    assert out.shape == (T, N, 2 * H) and same_structure(state_n, state0)
    dx, dstate0, grads = scratch.stacked_backward(rng.normal(size=out.shape), cache, state_n)
    assert dx.shape == (T, N, D) and same_structure(dstate0, state0)
    assert len(grads) == L and all(len(layer) == 2 for layer in grads)


def test_a_dstate_n_is_the_same_as_adding_to_the_last_dh():
    """The final state of an RNN or GRU is h[-1], so an extra gradient on it must act as one on dh[-1]."""
    rng = np.random.default_rng(3)
    for cell in ("rnn", "gru"):
        params = CELLS[cell][0](2, 3, rng)
        forward, backward = SEQUENCE[cell]
        h, _, cache = forward(rng.normal(size=(4, 2, 2)), None, params)
        dh, extra = rng.normal(size=h.shape), rng.normal(size=h.shape[1:])
        added = dh.copy()
        added[-1] += extra
        for a, b in zip(backward(dh, cache, extra)[:2], backward(added, cache)[:2], strict=True):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-14)


def python_sources():
    """(name, source) of every package module, and of every notebook's code."""
    for path in sorted((ROOT / "seqlearn").rglob("*.py")):
        yield str(path.relative_to(ROOT)), path.read_text()
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        lines = [line for cell in code for line in cell.splitlines() if not line.startswith(("%", "!"))]
        yield str(path.relative_to(ROOT)), "\n".join(lines)


def positional_cache_reads(source):
    """Lines where a cache is read by position: unpacked into a tuple, or indexed with a number."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and "cache" in node.value.id:
            if any(isinstance(target, ast.Tuple | ast.List) for target in node.targets):
                found.append(node.lineno)
        if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and "cache" in node.value.id
                and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, int)):
            found.append(node.lineno)
        # h, (a, b, *rest) = some_step_forward(...): the cache's fields taken apart by position
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                and getattr(node.value.func, "id", "").endswith("_forward")):
            for target in node.targets:
                if isinstance(target, ast.Tuple) and isinstance(target.elts[-1], ast.Tuple | ast.Starred):
                    found.append(node.lineno)
    return found


def test_no_module_reads_a_cache_by_position():
    offenders = {name: lines for name, source in python_sources() if (lines := positional_cache_reads(source))}
    assert offenders == {}


def test_the_positional_cache_detector_can_fail():
    assert positional_cache_reads("x_t, h_prev, h_t = cache\n") == [1]
    assert positional_cache_reads("a = step_cache[2]\n") == [1]
    assert positional_cache_reads("h, c, (*_, f) = lstm_step_forward(x, h, c, p)\n") == [1]
    assert positional_cache_reads("f = step_cache.f\nh, s, cache = rnn_forward(x, None, p)\n") == []


def test_scratch_imports_without_torch():
    """seqlearn.scratch is the NumPy package: importing it must not need (or load) PyTorch."""
    blocker = ("import sys\n"
               "class Block:\n"
               "    def find_spec(self, name, path=None, target=None):\n"
               "        if name == 'torch' or name.startswith('torch.'):\n"
               "            raise ImportError('torch is blocked in this test')\n"
               "sys.meta_path.insert(0, Block())\n"
               "import seqlearn.scratch\n"
               "assert 'torch' not in sys.modules\n"
               "print(len(seqlearn.scratch.__all__))\n")
    result = subprocess.run([sys.executable, "-c", blocker], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len(scratch.__all__)


def test_the_stack_passes_truncate_to_its_layers():
    rng = np.random.default_rng(4)
    params = scratch.init_stacked_params("gru", 3, 4, 1, False, rng)
    x = rng.normal(size=(6, 2, 3))
    out, _, cache = scratch.stacked_forward(x, None, params, cell="gru", truncate=2)
    dout = rng.normal(size=out.shape)
    dx, _, grads = scratch.stacked_backward(dout, cache)
    dx_layer, _, grads_layer = scratch.gru_backward(dout, scratch.gru_forward(x, None, params[0][0], truncate=2)[2])
    dx_full = scratch.stacked_backward(dout, scratch.stacked_forward(x, None, params, cell="gru")[2])[0]
    np.testing.assert_allclose(dx, dx_layer, rtol=0, atol=1e-14)
    assert all(np.allclose(grads[0][0][k], grads_layer[k], rtol=0, atol=1e-14) for k in grads_layer)
    assert not np.allclose(dx, dx_full)  # the cut is real
