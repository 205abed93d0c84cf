"""The held-out splits that every language-modelling figure in the course uses.

Three parts, each with its one job (the protocol of chapter 5):
- **train**: the model (and the vocabulary) is fitted on it;
- **validation**: every choice is made on it (n-gram order, epochs, recipe, which model);
- **test**: one final score, after every choice is made; nothing is tuned on it.

`time_machine_char_split`: The Time Machine, preprocessed as d2l does (`letters_only`: letters and single
spaces, lowercased), tokenised by character, cut at fixed positions into three contiguous parts: the first 80%
to train on, then the test part (10%), then the validation part, the book's last 10%. Why test before
validation: earlier versions of this course tuned chapter 5's recipe on the book's last 10%, so that stretch has
influenced choices; it serves as validation, and the stretch before it, which no choice has ever seen, is the
test. The vocabulary is built on the training part alone.

`names_split`: the names list, de-duplicated first (the file repeats names, and a repeated name would sit on both
sides of the split, so held-out figures would include memorised names), then shuffled with a seed and cut 80/10/10.
"""

from typing import NamedTuple

import numpy as np

from seqlearn.checks import check_choice, check_count, check_number, check_positive_int
from seqlearn.data import load_names, load_time_machine
from seqlearn.text import letters_only, tokenise_chars
from seqlearn.vocab import UNK, Vocab


class LanguageModelSplit(NamedTuple):
    """vocab (built on train), and train, val, test: 1-D int64 id arrays, each a contiguous stretch of one text
    (for The Time Machine, in the book's order train, test, val)."""

    vocab: Vocab
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray


def check_fractions(val_fraction, test_fraction):
    """Both fractions in (0, 1), with something left to train on; else a ValueError (TypeError) saying which."""
    for name, f in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        check_number(name, f, "a number in (0, 1)", lambda v: 0 < v < 1)
    if val_fraction + test_fraction >= 1:
        raise ValueError(f"val_fraction + test_fraction must be below 1 (something must be left to train on), "
                         f"got {val_fraction} + {test_fraction}")


def cut_points(n, val_fraction, test_fraction, last):
    """Where the first part (train, 1 - val - test of the n items) ends, and where the last part ("val" or
    "test", the final val_fraction or test_fraction of the items) starts. A part left empty is an error naming it."""
    check_positive_int("n", n)
    check_fractions(val_fraction, test_fraction)
    check_choice("last", last, ("val", "test"))
    last_fraction = val_fraction if last == "val" else test_fraction
    train_end = int(round(n * (1 - val_fraction - test_fraction)))
    last_start = int(round(n * (1 - last_fraction)))
    middle = "test" if last == "val" else "val"
    sizes = {"train": train_end, middle: last_start - train_end, last: n - last_start}
    for part, size in sizes.items():
        if size < 1:
            raise ValueError(f"val_fraction={val_fraction} and test_fraction={test_fraction} leave the {part} part "
                             f"empty: {size} of the n = {n} items ({', '.join(f'{k} {v}' for k, v in sizes.items())})")
    return train_end, last_start


def time_machine_char_split(val_fraction=0.1, test_fraction=0.1):
    """-> LanguageModelSplit(vocab, train, val, test) of The Time Machine's characters: in the book, train
    comes first, then test, then val (the last `val_fraction`; the module's docstring says why). Fractions that
    leave a part without a single character are refused."""
    check_fractions(val_fraction, test_fraction)  # before the book is read
    chars = tokenise_chars(letters_only(load_time_machine()))
    train_end, val_start = cut_points(len(chars), val_fraction, test_fraction, last="val")
    vocab = Vocab(chars[:train_end], reserved=[UNK])
    ids = np.array(vocab.encode(chars), dtype=np.int64)
    return LanguageModelSplit(vocab, ids[:train_end], ids[val_start:], ids[train_end:val_start])


def names_split(seed=0, val_fraction=0.1, test_fraction=0.1):
    """-> (train, val, test): lists of distinct names (each occurs in one part only), shuffled by `seed`."""
    check_count("seed", seed)
    check_fractions(val_fraction, test_fraction)  # before the names are read
    names = list(dict.fromkeys(load_names()))  # distinct, in the file's order
    names = [names[i] for i in np.random.default_rng(seed).permutation(len(names))]
    train_end, test_start = cut_points(len(names), val_fraction, test_fraction, last="test")
    return names[:train_end], names[train_end:test_start], names[test_start:]
