"""Checkers for the exercises of chapter 8, Bidirectional and deep RNNs."""

import numpy as np
import torch

from seqlearn.exercises import passed, require
from seqlearn.scratch import init_stacked_params, stacked_forward

# Exercise 4: which of these tasks may read the future? Keys are the answers, values what the notebook prints.
TASKS = {
    "ner": "tag every word of a finished sentence as person, place or other (named-entity recognition)",
    "sentiment": "classify a whole product review as positive or negative",
    "transcribe": "transcribe a recorded speech file to text",
    "char_lm": "a character language model that writes text, one character after the other",
    "captions": "live captions, each word shown as soon as it is spoken",
    "forecast": "forecast tomorrow's temperature from the readings up to today",
}
FUTURE_AVAILABLE = {"ner", "sentiment", "transcribe"}  # the whole input exists before any output is needed
WHY_NOT = {
    "char_lm": "a language model predicts x⟨t+1⟩, which its backward sweep would already have read: the leak "
               "of section 6, and at generation time that future does not exist yet",
    "captions": "a live caption must be shown before the rest of the utterance has been spoken",
    "forecast": "tomorrow's readings are the answer; at prediction time they do not exist yet",
}


def check_h_n_index(index):
    """Exercise 1: `index(layer, direction, num_layers, num_directions)` -> the row of PyTorch's h_n that holds
    the final state of that layer (0 at the bottom) and direction (0 forward, 1 backward)."""
    require(callable(index), f"expected a function, got {type(index).__name__}")
    for num_layers, num_directions in ((1, 1), (3, 1), (1, 2), (2, 2), (3, 2)):
        for layer in range(num_layers):
            for direction in range(num_directions):
                got, want = index(layer, direction, num_layers, num_directions), layer * num_directions + direction
                if got == direction * num_layers + layer and got != want:
                    require(False, f"index({layer}, {direction}, {num_layers}, {num_directions}) = {got} puts all "
                                   "the forward states first; PyTorch stores layer by layer, and within a layer "
                                   "forward then backward")
                require(got == want, f"index({layer}, {direction}, {num_layers}, {num_directions}) = {got} is not "
                                     f"right; h_n has num_layers * num_directions = {num_layers * num_directions} "
                                     "rows, layer-major")
    passed("layer * num_directions + direction: h_n.view(num_layers, num_directions, N, H)[layer, direction].")


def check_final_states(final_states):
    """Exercise 2: `final_states(output, H)` -> (forward, backward), each (N, H): the final states of a
    bidirectional layer's two directions, read from its output (T, N, 2H)."""
    require(callable(final_states), f"expected a function, got {type(final_states).__name__}")
    rng = np.random.default_rng(0)  # a 2-layer bidirectional GRU, laid out as torch's (checked in chapter 8)
    output, h_n, _ = stacked_forward(rng.normal(size=(6, 2, 3)), None, init_stacked_params("gru", 3, 4, 2, True, rng),
                                     cell="gru")
    got = final_states(output.copy(), 4)
    require(isinstance(got, tuple | list) and len(got) == 2, "expected a pair (forward, backward)")
    forward, backward = (np.asarray(a, dtype=float) for a in got)
    require(forward.shape == backward.shape == (2, 4),
            f"expected two arrays of shape (N, H) = (2, 4), got {forward.shape} and {backward.shape}")
    require(np.allclose(forward, h_n[-2]), "the forward state is not right: the forward sweep ends at t = T, in "
                                           "the first H columns")
    if np.allclose(backward, output[-1, :, 4:]):
        require(False, "output[-1] holds the backward sweep's state after one step (it has read x⟨T⟩ only); "
                       "the backward sweep ends at t = 1")
    require(np.allclose(backward, h_n[-1]), "the backward state is not right: it is in the last H columns")
    passed("output[-1, :, :H] and output[0, :, H:], which are h_n[-2] and h_n[-1] for the last layer.")


def _lstm_count(D, H, num_layers, bidirectional):
    # On the meta device: shapes only, so no weights are drawn from (and no global random state is used by) torch.
    module = torch.nn.LSTM(D, H, num_layers=num_layers, bidirectional=bidirectional, device="meta")
    return sum(p.numel() for p in module.parameters())


def check_parameter_count(count):
    """Exercise 3: `count(D, H, num_layers, bidirectional)` -> the number of parameters of
    torch.nn.LSTM(D, H, num_layers, bidirectional=bidirectional), biases included."""
    require(callable(count), f"expected a function, got {type(count).__name__}")
    for D, H, num_layers, bidirectional in ((3, 5, 1, False), (3, 5, 1, True), (16, 32, 2, False),
                                            (16, 32, 2, True), (28, 64, 3, True), (1, 1, 4, True)):
        got, want = count(D, H, num_layers, bidirectional), _lstm_count(D, H, num_layers, bidirectional)
        dirs = 2 if bidirectional else 1
        upper_reads_H = dirs * (4 * (H * D + H * H + 2 * H) + (num_layers - 1) * 4 * (H * H + H * H + 2 * H))
        if bidirectional and num_layers > 1 and got == upper_reads_H:
            require(False, f"count{(D, H, num_layers, bidirectional)} = {got}: a layer above the first reads both "
                           "directions of the layer below, so its input is 2H wide")
        require(got == want, f"count{(D, H, num_layers, bidirectional)} = {got} is not right; count each layer "
                             "and direction: 4 gates, each W_x (H, input width), W_h (H, H) and two biases")
    passed(f"a 3-layer bidirectional LSTM(28, 64) has {_lstm_count(28, 64, 3, True):,} parameters: "
           "depth and a second direction both multiply the cost.")


def check_bidirectional_suitable(answer):
    """Exercise 4: the set of keys of TASKS for which a bidirectional RNN may be used."""
    require(isinstance(answer, set | frozenset | list | tuple), f"expected a set of keys, got {type(answer).__name__}")
    answer = set(answer)
    unknown = sorted(answer - set(TASKS))
    require(not unknown, f"unknown keys {unknown}; choose among {sorted(TASKS)}")
    for key in sorted(answer - FUTURE_AVAILABLE):
        require(False, f"not {key!r}: {WHY_NOT[key]}")
    missing = sorted(FUTURE_AVAILABLE - answer)
    require(not missing, f"{len(missing)} more task(s) have the whole input before any output is needed; "
                         "those may read it in both directions")
    passed("a bidirectional RNN is right when the whole input exists before the output is due, "
           "and wrong whenever the future is the answer or has not happened yet.")
