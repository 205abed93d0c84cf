"""Checkers for the exercises of chapter 2, One-hot encoding and vocabularies.

The expected answers are computed with the package itself (`Vocab`, `pad_batch`, `one_hot`), the code the
chapter teaches; the tests check them against values worked out by hand. The functions the learner writes
(exercises 2, 5 and 6) are run on fresh random inputs by `seqlearn.exercises.build`.
"""

import numbers

import numpy as np

from seqlearn.batching import pad_batch
from seqlearn.exercises import passed, reads_answer, require
from seqlearn.exercises.build import Case, Mistake, call, check_function, check_gradients
from seqlearn.one_hot import one_hot
from seqlearn.text import tokenise_chars, tokenise_words
from seqlearn.vocab import Vocab

SENTENCE = "the cat sat on the mat"
WORD = "hello world"
IDS = [11, 5, 10, 4, 7, 3]
LENGTHS = [3, 1, 2]


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


# Exercise 2: the cost of a one-hot batch, as a function of its size (section 6 counted one size, in other
# dtypes). Inputs are drawn fresh on every call (see `build`).
def reference_batch_bytes(T, N, V):
    return {"one_hot": T * N * V * np.dtype(np.float64).itemsize, "ids": T * N * np.dtype(np.int32).itemsize}


def _sizes_case(label, T, N, V):
    """T, N, V: (low, high) ranges to draw from, both ends included."""
    def make(rng):
        return {name: int(rng.integers(low, high + 1)) for name, (low, high) in zip("TNV", (T, N, V), strict=True)}
    return Case(label, make)


BYTES_CASES = [_sizes_case("a word-level batch", (10, 60), (8, 64), (5_000, 50_000)),
               _sizes_case("a character-level batch", (50, 200), (2, 32), (30, 100)),
               _sizes_case("T = 1", (1, 1), (2, 64), (10, 10_000)),
               _sizes_case("N = 1", (2, 100), (1, 1), (10, 10_000))]

BYTES_MISTAKES = [
    Mistake("those are the dtypes of section 6 (float32 and int64); here the one-hot batch is float64 and the ids "
            "int32: np.dtype(...).itemsize gives the bytes of one entry",
            lambda T, N, V: {"one_hot": T * N * V * 4, "ids": T * N * 8}),
    Mistake("that counts the entries; multiply each count by the bytes of one entry",
            lambda T, N, V: {"one_hot": T * N * V, "ids": T * N}),
    Mistake("a byte is 8 bits: count bytes, not bits",
            lambda T, N, V: {key: 8 * value for key, value in reference_batch_bytes(T, N, V).items()}),
    Mistake("the one-hot batch has V entries per token: its shape is (T, N, V)",
            lambda T, N, V: {"one_hot": T * N * 8, "ids": T * N * 4}),
]


def check_batch_bytes(batch_bytes):
    """Exercise 2: `batch_bytes(T, N, V)` -> {"one_hot": bytes of the float64 one-hot batch (T, N, V),
    "ids": bytes of its int32 ids (T, N)}, both ints."""
    check_function(batch_bytes, reference_batch_bytes, BYTES_CASES, BYTES_MISTAKES, "batch_bytes")
    passed("T N V entries of 8 bytes against T N ids of 4: the one-hot batch is 2V times larger, "
           "whatever T and N are.")


@reads_answer
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


# Build-it exercises 5 and 6: the embedding layer, forward and backward. The references are the chapter's
# identity, one_hot(ids, V) @ W, and its transpose: a route that never indexes, so it shares no bug with a lookup.
def reference_embedding_forward(ids, W):
    return one_hot(ids, W.shape[0]) @ W


def reference_embedding_backward(dout, ids, V):
    E = dout.shape[-1]
    return one_hot(ids, V).reshape(-1, V).T @ dout.reshape(-1, E)


def _ids(rng, T, N, V, present):
    """(T, N) int64 ids drawn from the first `present` tokens; with T, N > 1, ids[0, 1] != ids[1, 0], so that
    time-major and batch-major orders of the ids never coincide."""
    ids = rng.integers(0, present, size=(T, N))
    if T > 1 and N > 1 and ids[0, 1] == ids[1, 0]:
        ids[1, 0] = (ids[0, 1] + 1) % present
    return ids


def _forward_case(T, N, V, E):
    def make(rng):
        return {"ids": _ids(rng, T, N, V, V), "W": rng.normal(size=(V, E))}
    return Case(f"T={T}, N={N}, V={V}, E={E}", make)


# The first case is square (V = E) so that a table read by column runs, and is recognised, before a case
# where it would raise.
FORWARD_CASES = [_forward_case(3, 2, 5, 5), _forward_case(1, 4, 6, 3), _forward_case(5, 1, 4, 7),
                 _forward_case(4, 3, 3, 2), _forward_case(6, 5, 12, 4)]

