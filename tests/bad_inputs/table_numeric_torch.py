"""Bad-input entries for the numeric tools and the PyTorch bridges: `seqlearn.convert`, `seqlearn.gradcheck`,
`seqlearn.optim`, `seqlearn.gradient_flow` and `seqlearn.seq2seq_models`."""

import numpy as np
import torch

from bad_inputs.catalogue import Bad, Entry, const, role_bads
from seqlearn import convert, gradcheck, gradient_flow, models, optim
from seqlearn import seq2seq_models as s2s


def naming(role, **names):
    """The role's bad values, where the message may name another word for some labels (the other side of a
    shape disagreement, e.g. x's D against W_xh's)."""
    return [Bad(b.label, b.make, b.mismatch, b.names + names[b.label], b.names_from) if b.label in names else b
            for b in role_bads(role)]


def keyed(label, key, change):
    """A bad dict of arrays: `change(array)` replaces entry `key`, which the message must name."""
    return Bad(label, lambda d: {**d, key: change(d[key])}, names=(key,))


def first_keyed(label, change):
    return Bad(label, lambda d: {**d, next(iter(d)): change(d[next(iter(d))])}, names_from=lambda d: (next(iter(d)),))


def _read_only(a):
    a = a.copy()
    a.flags.writeable = False
    return a


NON_FINITE = [first_keyed("nan-entry", lambda a: np.full_like(a, np.nan)),
              first_keyed("inf-entry", lambda a: np.full_like(a, np.inf))]
# Clipping takes gradients of any names and shapes: it has no params to compare them with.
NO_REFERENCE = ("missing-key", "typo-key", "wrong-shape-entry")
MASK = [const("None", None), Bad("numpy", lambda v: v.numpy()), Bad("int", lambda v: v.long()),
        Bad("float", lambda v: v.float()), Bad("extra-axis", lambda v: v[None], True),
        Bad("empty", lambda v: v[:0], True), Bad("all-False", lambda v: torch.zeros_like(v))]


def module_state(arg):
    return lambda a: a[arg].state_dict() if isinstance(a[arg], torch.nn.Module) else None


# --- convert ---------------------------------------------------------------------------------------------------

def _gru():
    torch.manual_seed(0)
    return torch.nn.GRU(2, 3, num_layers=2, bidirectional=True)


def _lstm():
    torch.manual_seed(0)
    return torch.nn.LSTM(2, 3, num_layers=2, bidirectional=True)


def _to_torch_args():
    gru = _gru()
    return {"params": convert.params_from_torch(gru, 1, "backward"), "module": _gru(), "layer": 1,
            "direction": "backward"}


def _stacked_bads():
    int_last = Bad("int-last-entry", lambda v: [v[0], [v[1][0], {**v[1][1], "b_o": v[1][1]["b_o"].astype(int)}]],
                   names=("b_o",))
    return [const("None", None), const("str", "params"), Bad("dict", lambda v: v[0][0]),
            Bad("one-layer-short", lambda v: v[:1]), Bad("one-direction-short", lambda v: [v[0][:1], v[1]]),
            Bad("layer-not-a-list", lambda v: [v[0], v[1][0]]), int_last]  # the last must not leave the first written


CONVERT = [
    Entry(convert.params_from_torch, lambda: {"module": _gru(), "layer": 1, "direction": "backward"},
          {"module": "module", "layer": "count", "direction": "choice?"}, extra={"layer": [const("too-large", 2)]}),
    Entry(convert.params_to_torch, _to_torch_args,
          {"params": "params", "module": "module", "layer": "count", "direction": "choice?"},
          extra={"params": [keyed("int-b_hn", "b_hn", lambda a: a.astype(int)),  # the issue's example: checked last
                            keyed("2d-b_hn", "b_hn", lambda a: a[None])],
                 "layer": [const("too-large", 2)]},
          unchanged=module_state("module")),
    Entry(convert.stacked_params_from_torch, lambda: {"module": _lstm()}, {"module": "module"}),
    Entry(convert.stacked_params_to_torch,
          lambda: {"params": convert.stacked_params_from_torch(_lstm()), "module": torch.nn.LSTM(2, 3, 2,
                                                                                                  bidirectional=True)},
          {"params": _stacked_bads(), "module": "module"}, unchanged=module_state("module")),
]


