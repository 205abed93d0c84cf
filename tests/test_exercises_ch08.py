import pytest
import torch

from seqlearn.exercises import WrongAnswer, ch08


def test_h_n_index():
    ch08.check_h_n_index(lambda layer, direction, num_layers, num_directions: layer * num_directions + direction)
    with pytest.raises(WrongAnswer, match="forward states first"):
        ch08.check_h_n_index(lambda layer, direction, num_layers, num_directions: direction * num_layers + layer)
    with pytest.raises(WrongAnswer, match="is not right"):
        ch08.check_h_n_index(lambda layer, direction, num_layers, num_directions: layer * num_directions)


def test_final_states():
    ch08.check_final_states(lambda output, H: (output[-1, :, :H], output[0, :, H:]))
    with pytest.raises(WrongAnswer, match="ends at t = 1"):
        ch08.check_final_states(lambda output, H: (output[-1, :, :H], output[-1, :, H:]))
    with pytest.raises(WrongAnswer, match="forward state is not right"):
        ch08.check_final_states(lambda output, H: (output[0, :, :H], output[0, :, H:]))
    with pytest.raises(WrongAnswer, match="pair"):
        ch08.check_final_states(lambda output, H: output[-1])


def reference_count(D, H, num_layers, bidirectional):
    dirs = 2 if bidirectional else 1
    total, width = 0, D
    for _ in range(num_layers):
        total += dirs * 4 * (H * width + H * H + 2 * H)
        width = dirs * H  # the next layer reads both directions
    return total


def test_parameter_count():
    ch08.check_parameter_count(reference_count)

    def upper_reads_H(D, H, num_layers, bidirectional):
        dirs = 2 if bidirectional else 1
        return dirs * sum(4 * (H * (D if k == 0 else H) + H * H + 2 * H) for k in range(num_layers))

    with pytest.raises(WrongAnswer, match="2H wide"):
        ch08.check_parameter_count(upper_reads_H)
    with pytest.raises(WrongAnswer, match="is not right"):  # one bias per gate
        ch08.check_parameter_count(lambda D, H, L, b: reference_count(D, H, L, b) - (2 if b else 1) * 4 * H * L)


def test_bidirectional_suitable():
    ch08.check_bidirectional_suitable({"ner", "sentiment", "transcribe"})
    with pytest.raises(WrongAnswer, match="generation time"):
        ch08.check_bidirectional_suitable({"ner", "sentiment", "transcribe", "char_lm"})
    with pytest.raises(WrongAnswer, match="more task"):
        ch08.check_bidirectional_suitable({"ner"})
    with pytest.raises(WrongAnswer, match="unknown keys"):
        ch08.check_bidirectional_suitable({"ner", "pos"})


def test_checkers_leave_global_random_state_alone():
    before = torch.random.get_rng_state()
    ch08.check_final_states(lambda output, H: (output[-1, :, :H], output[0, :, H:]))
    ch08.check_parameter_count(reference_count)
    assert torch.equal(torch.random.get_rng_state(), before)
