"""Plots the chapters share: perplexity per epoch (chapters 5-8), a confusion matrix and characters coloured by
their tag (chapter 9)."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from seqlearn.checks import check_int_array, check_text


def check_axes(ax):
    """None (draw on a new figure) or a matplotlib Axes to draw into, such as one of plt.subplots()'s."""
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes (from plt.subplots()) or None, got {type(ax).__name__}")
    return ax


def _check_title(title):
    return title if title is None else check_text("title", title)


def _check_names(name, names):
    """A list or tuple of str: class or tag names (a single str would be read as one name per letter)."""
    if not isinstance(names, list | tuple) or not all(isinstance(n, str) for n in names):
        raise TypeError(f"{name} must be a list of str, got {names!r:.80}")
    return names


def _check_history(history):
    """A seqlearn.training.History: one held-out perplexity per epoch, best_epoch -1 or one of the epochs."""
    train, val = getattr(history, "train_perplexity", None), getattr(history, "val_perplexity", None)
    if not isinstance(train, list) or not isinstance(val, list):  # duck-typed: importing training needs torch
        raise TypeError(f"history must be a seqlearn.training.History, got {type(history).__name__}")
    if not train:
        raise ValueError("the history is empty: train for at least one epoch first")
    if len(val) != len(train):
        raise ValueError(f"history must hold one held-out perplexity per epoch: {len(train)} epochs, got {len(val)}")
    best = getattr(history, "best_epoch", None)
    if isinstance(best, bool) or not isinstance(best, int) or not -1 <= best < len(train):
        raise ValueError(f"history.best_epoch must be -1 or an epoch in [0, {len(train) - 1}], got {best!r}")


def plot_perplexity(history, ax=None, title=None):
    """Training and held-out perplexity per epoch from a `seqlearn.training.History`; returns the Figure."""
    _check_history(history)
    check_axes(ax)
    _check_title(title)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    epochs = range(1, len(history.train_perplexity) + 1)
    ax.plot(epochs, history.train_perplexity, "o-", label="training")
    ax.plot(epochs, history.val_perplexity, "s-", label="held-out")
    if history.best_epoch >= 0:  # -1: no epoch had a finite held-out perplexity, so there is no best
        ax.axvline(history.best_epoch + 1, color="0.6", ls=":", label="best held-out epoch")
    ax.set_xlabel("epoch")
    ax.set_ylabel("perplexity")
    ax.set_title(title or "perplexity per epoch")
    ax.legend()
    return ax.figure


def plot_confusion(confusion, labels, ax=None, title=None):
    """A confusion matrix (C, C) of counts, rows the true class and columns the predicted one (as
    `seqlearn.metrics.confusion_matrix` gives it), drawn as a grid with each count written in its cell and each
    row shaded by its share of that class. labels: the C class names. Returns the Figure."""
    confusion = check_int_array("confusion", confusion)
    if confusion.ndim != 2 or confusion.shape[0] != confusion.shape[1] or confusion.size == 0:
        raise ValueError(f"confusion must be a square (C, C) array of integer counts, got shape {confusion.shape}")
    if (confusion < 0).any():
        raise ValueError(f"confusion must hold counts >= 0, got {confusion.min()}")
    if len(_check_names("labels", labels)) != len(confusion):
        raise ValueError(f"labels must name the C = {len(confusion)} classes, got {len(labels)} labels")
    check_axes(ax)
    _check_title(title)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.0 + 0.6 * len(labels), 0.8 + 0.6 * len(labels)))
    share = confusion / np.maximum(confusion.sum(axis=1, keepdims=True), 1)  # each row: where that class went
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for (i, j), n in np.ndenumerate(confusion):
        ax.text(j, i, str(n), ha="center", va="center", color="white" if share[i, j] > 0.5 else "black")
    ax.set_xticks(range(len(labels)), labels, rotation=45 if len(labels) > 3 else 0)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title or "confusion matrix")
    return ax.figure


def plot_tagged_text(text, rows, tag_names, ax=None):
    """Characters coloured by their tag, one line of text per row: rows is a dict {row name: (L,) tag ids} for
    the L characters of `text` (one line, no '\\n'), e.g. {"gold": ..., "model": ...}. Returns the Figure."""
    if "\n" in check_text("text", text) or not text:
        raise ValueError(f"text must be one line (no '\\n'), not empty: draw a line at a time, got {text!r:.80}")
    colours = plt.get_cmap("tab10").colors
    if not 1 <= len(_check_names("tag_names", tag_names)) <= len(colours):
        raise ValueError(f"tag_names must name 1 to {len(colours)} tags, at most {len(colours)} tags can have a "
                         f"colour each; got {len(tag_names)}")
    if not isinstance(rows, dict) or not rows:
        raise TypeError(f"rows must be a non-empty dict {{row name: (L,) tag ids}}, got {rows!r:.80}")
    for name, tags in rows.items():
        tags = check_int_array(f"rows[{name!r}]", tags)
        if tags.shape != (len(text),) or ((tags < 0) | (tags >= len(tag_names))).any():
            raise ValueError(f"rows[{name!r}] must hold one tag id in [0, {len(tag_names) - 1}] per character "
                             f"({len(text)}), got shape {tags.shape}")
    check_axes(ax)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.13 * len(text) + 1.2, 0.45 * len(rows) + 0.7))
    for r, tags in enumerate(rows.values()):
        for x, (char, tag) in enumerate(zip(text, np.asarray(tags).tolist(), strict=True)):
            ax.add_patch(plt.Rectangle((x, -r - 0.45), 1, 0.9, color=colours[tag], alpha=0.45, lw=0))
            ax.text(x + 0.5, -r, char, ha="center", va="center", family="monospace", fontsize=9)
    ax.set_xlim(0, len(text))
    ax.set_ylim(-len(rows) + 0.4, 0.6)
    ax.set_yticks([-r for r in range(len(rows))], list(rows))
    ax.set_xticks([])
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.legend(handles=[plt.Rectangle((0, 0), 1, 1, color=c, alpha=0.45) for c in colours[:len(tag_names)]],
              labels=list(tag_names), ncol=len(tag_names), loc="lower center", bbox_to_anchor=(0.5, 1.0),
              frameon=False, fontsize=8)
    return ax.figure