# --- gradcheck -------------------------------------------------------------------------------------------------

def _numerical_args():
    x = np.array([1.0, -2.0, 3.0])
    return {"f": lambda: float((x ** 2).sum()), "x": x, "eps": 1e-6}


def _grad_check_args():
    a, b = np.array([1.0, 2.0]), np.array([[3.0]])
    return {"f": lambda: float((a ** 2).sum() + (b ** 2).sum()), "arrays": {"a": a, "b": b},
            "analytic": {"a": 2 * a, "b": 2 * b}, "eps": 1e-6}


def _report():
    return gradcheck.GradCheckReport({"a": 1e-9, "b": 2e-8}, "b", (0,))


GRADCHECK = [
    Entry(gradcheck.numerical_gradient, _numerical_args, {"f": "callable", "x": "array", "eps": "rate"},
          # f reads its own arrays, so x may have any shape: a view with another axis, an empty or longer array.
          skip={"x": ("extra-axis", "empty", "wider")},
          extra={"f": [const("returns-array", lambda: np.ones(2)), const("returns-str", lambda: "a")],
                 "x": [Bad("read-only", _read_only)]},
          unchanged=lambda a: a["x"]),
    Entry(gradcheck.relative_error, lambda: {"analytic": np.ones((2, 3)), "numeric": np.full((2, 3), 1.1)},
          {"analytic": "array", "numeric": "array"}, partners={"analytic": ("numeric",)}),
    Entry(gradcheck.grad_check, _grad_check_args,
          {"f": "callable", "arrays": "params", "analytic": "params", "eps": "rate"},
          extra={"arrays": [keyed("empty-array", "a", lambda a: a[:0])]}, unchanged=lambda a: a["arrays"]),
    Entry(gradcheck.GradCheckReport, lambda: {"errors": {"a": 1e-9, "b": 2e-8}, "worst_name": "b", "worst_index": (0,)},
          {"errors": [const("None", None), const("list", [1e-9]), const("empty", {}), const("nan", {"a": np.nan}),
                      const("negative", {"a": -1.0}), const("str", {"a": "1e-9"}), const("bool", {"a": True})],
           "worst_name": [const("unknown", "c"), const("None", None), const("int", 3)],
           "worst_index": [const("None", None), const("list", [0]), const("float", (0.5,))]}),
    Entry(gradcheck.GradCheckReport.passed, lambda: {"self": _report(), "tol": 1e-6}, {"tol": "rate"}),
]


# --- optim -----------------------------------------------------------------------------------------------------

def _params():
    return {"W": np.ones((2, 3)), "b": np.zeros(3)}


def _grads():
    return {"W": np.full((2, 3), 0.5), "b": np.ones(3)}


def _step_args(make):
    def valid():
        opt = make()
        opt.step(_params(), _grads())  # a step before: the optimiser has state that a refused step must keep
        return {"self": opt, "params": _params(), "grads": _grads()}
    return valid


def _step(target, make):
    return Entry(target, _step_args(make), {"params": "params", "grads": "params"},
                 extra={"params": [keyed("read-only", "b", _read_only)], "grads": NON_FINITE},
                 unchanged=lambda a: (a["params"], vars(a["self"])))


