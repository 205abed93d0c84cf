"""Checkers for the exercises of chapter 8, Bidirectional and deep RNNs; 1 is a build-it exercise
(`seqlearn.exercises.build`), the others ask for what the chapter does not print."""

import numpy as np
import torch

from seqlearn.exercises import WrongAnswer, passed, require
from seqlearn.exercises.build import Case, Mistake, call, check_function
from seqlearn.scratch import rnn_forward, stacked_forward

# Exercise 5: which of these tasks may read the future? Keys are the answers, values what the notebook prints.
TASKS = {
    "ner": "tag every word of a finished sentence as person, place or other (named-entity recognition)",
    "sentiment": "classify a whole product review as positive or negative",
    "transcribe": "transcribe a recorded speech file to text",
    "char_lm": "a character language model that writes text, one character after the other",
    "captions": "live captions, each word shown as soon as it is spoken",
    "forecast": "forecast tomorrow's temperature from the readings up to today",
}
FUTURE_AVAILABLE = {"ner", "sentiment", "transcribe"}  # the whole input exists before any output is needed
WHY = {
    "ner": "the sentence is finished before any word is tagged, and a word's tag often depends on what follows",
    "sentiment": "the whole review is there before the one label is due",
    "transcribe": "the recording is complete before the transcription starts",
    "char_lm": "a language model predicts x⟨t+1⟩, which its backward sweep would already have read: the leak "
               "of section 6, and at generation time that future does not exist yet",
    "captions": "a live caption must be shown before the rest of the utterance has been spoken",
    "forecast": "tomorrow's readings are the answer; at prediction time they do not exist yet",
}


def _rnn_params(D, H, rng):
    return {"W_xh": rng.normal(size=(H, D)) / np.sqrt(D), "W_hh": rng.normal(size=(H, H)) / np.sqrt(H),
            "b_h": rng.normal(size=H)}


# Exercise 1 (build-it): a bidirectional layer from two runs of rnn_forward.
def _bidirectional_case(T, N, D, H, nonlinearity):
    def make(rng):
        return {"x": rng.normal(size=(T, N, D)), "params_forward": _rnn_params(D, H, rng),
                "params_backward": _rnn_params(D, H, rng), "nonlinearity": nonlinearity}
    return Case(f"T={T}, N={N}, D={D}, H={H}, {nonlinearity}", make)


BIDIRECTIONAL_CASES = [_bidirectional_case(5, 3, 2, 4, "tanh"), _bidirectional_case(1, 2, 3, 3, "tanh"),
                       _bidirectional_case(4, 1, 3, 2, "relu"), _bidirectional_case(6, 2, 4, 5, "relu")]


def reference_bidirectional(x, params_forward, params_backward, nonlinearity):
    output, h_n, _ = stacked_forward(x, None, [[params_forward, params_backward]], cell="rnn",
                                     nonlinearity=nonlinearity)
    return output, h_n


def _bidirectional_mistake(*, reverse_input=True, reverse_states=True, h_n_at_T=False, backward_first=False):
    def layer(x, params_forward, params_backward, nonlinearity):
        forward, h_forward, _ = rnn_forward(x, None, params_forward, nonlinearity)
        backward, h_backward, _ = rnn_forward(x[::-1] if reverse_input else x, None, params_backward, nonlinearity)
        if reverse_states:
            backward = backward[::-1]
        halves = [backward, forward] if backward_first else [forward, backward]
        if h_n_at_T:
            h_backward = backward[-1]
        return np.concatenate(halves, axis=-1), np.stack([h_forward, h_backward])
    return layer


BIDIRECTIONAL_MISTAKES = [
    Mistake("h_n[1] is the backward sweep's first state, output[-1, :, H:], which has read x⟨T⟩ only: the "
            "backward sweep ends at t = 1", _bidirectional_mistake(h_n_at_T=True)),
    Mistake("the backward half is in the order the sweep computed it, x⟨T⟩ first: reverse its states back into "
            "time order, so that output[t] holds both directions' states at step t",
            _bidirectional_mistake(reverse_states=False)),
    Mistake("the backward sweep read x from x⟨1⟩: it must run on the reversed sequence, x⟨T⟩ first",
            _bidirectional_mistake(reverse_input=False)),
    Mistake("the halves are [backward, forward]: PyTorch puts the forward direction in the first H columns",
            _bidirectional_mistake(backward_first=True)),
]


def check_bidirectional_rnn(bidirectional_rnn):
    """Exercise 1 (build-it): `bidirectional_rnn(x, params_forward, params_backward, nonlinearity)`
    -> (output (T, N, 2H), h_n (2, N, H)), as torch.nn.RNN(D, H, bidirectional=True) from zero states."""
    check_function(bidirectional_rnn, reference_bidirectional, BIDIRECTIONAL_CASES, BIDIRECTIONAL_MISTAKES,
                   "bidirectional_rnn")
    passed("two runs of the same layer, one on x reversed and reversed back: output[t] = [a⟨t⟩→; a⟨t⟩←], and "
           "h_n = [output[-1, :, :H], output[0, :, H:]], PyTorch's layout.")


