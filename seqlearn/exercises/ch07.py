"""Checkers for the exercises of chapter 7, LSTM and GRU; 1 to 3 are build-it exercises (`exercises.build`)."""

import numbers

import numpy as np

from seqlearn import scratch
from seqlearn.exercises import passed, require
from seqlearn.exercises.build import Case, Mistake, call, check_function, check_gradients
from seqlearn.scratch import sigmoid

LSTM_NAMES = tuple(f"{kind}{gate}" for gate in scratch.LSTM_GATES for kind in ("W_x", "W_h", "b_"))
GRU_NAMES = ("W_xr", "W_hr", "b_r", "W_xz", "W_hz", "b_z", "W_xn", "W_hn", "b_xn", "b_hn")
SHAPES = [(3, 2, 4), (1, 5, 3), (2, 3, 3), (4, 1, 6)]  # (N, D, H): N = 1, D = 1, H = D and H != D among them


def _gate_params(names, D, H, rng):
    """Random W_x* (H, D), W_h* (H, H) and b_* (H,), larger than an initialisation's so that every gate matters."""
    shapes = {"W_x": (H, D), "W_h": (H, H)}
    return {name: rng.normal(size=shapes.get(name[:3], (H,))) / np.sqrt(shapes.get(name[:3], (H, 1))[1])
            for name in names}


# Exercise 1 (build-it): one LSTM step.
def _lstm_case(N, D, H, upstream=False):
    def make(rng):
        grads = {"dh_t": rng.normal(size=(N, H)), "dc_t": rng.normal(size=(N, H))} if upstream else {}
        return grads | {"x_t": rng.normal(size=(N, D)), "h_prev": rng.normal(size=(N, H)),
                        "c_prev": 2 * rng.normal(size=(N, H)), "params": _gate_params(LSTM_NAMES, D, H, rng)}
    return Case(f"N={N}, D={D}, H={H}", make)


LSTM_STEP_CASES = [_lstm_case(*shape) for shape in SHAPES]


def reference_lstm_step(x_t, h_prev, c_prev, params):
    return scratch.lstm_step_forward(x_t, (h_prev, c_prev), params)[1]


def _lstm_gates(x_t, h_prev, params, g_squash=np.tanh):
    a = {g: x_t @ params[f"W_x{g}"].T + h_prev @ params[f"W_h{g}"].T + params[f"b_{g}"] for g in "ifgo"}
    return sigmoid(a["i"]), sigmoid(a["f"]), g_squash(a["g"]), sigmoid(a["o"])


def _lstm_step_mistake(*, squash_h=True, input_gate=True, g_squash=np.tanh, old_cell_shown=False):
    def step(x_t, h_prev, c_prev, params):
        i, f, g, o = _lstm_gates(x_t, h_prev, params, g_squash)
        c_t = f * c_prev + (i * g if input_gate else g)
        shown = c_prev if old_cell_shown else c_t
        return o * (np.tanh(shown) if squash_h else shown), c_t
    return step


LSTM_STEP_MISTAKES = [
    Mistake("h_t is o * c_t: the cell state is squashed by tanh before the output gate scales it",
            _lstm_step_mistake(squash_h=False)),
    Mistake("the input gate is missing: the candidate g is written into the cell scaled by i, "
            "c_t = f * c_prev + i * g", _lstm_step_mistake(input_gate=False)),
    Mistake("the candidate g goes through a sigmoid: the gates i, f and o are sigmoids, but g is a tanh, so "
            "that it can write negative values too", _lstm_step_mistake(g_squash=sigmoid)),
    Mistake("h_t shows the old cell state: compute c_t first, then h_t = o * tanh(c_t)",
            _lstm_step_mistake(old_cell_shown=True)),
]


def check_lstm_step(lstm_step):
    """Exercise 1 (build-it): `lstm_step(x_t, h_prev, c_prev, params)` -> (h_t, c_t), each (N, H)."""
    check_function(lstm_step, reference_lstm_step, LSTM_STEP_CASES, LSTM_STEP_MISTAKES, "lstm_step")
    passed("four gates from x_t and h_prev, the cell scaled and written to, and h_t = o * tanh(c_t).")


# Exercise 2 (build-it): the LSTM step's backward pass, from the step's inputs (no cache).
LSTM_BACKWARD_CASES = [_lstm_case(*shape, upstream=True) for shape in SHAPES]


