"""The argument checks of `seqlearn.training.train_language_model`, kept apart so that the loop the chapters show
stays short. Every argument is checked, with what was expected and what arrived, before the model, the
optimiser or any random generator is touched.
"""

import math

from seqlearn.checks import check_choice, check_count, check_flag, check_int_array, check_number, check_positive_int
from seqlearn.models import check_device, check_module, vocab_size_of


def check_training_arguments(model, train_ids, val_ids, *, epochs, lr, batch_size, num_steps, clip, stateful,
                             patience, seed, device, progress, max_seconds, lr_decay, lr_schedule, weight_decay,
                             val_context):
    """Every argument of `train_language_model`, checked; returns train_ids, val_ids, val_context (int64 arrays,
    val_context None where it was None) and the torch.device."""
    check_module("model", model)
    check_positive_int("epochs", epochs)
    check_positive_int("batch_size", batch_size)
    check_positive_int("num_steps", num_steps)
    check_count("seed", seed)
    if patience is not None:
        check_count("patience", patience)
    check_flag("stateful", stateful)
    check_flag("progress", progress)
    check_number("lr", lr, "a positive finite number", lambda v: 0 < v < math.inf)
    check_number("clip", clip, "a positive max norm or None", lambda v: 0 < v < math.inf, allow_none=True)
    check_number("weight_decay", weight_decay, "at least 0", lambda v: 0 <= v < math.inf)
    check_number("lr_decay", lr_decay, "in (0, 1) or None", lambda v: 0 < v < 1, allow_none=True)
    check_number("max_seconds", max_seconds, "a positive number of seconds or None", lambda v: 0 < v < math.inf,
                 allow_none=True)
    check_choice("lr_schedule", lr_schedule, (None, "cosine"))
    if lr_decay is not None and lr_schedule is not None:
        raise ValueError("choose lr_decay or lr_schedule, not both")
    device = check_device(device)
    need = batch_size * num_steps + 1
    # The largest id the model reads, where its config says (an RNNLanguageModel); ids are never negative.
    V = vocab_size_of(model)
    largest = math.inf if V is None else V - 1
    checked = []
    for name, ids in (("train_ids", train_ids), ("val_ids", val_ids), ("val_context", val_context)):
        if name == "val_context" and ids is None:
            checked.append(None)
            continue
        ids = check_int_array(name, ids, ndim=1)
        if name != "val_context" and len(ids) < need:
            raise ValueError(f"{name} must hold at least batch_size * num_steps + 1 = {need} tokens for one batch, "
                             f"got {len(ids)}")
        if len(ids) and (ids.min() < 0 or ids.max() > largest):
            raise ValueError(f"{name} must hold ids from 0 to {largest}, got values from {ids.min()} to {ids.max()}")
        checked.append(ids)
    return *checked, device
