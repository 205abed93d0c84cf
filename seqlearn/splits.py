"""The held-out split every language-modelling figure in the course uses.

The Time Machine, preprocessed as d2l does (`letters_only`: letters and single spaces, lowercased), tokenised
by character, with a vocabulary built on the training part. The last `val_fraction` of the book is held out:
it is never trained on, and every perplexity the course reports is measured on it.
"""

import numpy as np

from seqlearn.data import load_time_machine
from seqlearn.text import letters_only, tokenise_chars
from seqlearn.vocab import UNK, Vocab


def time_machine_char_split(val_fraction=0.1):
    """-> (vocab, train_ids, val_ids); ids are 1-D int64 arrays, the split is at a fixed position."""
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    chars = tokenise_chars(letters_only(load_time_machine()))
    cut = int(round(len(chars) * (1 - val_fraction)))
    vocab = Vocab(chars[:cut], reserved=[UNK])
    ids = np.array(vocab.encode(chars), dtype=np.int64)
    return vocab, ids[:cut], ids[cut:]
