"""Saving a trained `RNNLanguageModel` to a file and rebuilding it from there.

A checkpoint is a plain dict {"format", "config", "state_dict"}: the constructor's arguments
(`model.config`) and every weight as a CPU tensor under its PyTorch name (for example `head.weight`,
(V, H)). Plain tensors and numbers only, so it loads with `torch.load(weights_only=True)`, which runs no
code from the file. A damaged or foreign file is refused with `CheckpointError`, never half-loaded.
Loading leaves torch's global random state as it was, although building the model draws initial weights.
Only an `RNNLanguageModel` is saved: it is the one model `load_checkpoint` can rebuild, so any other model is
refused before a file is written.
"""

import os
import tempfile

import torch

from seqlearn.checks import check_path
from seqlearn.models import RNNLanguageModel, check_device

CHECKPOINT_FORMAT = "seqlearn-language-model-v1"


class CheckpointError(ValueError):
    """A checkpoint file is corrupt, or is not a seqlearn language-model checkpoint."""


def save_checkpoint(model, path):
    """Save the model's config and weights (plain tensors and numbers only, so weights_only loading works).

    The file is written beside `path` under a temporary name and then renamed, so a failure part-way never leaves
    a half-written checkpoint, nor destroys an older one at `path`; it is a CheckpointError naming the path."""
    if not isinstance(model, RNNLanguageModel):
        raise TypeError(f"model must be an RNNLanguageModel (the model load_checkpoint rebuilds), got "
                        f"{type(model).__name__}")
    if os.path.isdir(check_path("path", path)):
        raise ValueError(f"path must name a file to write, got the directory {os.fspath(path)!r}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"path must be in an existing folder, got {os.fspath(path)!r} ({folder} does not exist)")
    saved = {"format": CHECKPOINT_FORMAT, "config": model.config,
             "state_dict": {k: v.cpu() for k, v in model.state_dict().items()}}
    handle, partial = tempfile.mkstemp(dir=folder, prefix=os.path.basename(path) + ".", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as f:
            torch.save(saved, f)
        os.replace(partial, path)  # atomic: an older checkpoint at path stays whole until the new one is
    except (OSError, RuntimeError) as e:
        raise CheckpointError(f"could not write the checkpoint {os.fspath(path)!r}: {e}") from e
    finally:
        if os.path.lexists(partial):  # still there only if something failed
            os.remove(partial)


def load_checkpoint(path, device="cpu"):
    """Rebuild the model saved by `save_checkpoint`. Refuses corrupt and foreign files with a clear error."""
    check_path("path", path, must_exist="file")
    device = check_device(device)
    try:
        saved = torch.load(path, map_location=device, weights_only=True)
    except Exception as e:  # torch raises several types for a damaged or unsafe file
        raise CheckpointError(f"{path} is not a readable checkpoint ({type(e).__name__}: {e})") from e
    if not isinstance(saved, dict) or saved.get("format") != CHECKPOINT_FORMAT:
        found = saved.get("format", "no 'format' key") if isinstance(saved, dict) else type(saved).__name__
        raise CheckpointError(f"{path} is not a seqlearn language-model checkpoint: expected format "
                              f"{CHECKPOINT_FORMAT!r}, found {found!r}")
    config, weights = saved.get("config"), saved.get("state_dict")
    if not isinstance(config, dict) or not isinstance(weights, dict):
        raise CheckpointError(f"{path} is a damaged checkpoint: its 'config' and 'state_dict' must be dicts, got "
                              f"{type(config).__name__} and {type(weights).__name__}")
    # Building the model draws initial weights from torch's generator; they are overwritten just below, so
    # draw them from a fork and leave the caller's generator as it was.
    with torch.random.fork_rng(devices=[]):
        try:
            model = RNNLanguageModel(**config)
        except (TypeError, ValueError) as e:
            raise CheckpointError(f"{path} is a damaged checkpoint: its config {config} does not build a model "
                                  f"({e})") from e
    try:
        model.load_state_dict(weights)
    except (RuntimeError, TypeError, AttributeError) as e:
        raise CheckpointError(f"{path} is a damaged checkpoint: its weights do not fit its config ({e})") from e
    return model.to(device)
