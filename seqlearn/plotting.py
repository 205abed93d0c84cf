"""Plots the chapters share: perplexity per epoch (chapters 5-8), a confusion matrix and characters coloured by
their tag (chapter 9)."""

import matplotlib.pyplot as plt
import numpy as np


def plot_perplexity(history, ax=None, title=None):
    """Training and held-out perplexity per epoch from a `seqlearn.training.History`; returns the Figure."""
    if not history.train_perplexity:
        raise ValueError("the history is empty: train for at least one epoch first")
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
    confusion = np.asarray(confusion)
    square = confusion.ndim == 2 and confusion.shape[0] == confusion.shape[1]
    if not square or not np.issubdtype(confusion.dtype, np.integer):
        raise ValueError(f"confusion must be a square (C, C) array of integer counts, got {confusion.dtype} "
                         f"{confusion.shape}")
    if len(labels) != len(confusion):
        raise ValueError(f"labels must name the C = {len(confusion)} classes, got {len(labels)} labels")
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
    if "\n" in text:
        raise ValueError("text must be one line (no '\\n'): draw a line at a time")
    colours = plt.get_cmap("tab10").colors
    if len(tag_names) > len(colours):
        raise ValueError(f"at most {len(colours)} tags can have a colour each, got {len(tag_names)}")
    for name, tags in rows.items():
        tags = np.asarray(tags)
        if tags.shape != (len(text),) or ((tags < 0) | (tags >= len(tag_names))).any():
            raise ValueError(f"rows[{name!r}] must hold one tag id in [0, {len(tag_names) - 1}] per character "
                             f"({len(text)}), got shape {tags.shape}")
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
