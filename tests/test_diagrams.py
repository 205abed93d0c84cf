import matplotlib.pyplot as plt
import pytest

from seqlearn.diagrams import ARCHITECTURES, draw_architecture, draw_unrolled


@pytest.mark.parametrize("kind", ARCHITECTURES)
def test_every_architecture_draws_its_boxes(kind):
    fig = draw_architecture(kind, T_x=3, T_y=2)
    labels = [t.get_text() for t in fig.axes[0].texts]
    inputs = sum(s.startswith("x⟨") for s in labels)
    outputs = sum(s.startswith("ŷ⟨") for s in labels)
    expected = {"one-to-one": (1, 1), "one-to-many": (1, 2), "many-to-one": (3, 1),
                "many-to-many-equal": (3, 3), "many-to-many-unequal": (3, 2)}[kind]
    assert (inputs, outputs) == expected
    plt.close(fig)


def test_unrolled_labels_the_shared_weights_at_every_step():
    fig = draw_unrolled(4)
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels.count("W_hh") == labels.count("W_xh") == labels.count("W_hy") == 4
    plt.close(fig)


def test_unknown_kind_names_the_valid_ones():
    with pytest.raises(ValueError, match="kind must be one of 'one-to-one', 'one-to-many'"):
        draw_architecture("two-to-two")
