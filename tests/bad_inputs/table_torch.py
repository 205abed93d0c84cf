"""Bad-input entries for the PyTorch side: models, checkpoint, training (and its checks), classifier, fit and
the applied models. Every valid call is tiny (V = 5, H = 4, T = 3, N = 2, one epoch of two batches), and every
call that trains or builds is checked to leave the model, the optimiser and the random generators untouched when
it refuses an argument."""

import atexit
import os
import shutil
import tempfile
import uuid

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from bad_inputs.catalogue import Bad, Entry, const
from seqlearn import applied_models, checkpoint, classifier, fit, models, training, training_checks

V, H, T, N = 5, 4, 3, 2
TMP = tempfile.mkdtemp(prefix="seqlearn-table-torch-")  # the checkpoints the cases write, removed at exit
atexit.register(shutil.rmtree, TMP, ignore_errors=True)


def seeded(build):
    """build() with torch seeded to 0, leaving the global random state alone (a case compares it before and after)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return build()


def lm(cell="lstm", **kwargs):
    return seeded(lambda: models.RNNLanguageModel(V, H, cell=cell, **kwargs))


def ids():
    return torch.tensor([[0, 1], [2, 3], [4, 0]])  # (T, N) = (3, 2)


def np_ids(n):
    return np.arange(n) % V


def fresh_path():
    return os.path.join(TMP, f"{uuid.uuid4().hex}.pt")


def module_state(args, *keys):
    """The weights of the modules among args[keys], and torch's global random state: a refused call changes none."""
    return [args[k].state_dict() if isinstance(args[k], nn.Module) else None for k in keys] + \
        [torch.random.get_rng_state()]


def rng_state(rng):
    return rng.bit_generator.state if isinstance(rng, np.random.Generator) else None


# Devices: torch.device(3) would quietly mean cuda:3, a bool or a list is no device, "gpu7" no device name.
DEVICE = [const("int", 3), const("bool", True), const("unknown", "gpu7"), const("list", ["cpu"])]
if not torch.cuda.is_available():
    DEVICE.append(const("cuda-absent", "cuda"))
ONE = [const("one", 1.0)]  # dropout must be below 1
# Any torch.nn.Module with parameters is accepted where the package takes "a model of the caller's" (chapter 8
# trains its own BidirectionalLanguageModel); an nn.Linear cannot be told apart from such a model before it runs.
ANY_MODULE = {"model": ("wrong-module",)}


def _lstm_state():
    return torch.zeros(1, N, H), torch.zeros(1, N, H)


STATE = [  # an LSTM's state is the pair (h, c), each (num_layers, N, H) in the model's dtype
    Bad("single-tensor", lambda v: v[0]), Bad("numpy-pair", lambda v: tuple(s.numpy() for s in v)),
    Bad("list-pair", lambda v: list(v)), Bad("triple", lambda v: (*v, v[0])), const("str", "h"),
    Bad("extra-axis", lambda v: tuple(s[None] for s in v)), Bad("wrong-N", lambda v: tuple(s[:, :1] for s in v)),
    Bad("float64", lambda v: tuple(s.double() for s in v)),
]


def _saved():
    path = fresh_path()
    checkpoint.save_checkpoint(lm(), path)
    return path


def _broken(change):
    """A checkpoint with the right format tag whose content `change(saved_dict)` damaged."""
    def make(valid):
        saved = torch.load(valid, weights_only=True)
        change(saved)
        path = fresh_path()
        torch.save(saved, path)
        return path
    return make


