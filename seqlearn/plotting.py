"""Plots the chapters share."""

import matplotlib.pyplot as plt


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
