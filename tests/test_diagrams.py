# conftest.py selects the Agg backend: these draw without a screen.
import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Annotation

from seqlearn.diagrams import ARCHITECTURES, draw_architecture, draw_bidirectional, draw_unrolled

# (inputs, hidden states, outputs) drawn for T_x = 3, T_y = 2
EXPECTED = {"one-to-one": (1, 1, 1), "one-to-many": (1, 2, 2), "many-to-one": (3, 3, 1),
            "many-to-many-equal": (3, 3, 3), "many-to-many-unequal": (3, 5, 2)}


@pytest.mark.parametrize("kind", ARCHITECTURES)
def test_every_architecture_draws_its_boxes(kind):
    fig = draw_architecture(kind, T_x=3, T_y=2)
    assert isinstance(fig, plt.Figure)
    labels = [t.get_text() for t in fig.axes[0].texts]
    counts = tuple(sum(s.startswith(p) for s in labels) for p in ("x⟨", "h", "ŷ⟨"))
    assert counts == EXPECTED[kind]
    plt.close(fig)


def test_draws_into_a_given_axes():
    fig, (ax1, ax2) = plt.subplots(1, 2)
    assert draw_architecture("many-to-one", ax=ax2) is fig
    assert not ax1.texts and ax2.texts
    plt.close(fig)


def test_unrolled_labels_the_shared_weights_at_every_step():
    fig = draw_unrolled(4)
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels.count("W_hh") == labels.count("W_xh") == labels.count("W_hy") == 4
    assert "h⟨0⟩" in labels and "h⟨4⟩" in labels
    plt.close(fig)


def test_unknown_kind_names_the_valid_ones():
    with pytest.raises(ValueError, match="kind must be one of 'one-to-one', 'one-to-many'"):
        draw_architecture("two-to-two")


@pytest.mark.parametrize("bad", [0, 2.5])
def test_lengths_must_be_positive_ints(bad):
    with pytest.raises((TypeError, ValueError), match="T_x must"):
        draw_architecture("many-to-one", T_x=bad)
    with pytest.raises((TypeError, ValueError), match="T must"):
        draw_unrolled(bad)


def test_bidirectional_sweeps_run_in_opposite_directions():
    fig = draw_bidirectional(4)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts]
    for prefix, suffix in (("x⟨", "⟩"), ("a⟨", "⟩→"), ("a⟨", "⟩←"), ("ŷ⟨", "⟩")):
        assert [s for s in labels if s.startswith(prefix) and s.endswith(suffix)] == \
            [f"{prefix}{t}{suffix}" for t in range(1, 5)]
    arrows = [(a.xyann, a.xy) for a in ax.texts if isinstance(a, Annotation)]  # (start, end) in data units
    forward = [(s, e) for s, e in arrows if s[1] == e[1] == 1]
    backward = [(s, e) for s, e in arrows if s[1] == e[1] == 2]
    assert len(forward) == len(backward) == 3  # T - 1 steps each way
    assert all(e[0] > s[0] for s, e in forward)  # left to right: a⟨t-1⟩→ feeds a⟨t⟩→
    assert all(e[0] < s[0] for s, e in backward)  # right to left: a⟨t+1⟩← feeds a⟨t⟩←
    outputs = [s for s, e in arrows if e[1] == 3]
    assert sorted(y for _, y in outputs) == [1] * 4 + [2] * 4  # every ŷ⟨t⟩ reads both directions
    plt.close(fig)


def test_bidirectional_draws_into_a_given_axes_and_checks_T():
    fig, (ax1, ax2) = plt.subplots(1, 2)
    assert draw_bidirectional(3, ax=ax2) is fig
    assert not ax1.texts and ax2.texts
    plt.close(fig)
    with pytest.raises((TypeError, ValueError), match="T must"):
        draw_bidirectional(0)
