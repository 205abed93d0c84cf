import matplotlib.pyplot as plt
import numpy as np
import pytest

from seqlearn.plotting import plot_confusion, plot_perplexity, plot_tagged_text
from seqlearn.training import History


def test_plots_both_curves_and_marks_the_best_epoch():
    fig = plot_perplexity(History([5.0, 4.0, 3.5], [5.5, 4.5, 4.6], best_epoch=1))
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == ["training", "held-out", "best held-out epoch"]
    assert list(ax.lines[1].get_ydata()) == [5.5, 4.5, 4.6]
    plt.close(fig)


def test_no_best_epoch_draws_no_marker():
    fig = plot_perplexity(History([5.0, 4.0], [float("inf"), float("inf")], best_epoch=-1))
    assert [line.get_label() for line in fig.axes[0].lines] == ["training", "held-out"]
    plt.close(fig)


def test_empty_history_is_refused():
    with pytest.raises(ValueError, match="the history is empty"):
        plot_perplexity(History())


def test_confusion_writes_every_count_in_its_cell():
    C = np.array([[5, 1], [2, 7]])
    fig = plot_confusion(C, ["wells", "shakespeare"])
    ax = fig.axes[0]
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}
    assert texts == {(0, 0): "5", (0, 1): "1", (1, 0): "2", (1, 1): "7"}  # (row = true, column = predicted)
    shades = ax.images[0].get_array()
    assert shades[1, 1] == pytest.approx(7 / 9) and shades[0, 1] == pytest.approx(1 / 6)
    plt.close(fig)


def test_tagged_text_colours_each_character_by_its_tag():
    fig = plot_tagged_text("if x", {"gold": [2, 2, 0, 1], "model": [1, 1, 0, 1]}, ["SPACE", "NAME", "KEYWORD"])
    ax = fig.axes[0]
    colours = plt.get_cmap("tab10").colors
    assert [p.get_facecolor()[:3] for p in ax.patches[:4]] == [colours[2], colours[2], colours[0], colours[1]]
    assert [t.get_text() for t in ax.texts[:4]] == ["i", "f", " ", "x"]
    plt.close(fig)


@pytest.mark.parametrize("call, message", [
    (lambda: plot_confusion(np.ones((2, 3), dtype=int), ["a", "b"]), r"square \(C, C\) array of integer counts"),
    (lambda: plot_confusion(np.ones((2, 2)), ["a", "b"]), "confusion must hold integers, got dtype float64"),
    (lambda: plot_confusion(np.ones((2, 2), dtype=int), ["a"]), "name the C = 2 classes, got 1"),
    (lambda: plot_tagged_text("ab\nc", {"g": [0, 0, 0, 0]}, ["A"]), "must be one line"),
    (lambda: plot_tagged_text("ab", {"g": [0]}, ["A"]), r"rows\['g'\] must hold one tag id in \[0, 0\] per character"),
    (lambda: plot_tagged_text("ab", {"g": [0, 3]}, ["A", "B"]), r"rows\['g'\] must hold one tag id"),
    (lambda: plot_tagged_text("a", {"g": [0]}, [str(i) for i in range(11)]), "at most 10 tags"),
])
def test_bad_plot_input_is_refused(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()
    plt.close("all")