# Exercise 2: a decoder's initial state from a bidirectional encoder's h_n.
def _h_n_case(L, N, H):
    def make(rng):
        return {"h_n": rng.normal(size=(2 * L, N, H))}
    return Case(f"num_layers={L}, N={N}, H={H}", make)


DECODER_CASES = [_h_n_case(2, 3, 4), _h_n_case(1, 2, 3), _h_n_case(3, 4, 2), _h_n_case(2, 1, 5)]


def reference_decoder_h0(h_n):
    return np.concatenate([h_n[0::2], h_n[1::2]], axis=-1)  # rows 2k and 2k + 1 are layer k's two directions


DECODER_MISTAKES = [
    Mistake("a plain reshape to (num_layers, N, 2H) mixes the examples: in h_n the N axis sits between a layer's "
            "two directions, so take the directions apart first (it only looks right when N = 1)",
            lambda h_n: h_n.reshape(len(h_n) // 2, h_n.shape[1], 2 * h_n.shape[2])),
    Mistake("the first num_layers rows of h_n are not the forward states: h_n is layer-major, each layer's "
            "forward then backward", lambda h_n: np.concatenate([h_n[:len(h_n) // 2], h_n[len(h_n) // 2:]], axis=-1)),
    Mistake("each layer's pair is [backward, forward]: the decoder's width 2H follows output's layout, forward first",
            lambda h_n: np.concatenate([h_n[1::2], h_n[0::2]], axis=-1)),
]


def check_decoder_h0(decoder_h0):
    """Exercise 2: `decoder_h0(h_n)` -> (num_layers, N, 2H): from a bidirectional encoder's h_n
    (num_layers * 2, N, H), layer k's [forward; backward] final states, to start a unidirectional decoder."""
    check_function(decoder_h0, reference_decoder_h0, DECODER_CASES, DECODER_MISTAKES, "decoder_h0")
    passed("h_n.view(num_layers, 2, N, H), its two directions side by side: rows 2k and 2k + 1 of h_n, which "
           "h_n.reshape(num_layers, N, 2H) mixes up as soon as N > 1.")


# Exercise 3: the final states of a batch of sequences of different lengths.
def _packed_output(x, lengths, params):
    """output (T, N, 2H) of one bidirectional GRU layer run on each example's first lengths[n] steps only, as
    torch computes a packed batch: zeros at the padded steps. Also h_n (2, N, H), the package's final states."""
    T, N, _ = x.shape
    H = params[0][0]["W_hr"].shape[0]
    output, h_n = np.zeros((T, N, 2 * H)), np.zeros((2, N, H))
    for n, length in enumerate(lengths):
        out, state, _ = stacked_forward(x[:length, n:n + 1], None, params, cell="gru")
        output[:length, n], h_n[:, n] = out[:, 0], state[:, 0]
    return output, h_n


def _gru_layer(D, H, rng):
    def one():
        p = {f"W_x{g}": rng.normal(size=(H, D)) / np.sqrt(D) for g in "rzn"}
        p |= {f"W_h{g}": rng.normal(size=(H, H)) / np.sqrt(H) for g in "rzn"}
        return p | {name: rng.normal(size=H) for name in ("b_r", "b_z", "b_xn", "b_hn")}
    return [[one(), one()]]


def _lengths_case(T, N, H, label, draw_lengths):
    def make(rng):
        lengths = draw_lengths(rng)
        output, _ = _packed_output(rng.normal(size=(T, N, 3)), lengths, _gru_layer(3, H, rng))
        return {"output": output, "lengths": lengths}
    return Case(f"T={T}, N={N}, H={H}, {label}", make)


def _some_shorter(T, N):
    def draw(rng):
        lengths = rng.integers(1, T + 1, size=N)
        lengths[rng.integers(N)] = int(rng.integers(1, T))  # at least one shorter than T
        return lengths
    return draw


LENGTHS_CASES = [
    _lengths_case(6, 4, 3, "lengths from 1 to T", _some_shorter(6, 4)),
    _lengths_case(5, 1, 2, "one sequence shorter than T", _some_shorter(5, 1)),
    _lengths_case(4, 3, 4, "every length T", lambda rng: np.full(3, 4)),
    _lengths_case(1, 3, 2, "T = 1", lambda rng: np.ones(3, dtype=int)),
]


def reference_final_states(output, lengths):
    H = output.shape[-1] // 2
    return output[lengths - 1, np.arange(output.shape[1]), :H], output[0, :, H:]


def _final_states_mistake(forward_step="last", backward_step="first", swapped=False):
    """Reads the forward state at `forward_step` and the backward one at `backward_step`: "first" (index 0),
    "last" (each example's lengths[n] - 1) or "end" (index T - 1, padding for a shorter sequence)."""
    def final_states(output, lengths):
        H, batch = output.shape[-1] // 2, np.arange(output.shape[1])
        steps = {"first": np.zeros_like(lengths), "last": lengths - 1, "end": np.full_like(lengths, len(output) - 1)}
        forward = output[steps[forward_step], batch, :H]
        backward = output[steps[backward_step], batch, H:]
        return (backward, forward) if swapped else (forward, backward)
    return final_states


FINAL_STATES_MISTAKES = [
    Mistake("the forward state is read at output[-1], which is padding (zeros) for a sequence shorter than T: "
            "example n's forward sweep ends at its own last step, lengths[n] - 1",
            _final_states_mistake(forward_step="end")),
    Mistake("the backward state is read at the last step: example n's backward sweep starts at its last step, "
            "lengths[n] - 1, and ends at t = 1, whatever the length", _final_states_mistake(backward_step="last")),
    Mistake("both states are read at output[-1]: that is padding for a shorter sequence, and the backward half "
            "of the last step has read one input at most; each direction ends where its sweep ends",
            _final_states_mistake(forward_step="end", backward_step="end")),
    Mistake("the pair is (backward, forward): the forward direction comes first, as in output's columns",
            _final_states_mistake(swapped=True)),
]


def check_final_states(final_states):
    """Exercise 3: `final_states(output, lengths)` -> (forward, backward), each (N, H): the final states of a
    bidirectional layer run on a packed batch (output (T, N, 2H), zero at the padded steps; lengths (N,))."""
    check_function(final_states, reference_final_states, LENGTHS_CASES, FINAL_STATES_MISTAKES, "final_states")
    passed("forward at output[lengths - 1, n, :H], each example's own last step; backward at output[0, :, H:] for "
           "every length: what h_n holds for a packed batch, and what output[-1] does not.")


# Exercise 4: the parameter count of a stacked, bidirectional LSTM.
def _lstm_count(D, H, num_layers, bidirectional):
    # On the meta device: shapes only, so no weights are drawn from (and no global random state is used by) torch.
    module = torch.nn.LSTM(D, H, num_layers=num_layers, bidirectional=bidirectional, device="meta")
    return sum(p.numel() for p in module.parameters())


def check_parameter_count(count):
    """Exercise 4: `count(D, H, num_layers, bidirectional)` -> the number of parameters of
    torch.nn.LSTM(D, H, num_layers, bidirectional=bidirectional), biases included."""
    require(callable(count), f"expected a function, got {type(count).__name__}")
    rng = np.random.default_rng()
    fresh = (int(rng.integers(1, 50)), int(rng.integers(1, 80)), int(rng.integers(2, 5)), True)
    for D, H, num_layers, bidirectional in ((3, 5, 1, False), (3, 5, 1, True), (16, 32, 2, False),
                                            (16, 32, 2, True), (28, 64, 3, True), (1, 1, 4, True), fresh):
        args = {"D": D, "H": H, "num_layers": num_layers, "bidirectional": bidirectional}
        got, want = call(count, args, "count"), _lstm_count(D, H, num_layers, bidirectional)
        dirs = 2 if bidirectional else 1
        upper_reads_H = dirs * (4 * (H * D + H * H + 2 * H) + (num_layers - 1) * 4 * (H * H + H * H + 2 * H))
        if bidirectional and num_layers > 1 and got == upper_reads_H:
            require(False, f"count{(D, H, num_layers, bidirectional)} = {got}: a layer above the first reads both "
                           "directions of the layer below, so its input is 2H wide")
        require(got == want, f"count{(D, H, num_layers, bidirectional)} = {got} is not right; count each layer "
                             "and direction: 4 gates, each W_x (H, input width), W_h (H, H) and two biases")
    passed(f"a 3-layer bidirectional LSTM(28, 64) has {_lstm_count(28, 64, 3, True):,} parameters: "
           "depth and a second direction both multiply the cost.")


# Exercise 5: where a bidirectional model may be used.
def check_bidirectional_suitable(answer):
    """Exercise 5: the set of keys of TASKS for which a bidirectional RNN may be used. A wrong answer hears only
    how many tasks are on the wrong side, never which."""
    require(isinstance(answer, set | frozenset | list | tuple), f"expected a set of keys, got {type(answer).__name__}")
    answer = set(answer)
    unknown = sorted(answer - set(TASKS))
    require(not unknown, f"unknown keys {unknown}; choose among {sorted(TASKS)}")
    wrong = len(answer ^ FUTURE_AVAILABLE)
    if wrong:
        raise WrongAnswer(f"{wrong} of the {len(TASKS)} tasks {'is' if wrong == 1 else 'are'} on the wrong side. "
                          "Ask of each one: does the whole input exist before the first output is due? "
                          "(This checker does not say which.)")
    reasons = "".join(f"\n- {key}: {WHY[key]}" for key in TASKS)
    passed("a bidirectional RNN is right when the whole input exists before the output is due, and wrong whenever "
           f"the future is the answer or has not happened yet.{reasons}")
