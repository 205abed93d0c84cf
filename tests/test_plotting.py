import matplotlib.pyplot as plt
import pytest

from seqlearn.plotting import plot_perplexity
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