def reference_lstm_step_backward(dh_t, dc_t, x_t, h_prev, c_prev, params):
    cache = scratch.lstm_step_forward(x_t, (h_prev, c_prev), params)[2]
    dx_t, (dh_prev, dc_prev), grads = scratch.lstm_step_backward(dh_t, cache, (None, dc_t))
    return dx_t, dh_prev, dc_prev, grads


def _lstm_backward_mistake(*, highway_scaled=True, through_h=True, g_derivative="tanh", from_above=True):
    def backward(dh_t, dc_t, x_t, h_prev, c_prev, params):
        i, f, g, o = _lstm_gates(x_t, h_prev, params)
        tanh_c = np.tanh(f * c_prev + i * g)
        dc = (dc_t if from_above else 0) + (dh_t * o * (1 - tanh_c ** 2) if through_h else 0)
        dg = (1 - g * g) if g_derivative == "tanh" else g * (1 - g)
        da = {"i": dc * g * i * (1 - i), "f": dc * c_prev * f * (1 - f), "g": dc * i * dg,
              "o": dh_t * tanh_c * o * (1 - o)}
        grads = {}
        for gate, d in da.items():
            grads |= {f"W_x{gate}": d.T @ x_t, f"W_h{gate}": d.T @ h_prev, f"b_{gate}": d.sum(axis=0)}
        dx_t = sum(d @ params[f"W_x{gate}"] for gate, d in da.items())
        dh_prev = sum(d @ params[f"W_h{gate}"] for gate, d in da.items())
        return dx_t, dh_prev, dc * f if highway_scaled else dc, grads
    return backward


BACKWARD_MISTAKES = [
    Mistake("dc_prev skips the forget gate: c_t = f * c_prev + ..., so back along the cell dc_prev = dc * f",
            _lstm_backward_mistake(highway_scaled=False)),
    Mistake("the gradient on c_t misses its path through h_t = o * tanh(c_t): dc = dc_t + dh_t * o * tanh'(c_t)",
            _lstm_backward_mistake(through_h=False)),
    Mistake("g's derivative is a sigmoid's: g = tanh(a_g), so dg/da_g = 1 - g**2, not g * (1 - g)",
            _lstm_backward_mistake(g_derivative="sigmoid")),
    Mistake("dc_t, the gradient on c_t from the next step, is ignored: it adds to the gradient through h_t",
            _lstm_backward_mistake(from_above=False)),
]


def check_lstm_step_backward(lstm_step_backward):
    """Exercise 2 (build-it): `lstm_step_backward(dh_t, dc_t, x_t, h_prev, c_prev, params)`
    -> (dx_t, dh_prev, dc_prev, grads), the gradients of one LSTM step; grads has the names of params."""
    what = "lstm_step_backward"
    check_function(lstm_step_backward, reference_lstm_step_backward, LSTM_BACKWARD_CASES, BACKWARD_MISTAKES, what)
    # Finite differences of L = sum(dh_t * h_t) + sum(dc_t * c_t), through the package's forward.
    kwargs = _lstm_case(2, 3, 2, upstream=True).make(np.random.default_rng(0))  # fixed: no tiny gradient by chance
    arrays = {name: kwargs[name] for name in ("x_t", "h_prev", "c_prev")} | kwargs["params"]

    def loss():
        h_t, c_t = reference_lstm_step(arrays["x_t"], arrays["h_prev"], arrays["c_prev"], kwargs["params"])
        return float((kwargs["dh_t"] * h_t).sum() + (kwargs["dc_t"] * c_t).sum())

    dx_t, dh_prev, dc_prev, grads = call(lstm_step_backward, kwargs, what)
    analytic = {"x_t": dx_t, "h_prev": dh_prev, "c_prev": dc_prev} | grads
    check_gradients(loss, arrays, {name: np.asarray(g, dtype=float) for name, g in analytic.items()}, what)
    passed("every gradient matches the package's and passes the finite-difference check; back along the cell "
           "state the gradient is only scaled by f.")


# Exercise 3 (build-it): one GRU step, PyTorch's variant.
GRU_STEP_CASES = [Case(f"N={N}, D={D}, H={H}", lambda rng, N=N, D=D, H=H: {
    "x_t": rng.normal(size=(N, D)), "h_prev": rng.normal(size=(N, H)), "params": _gate_params(GRU_NAMES, D, H, rng)})
    for N, D, H in SHAPES]