FORWARD_MISTAKES = [
    Mistake("the table is read by column (W.T[ids], or one_hot @ W.T): W is (V, E), one ROW per token",
            lambda ids, W: W.T[ids]),
    Mistake("ids count from 0, as Python does: token i is row i of W (Ng's dictionary counts from 1, ours not)",
            lambda ids, W: W[ids - 1]),
    Mistake("the output is time-major like the ids: out[t, n] is the vector of ids[t, n], shape (T, N, E)",
            lambda ids, W: W[ids.T]),
    Mistake("the output keeps the ids' shape: (T, N, E), not one row per token of the flattened batch",
            lambda ids, W: W[ids.ravel()]),
]


def check_embedding_forward(embedding_forward):
    """Exercise 5 (build it): `embedding_forward(ids, W)`, ids (T, N) int and W (V, E) float64 -> (T, N, E)."""
    check_function(embedding_forward, reference_embedding_forward, FORWARD_CASES, FORWARD_MISTAKES,
                   "embedding_forward")
    passed("a lookup equal to one_hot(ids, V) @ W, on every shape: T N E copies instead of T N V E multiply-adds.")


def _backward_case(label, T, N, V, E, present=None):
    def make(rng):
        return {"dout": rng.normal(size=(T, N, E)), "ids": _ids(rng, T, N, V, present or V), "V": V}
    return Case(label, make)


# Every case holds repeated ids: more positions (T N) than tokens. The first has T, N > 1 and T != N.
BACKWARD_CASES = [_backward_case("T=4, N=3, V=3, E=5 (repeated ids)", 4, 3, 3, 5),
                  _backward_case("T=1, N=6, V=4, E=2", 1, 6, 4, 2),
                  _backward_case("T=7, N=1, V=3, E=3", 7, 1, 3, 3),
                  _backward_case("T=3, N=4, V=8, E=2, tokens 5 to 7 never occur", 3, 4, 8, 2, present=5),
                  _backward_case("T=5, N=2, V=2, E=4", 5, 2, 2, 4)]


def _fancy_index(dout, ids, V):
    dW = np.zeros((V, dout.shape[-1]))
    dW[ids] += dout  # buffered: a repeated index is written once, the other contributions are lost
    return dW


def _mean_over_occurrences(dout, ids, V):
    counts = np.bincount(ids.ravel(), minlength=V)
    return reference_embedding_backward(dout, ids, V) / np.maximum(counts, 1)[:, None]


def _rows_up_to_largest_id(dout, ids, V):
    return reference_embedding_backward(dout, ids, V)[: ids.max() + 1]


BACKWARD_MISTAKES = [
    Mistake("dW[ids] += dout writes each repeated id once, so a token that occurs twice loses gradient: "
            "np.add.at(dW, ids, dout) adds every occurrence", _fancy_index),
    Mistake("a token's gradient is the SUM of dout over every position where it occurs, not the mean",
            _mean_over_occurrences),
    Mistake("ids and dout are paired position by position: dout[t, n] goes to row ids[t, n] (the ids were "
            "flattened batch-major, dout time-major)",
            lambda dout, ids, V: one_hot(ids.T.ravel(), V).T @ dout.reshape(-1, dout.shape[-1])),
    Mistake("dW has the shape of W, (V, E): one row per token", lambda dout, ids, V:
            reference_embedding_backward(dout, ids, V).T),
    Mistake("dW has a row for each of the V tokens, a zero row for a token that never occurs (not ids.max() + 1 "
            "rows)", _rows_up_to_largest_id),
]


def gradient_check_embedding(embedding_backward, rng=None):
    """Finite differences of L = sum(w * embedding_forward(ids, W)) against `embedding_backward(w, ids, V)`."""
    rng = np.random.default_rng() if rng is None else rng
    T, N, V, E = 4, 3, 5, 3
    # w > 0, so every entry of the gradient is 0 (a token that does not occur) or at least 0.5: the relative
    # error is never measured on an entry that is nearly zero by chance.
    ids, W, w = _ids(rng, T, N, V, V), rng.normal(size=(V, E)), rng.uniform(0.5, 1.5, size=(T, N, E))
    dW = np.asarray(call(embedding_backward, {"dout": w, "ids": ids, "V": V}, "embedding_backward"), dtype=float)
    require(dW.shape == W.shape, f"dW has shape {dW.shape}, expected W's {W.shape}")
    check_gradients(lambda: float(np.sum(w * reference_embedding_forward(ids, W))), {"W": W}, {"W": dW},
                    "embedding_backward")


def check_embedding_backward(embedding_backward):
    """Exercise 6 (build it): `embedding_backward(dout, ids, V)`, dout (T, N, E) float64 and ids (T, N) int ->
    dW (V, E), the gradient with respect to W of a loss whose gradient at the forward's output is dout."""
    check_function(embedding_backward, reference_embedding_backward, BACKWARD_CASES, BACKWARD_MISTAKES,
                   "embedding_backward")
    gradient_check_embedding(embedding_backward)
    passed("every position sends its dout to its token's row, and repeats add up (finite differences agree).")
