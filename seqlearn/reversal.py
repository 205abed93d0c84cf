"""Reversing a string: the task of chapter 10, where a fixed-size state becomes the bottleneck.

A source is a string of symbols drawn uniformly from SYMBOLS; its target is the same string reversed:

    source  "cabhe"   ->   target  "ehbac"

Every target token is a source token, so the task needs no knowledge beyond the source itself: an encoder-
decoder without attention must squeeze the whole source into its one (N, H) state before writing a word, and
fails as the sources grow; with attention the decoder looks back at source step L + 1 - t while writing step t,
an anti-diagonal that a heatmap of the weights shows. The first target token is the last source token, so the
shortest distance a plain encoder-decoder must carry a symbol is one step, the longest the whole length.

The data is generated, never downloaded, and is the same for the same seed. Source and target share one
vocabulary, `reversal_vocab()`: the reserved tokens <pad>, <unk>, <bos>, <eos> (ids 0 to 3), then the symbols.
`reversal_split` holds out a test set with `test_per_length` sources of every length (for accuracy against
length), and no test or validation source occurs in the training set. By default: 8,000 training and 500
validation pairs of lengths 3 to 20, and 100 test pairs of each length 3 to 20 (1,800); on 2 CPU cores a GRU
encoder-decoder with H = 64 trains on it in about 15 s, and without attention it fails at the longest lengths.
`pad_pairs` makes a padded, time-major batch of ids for the models (NumPy arrays: torch.from_numpy gives the
PyTorch twin its tensors).
"""

from typing import NamedTuple

import numpy as np

from seqlearn.batching import pad_batch
from seqlearn.checks import check_count, check_positive_int, check_rng
from seqlearn.vocab import PAD, Vocab

SYMBOLS = tuple("abcdefghij")  # ten symbols: a long string carries log2(10) = 3.3 bits per step


def reversal_vocab():
    """-> Vocab: <pad>, <unk>, <bos>, <eos> (ids 0-3), then the SYMBOLS in order (ids 4 onwards)."""
    return Vocab(list(SYMBOLS))


def _check_range(min_length, max_length, names=("min_length", "max_length")):
    check_positive_int(names[0], min_length)
    check_positive_int(names[1], max_length)
    if max_length < min_length:
        raise ValueError(f"{names[1]} must be at least {names[0]} = {min_length}, got {max_length}")


def reversal_pairs(n, min_length, max_length, rng):
    """`n` pairs (source, target) of strings: each source's length uniform in [min_length, max_length], its
    symbols uniform over SYMBOLS, and target = source[::-1]. The same rng state gives the same pairs."""
    check_positive_int("n", n)
    _check_range(min_length, max_length)
    check_rng(rng)
    lengths = rng.integers(min_length, max_length + 1, n)
    symbols = rng.integers(0, len(SYMBOLS), lengths.sum())
    sources = ["".join(SYMBOLS[i] for i in piece) for piece in np.split(symbols, np.cumsum(lengths)[:-1])]
    return [(source, source[::-1]) for source in sources]


class ReversalSplit(NamedTuple):
    train: list  # (source, target) pairs, lengths uniform in [min_length, max_length]
    val: list  # the same distribution, for early stopping
    test: list  # test_per_length pairs of each length test_min_length..test_max_length, shortest first


def _fresh(n, min_length, max_length, rng, taken, keep=True):
    """n pairs whose sources are not in `taken`, each refused one drawn again; keep: add them to `taken` (so they
    are distinct too)."""
    pairs = []
    while len(pairs) < n:
        for pair in reversal_pairs(n - len(pairs), min_length, max_length, rng):
            if pair[0] not in taken:
                pairs.append(pair)
                if keep:
                    taken.add(pair[0])
    return pairs