def reference_gru_step(x_t, h_prev, params):
    return scratch.gru_step_forward(x_t, h_prev, params, variant="pytorch")[0]


def _gru_step_mistake(*, keep_is_z=True, reset="after"):
    def step(x_t, h_prev, p):
        r = sigmoid(x_t @ p["W_xr"].T + h_prev @ p["W_hr"].T + p["b_r"])
        z = sigmoid(x_t @ p["W_xz"].T + h_prev @ p["W_hz"].T + p["b_z"])
        hidden = {"after": r * (h_prev @ p["W_hn"].T + p["b_hn"]), "before": (r * h_prev) @ p["W_hn"].T + p["b_hn"],
                  "b_hn outside": r * (h_prev @ p["W_hn"].T) + p["b_hn"], "none": h_prev @ p["W_hn"].T + p["b_hn"]}
        n = np.tanh(x_t @ p["W_xn"].T + p["b_xn"] + hidden[reset])
        return (1 - z) * n + z * h_prev if keep_is_z else z * n + (1 - z) * h_prev
    return step


GRU_STEP_MISTAKES = [
    Mistake("z and 1 - z are swapped: in PyTorch's convention z keeps the old state, h_t = (1 - z) * n + "
            "z * h_prev (Ng's Γ_u is 1 - z)", _gru_step_mistake(keep_is_z=False)),
    Mistake("the reset gate scales h_prev before W_hn: that is the 2014 original; PyTorch's variant scales "
            "the product, r * (h_prev @ W_hn.T + b_hn)", _gru_step_mistake(reset="before")),
    Mistake("b_hn is outside the reset product: in PyTorch's variant it sits inside, r * (h_prev @ W_hn.T + b_hn)",
            _gru_step_mistake(reset="b_hn outside")),
    Mistake("the reset gate is missing from the candidate: r scales how much of the past n may see",
            _gru_step_mistake(reset="none")),
]


def check_gru_step(gru_step):
    """Exercise 3 (build-it): `gru_step(x_t, h_prev, params)` -> h_t (N, H), one step of torch.nn.GRU."""
    check_function(gru_step, reference_gru_step, GRU_STEP_CASES, GRU_STEP_MISTAKES, "gru_step")
    passed("the reset after W_hn with b_hn inside, and h_t = (1 - z) * n + z * h_prev: torch.nn.GRUCell.")


# Exercise 4: the largest hidden size that a parameter budget allows.
GATES_PER_CELL = {"rnn": 1, "lstm": 4, "gru": 3}
# (cell, the cell whose layer's count makes the budget, an offset to it): an RNN's budget, exact ones, one short
BUDGETS = [("lstm", "rnn", 0), ("gru", "rnn", 0), ("lstm", "lstm", 0), ("gru", "gru", -1), ("rnn", "lstm", 0),
           ("gru", "lstm", 0), ("lstm", "lstm", -1), ("rnn", "gru", 1)]  # the first with H = 1, the others fresh


def torch_parameter_count(cell, D, H):
    """torch.nn.RNN/LSTM/GRU(D, H): each gate has W_x (H, D), W_h (H, H) and two biases (H,)."""
    return GATES_PER_CELL[cell] * (H * D + H * H + 2 * H)


def reference_hidden_size(D, budget, cell):
    H = 0  # one more unit, while it still fits
    while torch_parameter_count(cell, D, H + 1) <= budget:
        H += 1
    return H


