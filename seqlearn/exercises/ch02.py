"""Checkers for the exercises of chapter 2, One-hot encoding and vocabularies.

The expected answers are computed with the package itself (`Vocab`, `pad_batch`), the code the chapter
teaches; the tests check them against values worked out by hand.
"""

import numbers

import numpy as np

from seqlearn.batching import pad_batch
from seqlearn.exercises import passed, require
from seqlearn.text import tokenise_chars, tokenise_words
from seqlearn.vocab import Vocab

SENTENCE = "the cat sat on the mat"
WORD = "hello world"
IDS = [11, 5, 10, 4, 7, 3]
LENGTHS = [3, 1, 2]
T, N, V = 35, 32, 10_000


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_token_ids(answer):
    """Exercise 1: in `Vocab(tokenise_words(SENTENCE))`, the ids of "sat" and of "dog" (a dict)."""
    vocab = Vocab(tokenise_words(SENTENCE))
    require(isinstance(answer, dict) and set(answer) == {"sat", "dog"},
            f"expected a dict with the keys 'sat' and 'dog', got {answer!r}")
    require(all(_is_int(v) for v in answer.values()), f"ids are integers, got {answer!r}")
    require(answer["dog"] == vocab.unk_id,
            f"'dog' -> {answer['dog']}? It is not in the sentence: where do unknown tokens go?")
    require(answer["sat"] == vocab.token_to_id["sat"],
            f"'sat' -> {answer['sat']}? Reserved tokens first, then by decreasing frequency, ties in sort order.")
    passed(f"'sat' is {answer['sat']} and 'dog' becomes <unk> ({answer['dog']}).")


def check_one_hot_bytes(answer):
    """Exercise 2: bytes of a (T=35, N=32, V=10,000) float32 one-hot batch and of its int64 ids (a dict)."""
    want = {"one_hot": T * N * V * np.dtype(np.float32).itemsize, "ids": T * N * np.dtype(np.int64).itemsize}
    require(isinstance(answer, dict) and set(answer) == set(want),
            f"expected a dict with the keys 'one_hot' and 'ids', got {answer!r}")
    for key, value in want.items():
        require(_is_int(answer[key]), f"{key}: a number of bytes is an integer, got {answer[key]!r}")
        require(answer[key] == value,
                f"{key}: {answer[key]} bytes is not right; count the entries, then the bytes of each")
    passed(f"{want['one_hot']:,} bytes against {want['ids']:,}: {want['one_hot'] // want['ids']:,} times more.")


def check_padding_mask(mask):
    """Exercise 3: the (T_max, N) boolean mask of a time-major padded batch with lengths LENGTHS."""
    want = pad_batch([[1] * n for n in LENGTHS], pad_id=0).mask
    mask = np.asarray(mask)
    require(mask.shape == want.shape, f"expected shape (T_max, N) = {want.shape}, got {mask.shape}")
    require(mask.dtype == bool, f"expected a boolean mask, got dtype {mask.dtype}")
    require(np.array_equal(mask, want),
            "the shape is right but some entries are not: column j has LENGTHS[j] Trues, from the top")
    passed("one column per sequence, True on its real tokens.")


def check_decode(tokens):
    """Exercise 4: decode IDS with `Vocab(tokenise_chars(WORD))`, as a list of tokens."""
    want = Vocab(tokenise_chars(WORD)).decode(IDS)
    require(isinstance(tokens, list), f"expected a list of tokens, got {type(tokens).__name__}")
    require(tokens == want,
            f"{tokens} is not right; write the id table by hand: reserved tokens, then 'l' and 'o' (the most "
            "frequent), then the characters seen once in sort order (the space sorts before the letters)")
    passed(f"{''.join(tokens[:-1])!r}, then the end-of-sequence token.")