def _truncated(valid):
    path = fresh_path()
    with open(valid, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[: len(data) // 2])
    return path


def _foreign(valid):
    path = fresh_path()
    torch.save(lm().state_dict(), path)
    return path


CHECKPOINT_FILES = [  # the message names the file and calls it a checkpoint
    Bad("missing-file", lambda v: v + ".missing"), const("directory", TMP),
    Bad("truncated", _truncated, names=("checkpoint",)), Bad("foreign", _foreign, names=("checkpoint",)),
    Bad("no-config", _broken(lambda s: s.pop("config")), names=("checkpoint",)),
    Bad("no-state-dict", _broken(lambda s: s.pop("state_dict")), names=("checkpoint",)),
    Bad("config-list", _broken(lambda s: s.update(config=[5, 4])), names=("checkpoint",)),
    Bad("config-unknown-key", _broken(lambda s: s["config"].update(colour="red")), names=("checkpoint",)),
    Bad("config-bad-value", _broken(lambda s: s["config"].update(cell="transformer")), names=("checkpoint",)),
    Bad("weights-wrong-shape", _broken(lambda s: s["state_dict"].update({"head.bias": torch.zeros(9)})),
        names=("checkpoint",)),
    Bad("weights-missing", _broken(lambda s: s["state_dict"].pop("head.bias")), names=("checkpoint",)),
]


def _step_args():
    w = nn.Parameter(torch.tensor([3.0, 4.0]))
    return {"optimizer": torch.optim.SGD([w], lr=0.1), "loss": (w ** 2).sum(), "clip": 1.0, "where": "at step 0"}


def _optimizer_state(args):
    opt = args["optimizer"]
    if not isinstance(opt, torch.optim.Optimizer):
        return None
    return [[(p.detach().clone(), p.grad) for p in g["params"]] for g in opt.param_groups] + [opt.state_dict()]


LOSS = [const("float", 1.0), const("None", None), Bad("detached", lambda v: v.detach()),
        Bad("vector", lambda v: v[None].expand(2)), Bad("nan", lambda v: v * float("nan")),
        Bad("inf", lambda v: v * float("inf"))]
OPTIMIZER = [const("None", None), const("str", "adam"), Bad("module", lambda v: nn.Linear(2, 2))]


def _lm_training(**extra):
    """train_language_model's arguments: two batches of (T, N) = (3, 2) in one epoch, every option set."""
    return dict(model=lm(cell="rnn"), train_ids=np_ids(13), val_ids=np_ids(7), epochs=1, lr=1e-2, batch_size=2,
                num_steps=3, clip=1.0, stateful=True, patience=1, seed=0, device="cpu", progress=False,
                max_seconds=60.0, lr_decay=None, lr_schedule="cosine", weight_decay=0.0, val_context=np_ids(4), **extra)


LM_ROLES = {"model": "module", "train_ids": "ids", "val_ids": "ids", "epochs": "size", "lr": "rate",
            "batch_size": "size", "num_steps": "size", "clip": "rate?", "stateful": "flag", "patience": "count?",
            "seed": "count", "device": DEVICE, "progress": "flag", "max_seconds": "rate?", "lr_decay": "probability?",
            "lr_schedule": "choice?", "weight_decay": "nonnegative", "val_context": "ids?"}
LM_SKIP = {**ANY_MODULE, "val_context": ("empty",)}  # an empty val_context is no context, like None
LM_EXTRA = {"lr_decay": [const("zero", 0.0), const("one", 1.0)]}  # a decay factor lies strictly inside (0, 1)


def _sequence_classifier():
    return seeded(lambda: classifier.SequenceClassifier(5, 4, 3, cell="lstm"))


def _forecaster_fit(**extra):
    x, y = seeded(lambda: (torch.randn(3, 4, 1), torch.randn(4, 1)))  # x (T, N, F) time-major, targets (N, horizon)
    batches = fit.index_batches(np.arange(4), 2, lambda j: (x[:, j], y[j]))
    return dict(model=seeded(lambda: applied_models.Forecaster(1, 4, 1)), loss_fn=F.mse_loss, train_batches=batches,
                val_batches=lambda: batches(), epochs=1, lr=1e-2, clip=1.0, patience=1, seed=0, progress=False,
                device="cpu", **extra)


FIT_ROLES = {"model": "module", "loss_fn": "callable", "train_batches": "callable", "val_batches": "callable",
             "epochs": "size", "lr": "rate", "clip": "rate?", "patience": "count?", "seed": "count",
             "progress": "flag", "device": DEVICE}


def _char_classifier():
    return seeded(lambda: applied_models.CharClassifier(V, 2, H))


def _char_tagger():
    return seeded(lambda: applied_models.CharTagger(V, 3, H, bidirectional=True))


ENTRIES = [
    # --- seqlearn.models -----------------------------------------------------------------------------------------
    Entry(models.RNNLanguageModel,
          lambda: dict(vocab_size=V, hidden_size=H, cell="lstm", num_layers=1, embedding_dim=3, dropout=0.0,
                       input_dropout=0.0),
          {"vocab_size": "size", "hidden_size": "size", "cell": "choice", "num_layers": "size",
           "embedding_dim": "size?", "dropout": "probability", "input_dropout": "probability"},
          extra={"dropout": ONE, "input_dropout": ONE}, unchanged=lambda a: torch.random.get_rng_state()),
    Entry(models.RNNLanguageModel.forward, lambda: {"self": lm(), "ids": ids(), "state": _lstm_state()},
          {"ids": "tensor_ids", "state": STATE}),
    Entry(models.check_ids, lambda: {"ids": ids(), "vocab_size": V, "name": "ids"},
          {"ids": "tensor_ids", "vocab_size": "size", "name": "text"}),
    Entry(models.check_module, lambda: {"name": "model", "model": lm()}, {"model": "module", "name": "text"},
          skip=ANY_MODULE, extra={"model": [Bad("no-parameters", lambda v: nn.ReLU())]}),
    Entry(models.vocab_size_of, lambda: {"model": lm()}, {"model": "module"},
          skip=ANY_MODULE),  # any module: None when its config does not say
    Entry(models.detach_state, lambda: {"state": _lstm_state()},
          {"state": [const("str", "h"), const("int", 3), Bad("list", lambda v: list(v)), const("empty-tuple", ()),
                     Bad("numpy", lambda v: v[0].numpy())]}),
    Entry(models.evaluating, lambda: {"model": lm()}, {"model": "module"},
          skip=ANY_MODULE),  # any module can be put in evaluation mode
    Entry(models.generate_ids,
          lambda: dict(model=lm(), prefix_ids=np.array([1, 2]), steps=3, rng=np.random.default_rng(0),
                       temperature=1.0, top_k=3, stop_id=4),
          {"model": "module", "prefix_ids": "ids", "steps": "size", "rng": "rng?", "temperature": "nonnegative",
           "top_k": "size?", "stop_id": "count?"}, skip=ANY_MODULE,
          extra={"top_k": [const("above-V", V + 1)], "stop_id": [const("V", V)]},
          unchanged=lambda a: module_state(a, "model") + [rng_state(a["rng"])]),
    Entry(models.check_device, lambda: {"device": "cpu"}, {"device": DEVICE}),
    # --- seqlearn.checkpoint -------------------------------------------------------------------------------------
    Entry(checkpoint.save_checkpoint, lambda: {"model": lm(), "path": fresh_path()},
          {"model": "module", "path": "path"},
          extra={"model": [Bad("classifier", lambda v: _sequence_classifier())], "path": [const("directory", TMP)]},
          unchanged=lambda a: os.path.exists(a["path"]) if isinstance(a["path"], str) else None),
    Entry(checkpoint.load_checkpoint, lambda: {"path": _saved(), "device": "cpu"},
          {"path": "path", "device": DEVICE}, extra={"path": CHECKPOINT_FILES},
          errors=(checkpoint.CheckpointError, FileNotFoundError),
          unchanged=lambda a: torch.random.get_rng_state()),
    # --- seqlearn.training ---------------------------------------------------------------------------------------
    Entry(training.next_token_loss, lambda: {"logits": torch.randn(T, N, V), "targets": ids(), "reduction": "mean"},
          {"logits": "tensor", "targets": "tensor_ids", "reduction": "choice"},
          skip={"logits": ("other-float",)},  # float64 logits are as good as float32 ones
          partners={"logits": ("targets",)}),
    Entry(training.training_step, _step_args, {"optimizer": OPTIMIZER, "loss": LOSS, "clip": "rate?", "where": "text"},
          errors=(training.NonFiniteLossError,), unchanged=_optimizer_state),
    Entry(training.cosine_learning_rate, lambda: {"lr": 0.1, "progress": 0.5},
          {"lr": "rate", "progress": "number"}, extra={"progress": [const("inf", float("inf"))]}),
    Entry(training.scheduled_learning_rate,
          lambda: {"lr": 0.1, "batches_done": 2, "total_batches": 10, "seconds": 1.0, "max_seconds": 10.0},
          {"lr": "rate", "batches_done": "count", "total_batches": "count", "seconds": "nonnegative",
           "max_seconds": "rate?"}),
    Entry(training.seeded_torch, lambda: {"seed": 0, "device": "cpu"}, {"seed": "count", "device": DEVICE},
          unchanged=lambda a: torch.random.get_rng_state()),
    Entry(training.token_log_probs,
          lambda: {"model": lm(), "ids": np_ids(4), "context": np_ids(3), "chunk": 2, "device": "cpu"},
          {"model": "module", "ids": "ids", "context": "ids?", "chunk": "size", "device": DEVICE},
          skip={**ANY_MODULE, "context": ("empty",)},  # an empty context is no context, like None
          unchanged=lambda a: module_state(a, "model")),
    Entry(training.evaluate_perplexity,
          lambda: {"model": lm(), "ids": np_ids(4), "context": np_ids(3), "chunk": 2, "device": "cpu"},
          {"model": "module", "ids": "ids", "context": "ids?", "chunk": "size", "device": DEVICE},
          skip={**ANY_MODULE, "context": ("empty",)}, unchanged=lambda a: module_state(a, "model")),
    Entry(training.train_language_model, _lm_training, LM_ROLES, skip=LM_SKIP, extra=LM_EXTRA,
          unchanged=lambda a: module_state(a, "model")),
    Entry(training_checks.check_training_arguments, _lm_training, LM_ROLES, skip=LM_SKIP, extra=LM_EXTRA),
    # --- seqlearn.classifier -------------------------------------------------------------------------------------
    Entry(classifier.SequenceClassifier,
          lambda: dict(num_inputs=5, hidden_size=4, num_classes=3, cell="lstm", nonlinearity="tanh", keep_bias=1.0),
          {"num_inputs": "size", "hidden_size": "size", "num_classes": "size", "cell": "choice",
           "nonlinearity": "choice", "keep_bias": "number?"},
          extra={"num_classes": [const("one", 1)], "keep_bias": [const("inf", float("inf"))]},
          unchanged=lambda a: torch.random.get_rng_state()),
    Entry(classifier.SequenceClassifier.forward, lambda: {"self": _sequence_classifier(), "ids": ids()},
          {"ids": "tensor_ids"}),
    Entry(classifier.accuracy,
          lambda: {"model": _sequence_classifier(), "ids": np.array([[0, 1], [2, 3], [4, 0]]),
                   "targets": np.array([0, 2])},
          {"model": "module", "ids": "ids", "targets": "ids"}, unchanged=lambda a: module_state(a, "model")),
    Entry(classifier.train_recall,
          lambda: dict(model=_sequence_classifier(), delay=2, steps=1, rng=np.random.default_rng(0), batch_size=4,
                       lr=1e-2, clip=1.0, length=4, eval_size=4, optimizer="adam"),
          {"model": "module", "delay": "size", "steps": "size", "rng": "rng", "batch_size": "size", "lr": "rate",
           "clip": "rate?", "length": "size?", "eval_size": "size", "optimizer": "choice"},
          extra={"length": [const("shorter-than-delay", 2)]},
          unchanged=lambda a: module_state(a, "model") + [rng_state(a["rng"])]),
    # --- seqlearn.fit --------------------------------------------------------------------------------------------
    Entry(fit.fit, _forecaster_fit, FIT_ROLES, skip=ANY_MODULE, unchanged=lambda a: module_state(a, "model")),
    Entry(fit.check_fit_arguments, _forecaster_fit, FIT_ROLES, skip=ANY_MODULE),
    Entry(fit.index_batches, lambda: {"indices": np.array([3, 0, 2]), "batch_size": 2, "take": lambda j: (j, j)},
          {"indices": "ids", "batch_size": "size", "take": "callable"},
          skip={"indices": ("too-large",)}),  # how many examples there are is for `take` to know
    Entry(fit.evaluate_loss,
          lambda: {k: v for k, v in _forecaster_fit().items() if k in ("model", "loss_fn", "val_batches", "device")},
          {"model": "module", "loss_fn": "callable", "val_batches": "callable", "device": DEVICE}, skip=ANY_MODULE,
          unchanged=lambda a: module_state(a, "model")),
    # --- seqlearn.applied_models ---------------------------------------------------------------------------------
    Entry(applied_models.Forecaster,
          lambda: dict(num_features=2, hidden_size=H, horizon=2, cell="gru", num_layers=1, dropout=0.0),
          {"num_features": "size", "hidden_size": "size", "horizon": "size", "cell": "choice", "num_layers": "size",
           "dropout": "probability"}, extra={"dropout": ONE}, unchanged=lambda a: torch.random.get_rng_state()),
    Entry(applied_models.Forecaster.forward,
          lambda: {"self": seeded(lambda: applied_models.Forecaster(2, H, 2)), "x": torch.zeros(T, N, 2)},
          {"x": "tensor"}),
    Entry(applied_models.CharClassifier,
          lambda: dict(vocab_size=V, num_classes=2, hidden_size=H, embedding_dim=3, cell="rnn", num_layers=1,
                       dropout=0.0),
          {"vocab_size": "size", "num_classes": "size", "hidden_size": "size", "embedding_dim": "size?",
           "cell": "choice", "num_layers": "size", "dropout": "probability"},
          extra={"dropout": ONE, "num_classes": [const("one", 1)]}, unchanged=lambda a: torch.random.get_rng_state()),
    Entry(applied_models.CharClassifier.forward,
          lambda: {"self": _char_classifier(), "ids": ids(), "lengths": torch.tensor([3, 1])},
          {"ids": "tensor_ids", "lengths": "tensor_ids?"},
          extra={"lengths": [const("list", [3, 1]), Bad("zero", lambda v: v * 0)]}),
    Entry(applied_models.CharTagger,
          lambda: dict(vocab_size=V, num_tags=3, hidden_size=H, embedding_dim=None, cell="lstm", bidirectional=True,
                       num_layers=1, dropout=0.0),
          {"vocab_size": "size", "num_tags": "size", "hidden_size": "size", "embedding_dim": "size?",
           "cell": "choice", "bidirectional": "flag", "num_layers": "size", "dropout": "probability"},
          extra={"dropout": ONE, "num_tags": [const("one", 1)]}, unchanged=lambda a: torch.random.get_rng_state()),
    Entry(applied_models.CharTagger.forward, lambda: {"self": _char_tagger(), "ids": ids()}, {"ids": "tensor_ids"}),
]
