# conftest.py selects the Agg backend: these draw without a screen.
import matplotlib.pyplot as plt

from seqlearn.diagrams import draw_architecture


def test_the_decoder_reads_bos_then_the_previous_targets():
    fig = draw_architecture("many-to-many-unequal", T_x=3, T_y=4)
    labels = [t.get_text() for t in fig.axes[0].texts]
    decoder_inputs = [s for s in labels if s == "<bos>" or s.startswith("y⟨")]
    assert decoder_inputs == ["<bos>", "y⟨1⟩", "y⟨2⟩", "y⟨3⟩"]  # one per decoder step, y⟨T_y⟩ never read
    assert [s for s in labels if s.startswith("ŷ⟨")] == ["ŷ⟨1⟩", "ŷ⟨2⟩", "ŷ⟨3⟩", "ŷ⟨4⟩"]
    assert "encoder" in labels and "decoder" in labels
    plt.close(fig)