def check_hidden_size(hidden_size_for):
    """Exercise 4: `hidden_size_for(D, budget, cell)` -> the largest H for which torch.nn.RNN, LSTM or GRU(D, H)
    (cell "rnn", "lstm" or "gru") has at most `budget` parameters."""
    require(callable(hidden_size_for), f"expected a function, got {type(hidden_size_for).__name__}")
    rng = np.random.default_rng()
    for k, (cell, of_cell, offset) in enumerate(BUDGETS):
        D, H = int(rng.integers(1, 65)), int(rng.integers(1, 300)) if k else 1
        budget = max(torch_parameter_count(of_cell, D, H) + offset, torch_parameter_count(cell, D, 1))
        got = call(hidden_size_for, {"D": D, "budget": budget, "cell": cell}, "hidden_size_for")
        call_text = f"hidden_size_for({D}, {budget}, {cell!r}) = {got}"
        require(isinstance(got, numbers.Integral), f"{call_text}: expected an integer")
        require(got <= reference_hidden_size(D, budget, cell),
                f"{call_text}: that layer is over the budget. Count each gate's W_x, W_h and PyTorch's two biases "
                "(an LSTM has four gates, a GRU three), and take the largest H that fits (round down)")
        require(got == reference_hidden_size(D, budget, cell), f"{call_text}: a larger H still fits the budget")
    lstm, gru = (reference_hidden_size(16, torch_parameter_count("rnn", 16, 96), cell) for cell in ("lstm", "gru"))
    passed(f"with the parameters of section 9's RNN (D = 16, H = 96), an LSTM gets H = {lstm} and a GRU H = {gru}: "
           "at equal size, a gated layer is about half as wide.")


# Exercise 5: the forget bias that keeps a share of the cell for a number of steps.
def check_forget_bias(forget_bias_for):
    """Exercise 5: `forget_bias_for(delay, keep)` -> the bias b with σ(b) ** delay == keep."""
    require(callable(forget_bias_for), f"expected a function, got {type(forget_bias_for).__name__}")
    rng = np.random.default_rng()
    for delay, keep in [(1, 0.5), (100, 0.5)] + [(int(rng.integers(2, 500)), rng.uniform(0.01, 0.99)) for _ in "abc"]:
        b = call(forget_bias_for, {"delay": delay, "keep": keep}, "forget_bias_for")
        call_text = f"forget_bias_for({delay}, {keep:.2f}) = {b}"
        require(isinstance(b, numbers.Real), f"{call_text}: expected a number")
        require(np.isclose(float(sigmoid(np.array(b)) ** delay), keep, rtol=1e-6),
                f"{call_text}: σ(b)**{delay} is not {keep:.2f}; the forget gate multiplies the cell once per step")
    passed(f"a bias of {float(forget_bias_for(100, 0.5)):.2f} keeps half of the cell over 100 steps: keep_bias=5 in "
           "this chapter.")


# Exercise 6: PyTorch's update gate in Andrew Ng's convention.
NG_CASES = [Case(f"D={D}, H={H}", lambda rng, D=D, H=H: {"params": _gate_params(GRU_NAMES, D, H, rng)})
            for D, H in ((3, 4), (1, 2), (5, 5), (2, 7))]


def _ng_gate(sw, sb, shift=0):  # the signs given to z's weights and bias, and a shift
    return lambda p: {"W_xu": shift + sw * p["W_xz"], "W_hu": shift + sw * p["W_hz"], "b_u": shift + sb * p["b_z"]}


reference_ng_update_gate = _ng_gate(-1, -1)  # 1 - σ(a) = σ(-a): every term of z's pre-activation changes sign
NG_MISTAKES = [
    Mistake("those are z's own parameters: they give z, the gate that keeps the old state; Γ_u takes the "
            "candidate, so Γ_u = 1 - z", _ng_gate(1, 1)),
    Mistake("only the bias changed sign: 1 - σ(a) = σ(-a) flips every term of the pre-activation a, the weights' "
            "too", _ng_gate(1, -1)),
    Mistake("the bias must change sign as well: 1 - σ(a) = σ(-a), and a includes b_z", _ng_gate(-1, 1)),
    Mistake("1 - z is not σ applied to 1 minus each parameter: write 1 - σ(a) as σ of something",
            _ng_gate(-1, -1, shift=1)),
]


def check_ng_update_gate(ng_update_gate):
    """Exercise 6: `ng_update_gate(params)` -> {"W_xu", "W_hu", "b_u"}: the parameters of Ng's update gate
    Γ_u = σ(x_t @ W_xu.T + h_prev @ W_hu.T + b_u) of the GRU whose PyTorch parameters are `params`."""
    check_function(ng_update_gate, reference_ng_update_gate, NG_CASES, NG_MISTAKES, "ng_update_gate")
    passed("Γ_u = 1 - z = σ(-a_z): the same model with z's weights and bias negated, so a bias that means "
           "'keep' is positive in PyTorch's convention and negative in Ng's.")
