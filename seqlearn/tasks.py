"""A long-range synthetic task: recall a symbol seen `delay` steps ago (chapters 6 and 7).

Each sequence shows one of `num_symbols` symbols once, `delay` steps before its end, and distractor tokens
drawn at random everywhere else; the model must name the symbol from its last hidden state (many-to-one
classification, scored by accuracy). With the default length T = delay + 1 the symbol comes first:

    step:    0     1     2    ...  delay
    ids:     s     d     d    ...  d          target: s

A longer `length` T puts T - 1 - delay distractors before the symbol as well, so the delay (how far back
the model must look) and the length (how many steps it runs) can be varied separately:

    step:    0    ...  T-2-delay  T-1-delay  T-delay  ...  T-1
    ids:     d    ...  d          s          d        ...  d      target: s

Ids 0..num_symbols-1 are the symbols and num_symbols..num_symbols+num_distractors-1 the distractors, so the
vocabulary (the one-hot width D) is num_symbols + num_distractors and a distractor never looks like a symbol.
Guessing scores 1/num_symbols. The only way to do better is to carry the symbol through `delay` steps of
distractors, so the error signal must travel `delay` steps back in time: the vanishing gradient of chapter 6
makes a vanilla RNN fail once the delay grows, while an LSTM or GRU (chapter 7) still learns it.
"""

import numpy as np

from seqlearn.checks import check_positive_int, check_rng


def recall_task(n, delay, rng, num_symbols=8, num_distractors=8, length=None):
    """`n` sequences of length T -> ids (T, n) int64, time-major, and targets (n,) int64.

    T = `length`, or delay + 1 when None; it must be at least delay + 1. targets == ids[T - 1 - delay]: the
    symbol, in [0, num_symbols); every other step is a distractor, in [num_symbols, num_symbols +
    num_distractors). `one_hot(ids, num_symbols + num_distractors)` gives the (T, N, D) input. The same `rng`
    state gives the same batch, and length=delay + 1 gives the same batch as length=None.
    """
    check_positive_int("n", n)
    check_positive_int("delay", delay)
    check_rng(rng)
    check_positive_int("num_symbols", num_symbols, minimum=2)  # one symbol would need no memory
    check_positive_int("num_distractors", num_distractors)
    if length is None:
        length = delay + 1
    check_positive_int("length", length)
    if length < delay + 1:
        raise ValueError(f"length must be at least delay + 1 = {delay + 1} (the symbol, then {delay} steps "
                         f"after it), got length={length}")
    targets = rng.integers(0, num_symbols, n)
    distractors = rng.integers(num_symbols, num_symbols + num_distractors, (length - 1, n))
    at = length - 1 - delay  # the symbol's step
    ids = np.concatenate([distractors[:at], targets[None, :], distractors[at:]])
    return ids, targets