GRADS = {"grads": NO_REFERENCE}
OPTIM = [
    Entry(optim.SGD, lambda: {"lr": 0.1}, {"lr": "rate"}),
    Entry(optim.Adagrad, lambda: {"lr": 0.1, "eps": 1e-10}, {"lr": "rate", "eps": "nonnegative"}),
    Entry(optim.Adam, lambda: {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
          {"lr": "rate", "beta1": "probability", "beta2": "probability", "eps": "nonnegative"},
          extra={"beta1": [const("one", 1.0)], "beta2": [const("one", 1.0)]}),
    _step(optim.SGD.step, lambda: optim.SGD(0.1)),
    _step(optim.Adagrad.step, lambda: optim.Adagrad(0.1)),
    _step(optim.Adam.step, lambda: optim.Adam(0.1)),
    Entry(optim.clip_by_value, lambda: {"grads": _grads(), "limit": 0.7}, {"grads": "params", "limit": "rate"},
          skip=GRADS, extra={"grads": NON_FINITE}, unchanged=lambda a: a["grads"]),
    Entry(optim.global_norm, lambda: {"grads": _grads()}, {"grads": "params"}, skip=GRADS,
          extra={"grads": NON_FINITE}),
    Entry(optim.clip_by_global_norm, lambda: {"grads": _grads(), "max_norm": 1.0},
          {"grads": "params", "max_norm": "rate"}, skip=GRADS, extra={"grads": NON_FINITE},
          unchanged=lambda a: a["grads"]),
]


# --- gradient_flow ---------------------------------------------------------------------------------------------

def _rnn_args(dh_T=False):
    rng = np.random.default_rng(0)
    args = {"x": rng.normal(size=(3, 2, 2)), "h0": np.zeros((2, 4)),
            "params": {"W_xh": rng.normal(size=(4, 2)), "W_hh": rng.normal(size=(4, 4)) * 0.5, "b_h": np.zeros(4)},
            "nonlinearity": "tanh"}
    return args | ({"dh_T": np.ones((2, 4))} if dh_T else {})


RNN_ROLES = {"x": naming("array", wider=("W_xh",)), "h0": "array?", "params": "params", "nonlinearity": "choice"}


def _rnn_entry(target, dh_T=False):
    roles = RNN_ROLES | ({"dh_T": "array?"} if dh_T else {})
    return Entry(target, lambda: _rnn_args(dh_T), roles)


SQUARE = np.array([[0.5, 0.2, 0.0], [0.1, 0.3, 0.4], [0.0, 0.2, 0.6]])
GRADIENT_FLOW = [
    _rnn_entry(gradient_flow.hidden_state_gradients, dh_T=True),
    _rnn_entry(gradient_flow.hidden_state_gradients_torch, dh_T=True),
    _rnn_entry(gradient_flow.hidden_state_jacobians),
    _rnn_entry(gradient_flow.hidden_state_jacobians_torch),
    _rnn_entry(gradient_flow.jacobian_norms),
    _rnn_entry(gradient_flow.predicted_decay_rate),
    # a float32 W is fine: there is no other array whose dtype it must share
    Entry(gradient_flow.spectral_radius, lambda: {"W": SQUARE.copy()}, {"W": "finite_array"},
          skip={"W": ("other-float",)}),
    Entry(gradient_flow.rescale_to_spectral_radius, lambda: {"W": SQUARE.copy(), "rho": 0.9},
          {"W": "finite_array", "rho": "rate"}, skip={"W": ("other-float",)}),
    # a list of floats is documented as fine; float32 norms share a dtype with nothing; a longer series is a series
    Entry(gradient_flow.fit_decay_rate, lambda: {"norms": np.array([1.0, 0.5, 0.25])}, {"norms": "finite_array"},
          skip={"norms": ("list", "other-float", "wider")}),
]


# --- seq2seq_models --------------------------------------------------------------------------------------------

SRC, SRC_LENGTHS = torch.tensor([[1, 2], [3, 4], [0, 1]]), torch.tensor([3, 1])


def _model(attention="general"):
    torch.manual_seed(0)
    return s2s.Seq2Seq(5, 7, 4, attention)


def _decode_args():
    model = _model()
    with torch.no_grad():
        keys, mask, state = model.encode(SRC, SRC_LENGTHS)
    return {"self": model, "decoder_inputs": torch.tensor([[2, 2], [4, 5]]), "keys": keys, "mask": mask,
            "state": state}


def _attention_args():
    torch.manual_seed(0)
    mask = torch.ones(5, 3, dtype=torch.bool)
    mask[3:, 1] = False
    return {"self": s2s.Attention(4, "general"), "queries": torch.randn(2, 3, 4), "keys": torch.randn(5, 3, 4),
            "mask": mask}


def _trained():
    model = _model()
    logits, _ = model(SRC, SRC_LENGTHS, torch.tensor([[2, 2], [4, 5]]))
    logits.sum().backward()
    return model


def _loss_args():
    torch.manual_seed(0)
    mask = torch.ones(4, 2, dtype=torch.bool)
    mask[3, 1] = False
    return {"logits": torch.randn(4, 2, 7), "predicted": torch.tensor([[4, 5], [6, 3], [3, 0], [0, 0]]), "mask": mask}


def _tensor_with_first(value):
    def make(v):
        v = v.clone()
        v.view(-1)[0] = value
        return v
    return make


DECODE = {"src": SRC, "src_lengths": SRC_LENGTHS}
SEQ2SEQ = [
    Entry(models.check_lengths, lambda: {"name": "src_lengths", "lengths": SRC_LENGTHS.clone(), "N": 2, "low": 1,
                                         "high": 3},
          {"name": "text", "lengths": "tensor_ids", "N": "size", "low": "count", "high": "size"},
          names={"lengths": "src_lengths"}),
    Entry(models.check_tensor, lambda: {"name": "x", "t": torch.zeros(3, 2, 4), "dims": "(T, N, F)",
                                        "dtype": torch.float32, "shape": (None, None, 4)},
          {"t": "tensor"}, names={"t": "x"}, skip={"t": ("int",)}),  # (int is refused: listed below with its dtype)
    Entry(s2s.Attention, lambda: {"hidden_size": 4, "score": "additive"}, {"hidden_size": "size", "score": "choice"}),
    Entry(s2s.Attention.forward, _attention_args, {"queries": "tensor", "keys": "tensor", "mask": MASK}),
    Entry(s2s.Seq2Seq, lambda: {"src_vocab_size": 5, "tgt_vocab_size": 7, "hidden_size": 4, "attention": "dot"},
          {"src_vocab_size": "size", "tgt_vocab_size": "size", "hidden_size": "size", "attention": "choice?"}),
    Entry(s2s.Seq2Seq.encode, lambda: {"self": _model(), **DECODE}, {"src": "tensor_ids", "src_lengths": "tensor_ids"}),
    Entry(s2s.Seq2Seq.decode, _decode_args,
          {"decoder_inputs": "tensor_ids", "keys": "tensor", "mask": MASK, "state": "tensor"}),
    Entry(s2s.Seq2Seq.forward, lambda: {"self": _model(), **DECODE, "decoder_inputs": torch.tensor([[2, 2], [4, 5]])},
          {"src": "tensor_ids", "src_lengths": "tensor_ids", "decoder_inputs": "tensor_ids"}),
    Entry(convert.seq2seq_params_from_torch, lambda: {"model": _model()}, {"model": "module"}),
    Entry(convert.seq2seq_grads_from_torch, lambda: {"model": _trained()}, {"model": "module"},
          extra={"model": [Bad("no-backward", lambda v: _model())]}),
    Entry(convert.seq2seq_params_to_torch, lambda: {"params": convert.seq2seq_params_from_torch(_model("additive")),
                                                    "model": _model("additive")},
          {"params": "params", "model": "module"}, unchanged=module_state("model")),
    # teacher_forcing knows no vocabulary: any id >= 0 is an id
    Entry(s2s.teacher_forcing, lambda: {"targets": torch.tensor([[4, 5], [6, 0], [5, 0]]),
                                        "target_lengths": torch.tensor([3, 1]), "bos_id": 2, "eos_id": 3, "pad_id": 0},
          {"targets": "tensor_ids", "target_lengths": "tensor_ids", "bos_id": "count", "eos_id": "count",
           "pad_id": "count"}, skip={"targets": ("too-large",)}),
    # float64 logits are as good as float32 ones: there is no model here whose dtype they must share
    Entry(s2s.sequence_loss, _loss_args, {"logits": "tensor", "predicted": "tensor_ids", "mask": MASK},
          skip={"logits": ("other-float",)},
          extra={"logits": [Bad("nan", _tensor_with_first(np.nan)), Bad("inf", _tensor_with_first(np.inf))]}),
    Entry(s2s.greedy_decode, lambda: {"model": _model(), **DECODE, "bos_id": 2, "eos_id": 3, "max_len": 4},
          {"model": "module", "src": "tensor_ids", "src_lengths": "tensor_ids", "bos_id": "count", "eos_id": "count",
           "max_len": "size"},
          extra={"bos_id": [const("too-large", 7)], "eos_id": [const("too-large", 7)]}),
]

ENTRIES = CONVERT + GRADCHECK + OPTIM + GRADIENT_FLOW + SEQ2SEQ
