"""The reversal task (seqlearn.reversal): targets are the sources reversed, lengths in range, the same data for the same
seed, splits that share no source, padded batches that give the strings back, and bad input refused with a message."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlearn.reversal import SYMBOLS, pad_pairs, reversal_pairs, reversal_split, reversal_vocab
from seqlearn.vocab import RESERVED, Vocab


def test_the_vocabulary_is_the_reserved_tokens_then_the_symbols():
    vocab = reversal_vocab()
    assert vocab.id_to_token == [*RESERVED, *SYMBOLS]
    assert [vocab.token_to_id[t] for t in ("<pad>", "<unk>", "<bos>", "<eos>")] == [0, 1, 2, 3]
    assert len(vocab) == 4 + len(SYMBOLS)


@settings(max_examples=30)
@given(n=st.integers(1, 50), low=st.integers(1, 8), extra=st.integers(0, 8), seed=st.integers(0, 2**16))
def test_pairs_are_reversed_in_range_and_the_same_for_the_same_seed(n, low, extra, seed):
    pairs = reversal_pairs(n, low, low + extra, np.random.default_rng(seed))
    assert len(pairs) == n
    for source, target in pairs:
        assert target == source[::-1] and low <= len(source) <= low + extra and set(source) <= set(SYMBOLS)
    assert reversal_pairs(n, low, low + extra, np.random.default_rng(seed)) == pairs


def test_lengths_and_symbols_are_uniform():
    pairs = reversal_pairs(20000, 3, 7, np.random.default_rng(0))
    lengths = np.bincount([len(s) for s, _ in pairs], minlength=8)[3:]
    assert np.allclose(lengths / len(pairs), 0.2, atol=0.015)
    counts = np.unique(list("".join(s for s, _ in pairs)), return_counts=True)[1]
    assert len(counts) == len(SYMBOLS) and np.allclose(counts / counts.sum(), 1 / len(SYMBOLS), atol=0.01)


@settings(max_examples=10)
@given(seed=st.integers(0, 2**16), low=st.integers(1, 4), extra=st.integers(2, 8), per_length=st.integers(1, 20))
def test_splits_are_disjoint_deterministic_and_sized(seed, low, extra, per_length):
    args = dict(train_size=300, val_size=40, test_per_length=per_length, min_length=low, max_length=low + extra)
    split = reversal_split(seed, **args)
    assert split == reversal_split(seed, **args)
    train, val, test = ({s for s, _ in part} for part in split)
    assert not test & train and not test & val and not val & train
    assert len(split.train) == 300 and len(val) == len(split.val) == 40 and len(test) == len(split.test)
    lengths = [len(s) for s, _ in split.test]
    first = next(L for L in range(low, low + extra + 1) if len(SYMBOLS) ** L >= 10 * per_length)
    assert lengths == [L for L in range(first, low + extra + 1) for _ in range(per_length)]  # shortest first
    assert all(t == s[::-1] for part in split for s, t in part)
    assert all(low <= len(s) <= low + extra for part in split for s, _ in part)


def test_the_default_split_and_another_seed():
    split = reversal_split()
    assert (len(split.train), len(split.val), len(split.test)) == (8000, 500, 1800)
    assert sorted({len(s) for s, _ in split.test}) == list(range(3, 21))
    assert {len(s) for part in split for s, _ in part} == set(range(3, 21))
    assert len(reversal_split(test_per_length=10, min_length=1).test) == 10 * 19  # 100 distinct strings: length 2
    assert reversal_split(seed=1).test != split.test


def test_explicit_test_lengths():
    split = reversal_split(0, train_size=50, val_size=10, test_per_length=5, min_length=2, max_length=6,
                           test_min_length=4, test_max_length=9)
    assert [len(s) for s, _ in split.test] == [L for L in range(4, 10) for _ in range(5)]


@settings(max_examples=30)
@given(sources=st.lists(st.text(alphabet="".join(SYMBOLS), min_size=1, max_size=12), min_size=1, max_size=8))
def test_pad_pairs_round_trips(sources):
    vocab = reversal_vocab()
    pairs = [(s, s[::-1]) for s in sources]
    batch = pad_pairs(pairs, vocab)
    longest = max(map(len, sources))
    assert batch.src.shape == batch.targets.shape == (longest, len(pairs))
    for ids, lengths in ((batch.src, batch.src_lengths), (batch.targets, batch.target_lengths)):
        assert ids.dtype == lengths.dtype == np.int64
        assert (ids[np.arange(longest)[:, None] >= lengths] == vocab.token_to_id["<pad>"]).all()
    for j, (source, target) in enumerate(pairs):
        assert "".join(vocab.decode(batch.src[:batch.src_lengths[j], j])) == source
        assert "".join(vocab.decode(batch.targets[:batch.target_lengths[j], j])) == target


def test_pad_pairs_pads_source_and_target_separately():
    batch = pad_pairs([("ab", "c"), ("a", "bcd")], reversal_vocab())
    assert batch.src.shape == (2, 2) and batch.targets.shape == (3, 2)
    assert batch.src_lengths.tolist() == [2, 1] and batch.target_lengths.tolist() == [1, 3]


@pytest.mark.parametrize("call, error, message", [
    (lambda: reversal_pairs(0, 1, 3, np.random.default_rng(0)), ValueError, "n must be at least 1, got 0"),
    (lambda: reversal_pairs(5, 4, 3, np.random.default_rng(0)), ValueError,
     "max_length must be at least min_length = 4, got 3"),
    (lambda: reversal_pairs(5, 0, 3, np.random.default_rng(0)), ValueError, "min_length must be at least 1, got 0"),
    (lambda: reversal_pairs(5, 1, 3, 0), TypeError, "rng must be a np.random.Generator"),
    (lambda: reversal_split(-1), ValueError, "seed must be at least 0, got -1"),
    (lambda: reversal_split(0, test_per_length=20, min_length=1, max_length=3, test_min_length=2), ValueError,
     r"test_min_length = 2 has only 100 distinct sources, fewer than 10 times test_per_length = 20"),
    (lambda: reversal_split(0, val_size=200, test_per_length=1, min_length=1, max_length=2), ValueError,
     "lengths 1 to 2 hold 110 distinct sources, fewer than twice the val and test sets together"),
    (lambda: pad_pairs([], reversal_vocab()), ValueError, r"pairs must be a non-empty list .* got 0 pairs"),
    (lambda: pad_pairs("ab", reversal_vocab()), ValueError, "pairs must be a non-empty list .* got str"),
    (lambda: pad_pairs([("ab", "ba")], None), TypeError, "vocab must be a Vocab holding '<pad>'"),
    (lambda: pad_pairs([("ab", "ba")], Vocab(["a"], reserved=["<unk>"])), TypeError,
     "vocab must be a Vocab holding '<pad>'"),
    (lambda: pad_pairs([("ab", "")], reversal_vocab()), ValueError,
     r"pairs\[0\] must be a \(source, target\) pair of non-empty strings, got \('ab', ''\)"),
    (lambda: pad_pairs([("ab", "ba"), ("ab",)], reversal_vocab()), ValueError, r"pairs\[1\] must be a"),
    (lambda: pad_pairs([("ab", "bz")], reversal_vocab()), ValueError,
     r"pairs\[0\] holds \['z'\] outside the vocabulary"),
])
def test_bad_input_is_refused_with_a_message(call, error, message):
    with pytest.raises(error, match=message):
        call()