def reversal_split(seed=0, train_size=8000, val_size=500, test_per_length=100, min_length=3, max_length=20,
                   test_min_length=None, test_max_length=None):
    """-> ReversalSplit(train, val, test), the same for the same arguments.

    train: `train_size` pairs, lengths uniform in [min_length, max_length]; val: `val_size` distinct pairs of the
    same range; test: `test_per_length` distinct pairs of each length from test_min_length to test_max_length
    (default max_length), shortest first. The default test_min_length is the shortest length (at least
    min_length) with 10 times test_per_length distinct strings, so that the test takes few of them: there are
    only 10 strings of length 1. The test set is drawn first, then val, then train, each refusing the sources
    drawn before: no test source is in val or train, no val source in train, and the model is never tested on
    a string it trained on. A source refused is drawn again, length and all, so the shortest lengths, whose
    strings val may use up, are a little rarer in train.
    """
    check_count("seed", seed)
    for name, value in (("train_size", train_size), ("val_size", val_size), ("test_per_length", test_per_length)):
        check_positive_int(name, value)
    _check_range(min_length, max_length)
    for name, value in (("test_min_length", test_min_length), ("test_max_length", test_max_length)):
        if value is not None:
            check_positive_int(name, value)
    if test_min_length is None:
        test_min_length = min_length
        while len(SYMBOLS) ** test_min_length < 10 * test_per_length:
            test_min_length += 1
    test_max_length = max_length if test_max_length is None else test_max_length
    _check_range(test_min_length, test_max_length, ("test_min_length", "test_max_length"))
    if len(SYMBOLS) ** test_min_length < 10 * test_per_length:
        raise ValueError(f"test_min_length = {test_min_length} has only {len(SYMBOLS) ** test_min_length} distinct "
                         f"sources, fewer than 10 times test_per_length = {test_per_length}: choose a longer one")
    available = sum(min(len(SYMBOLS) ** length, 10 ** 9) for length in range(min_length, max_length + 1))
    if available < 2 * (val_size + test_per_length * (test_max_length - test_min_length + 1)):
        raise ValueError(f"lengths {min_length} to {max_length} hold {available} distinct sources, fewer than twice "
                         f"the val and test sets together (val_size = {val_size}, test_per_length = "
                         f"{test_per_length}): allow longer sources or ask for fewer")
    rng, taken = np.random.default_rng(seed), set()
    test = [pair for length in range(test_min_length, test_max_length + 1)
            for pair in _fresh(test_per_length, length, length, rng, taken)]
    val = _fresh(val_size, min_length, max_length, rng, taken)
    return ReversalSplit(_fresh(train_size, min_length, max_length, rng, taken, keep=False), val, test)


class PairBatch(NamedTuple):
    src: np.ndarray  # (T_x, N) int64 ids, <pad> after each source's end
    src_lengths: np.ndarray  # (N,) int64
    targets: np.ndarray  # (L_max, N) int64 ids, <pad> after each target's end
    target_lengths: np.ndarray  # (N,) int64


def pad_pairs(pairs, vocab):
    """A list of (source, target) strings -> PairBatch(src, src_lengths, targets, target_lengths), time-major,
    one character per token, padded with vocab's <pad>. A character outside the vocabulary is refused."""
    if not isinstance(pairs, list | tuple) or len(pairs) == 0:
        got = f"{len(pairs)} pairs" if isinstance(pairs, list | tuple) else type(pairs).__name__
        raise ValueError(f"pairs must be a non-empty list of (source, target) strings, got {got}")
    if not isinstance(vocab, Vocab) or PAD not in vocab:
        raise TypeError(f"vocab must be a Vocab holding {PAD!r} (reversal_vocab()), got {type(vocab).__name__}")
    columns = ([], [])
    for j, pair in enumerate(pairs):
        if not isinstance(pair, tuple | list) or len(pair) != 2 or not all(isinstance(s, str) and s for s in pair):
            raise ValueError(f"pairs[{j}] must be a (source, target) pair of non-empty strings, got {pair!r}")
        for column, text in zip(columns, pair, strict=True):
            unknown = sorted(set(text) - set(vocab.token_to_id))
            if unknown:
                raise ValueError(f"pairs[{j}] holds {unknown} outside the vocabulary of vocab, {vocab!r}")
            column.append(vocab.encode(list(text)))
    pad = vocab.token_to_id[PAD]
    src, targets = (pad_batch(column, pad) for column in columns)
    return PairBatch(src.ids, src.lengths, targets.ids, targets.lengths)
