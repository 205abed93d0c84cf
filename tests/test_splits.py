import numpy as np
import pytest

from seqlearn.data import load_names
from seqlearn.splits import names_split, time_machine_char_split


@pytest.mark.corpora
def test_time_machine_split():
    vocab, train, val, test = time_machine_char_split()
    n = len(train) + len(val) + len(test)
    assert len(vocab) == 28  # <unk>, space and 26 letters
    assert len(val) == pytest.approx(0.1 * n, abs=1) and len(test) == pytest.approx(0.1 * n, abs=1)
    assert train.dtype == val.dtype == test.dtype == np.int64 and max(val.max(), test.max()) < len(vocab)
    assert "".join(vocab.decode(test[:20])) == "".join(vocab.decode(test[:20])).lower()


@pytest.mark.corpora
def test_time_machine_split_is_contiguous_and_vocab_from_train():
    whole = time_machine_char_split(0.2, 0.3)
    small = time_machine_char_split()
    def text(split):  # in the book: train, test, then validation last
        return "".join(split.vocab.decode(np.concatenate([split.train, split.test, split.val])))
    assert text(whole) == text(small)  # the same book, cut at other places
    assert len(whole.test) == pytest.approx(0.3 * len(text(whole)), abs=1)
    assert len(whole.val) == pytest.approx(0.2 * len(text(whole)), abs=1)
    book = text(small)
    assert book.endswith("".join(small.vocab.decode(small.val)))  # validation is the book's last 10%
    assert set(whole.vocab.decode(whole.train)) == set(whole.vocab.id_to_token) - {"<unk>"}  # every token from train


@pytest.mark.corpora
def test_names_split_has_no_name_on_two_sides():
    train, val, test = names_split()
    assert len(set(train) | set(val) | set(test)) == len(train) + len(val) + len(test)
    assert set(train + val + test) == set(load_names())
    assert len(test) == pytest.approx(0.1 * len(set(load_names())), abs=1)
    assert names_split(seed=1)[2] != test and names_split()[2] == test


@pytest.mark.parametrize("args, message", [
    ((1.5, 0.1), r"val_fraction must be a number in \(0, 1\), got 1.5"),
    ((0.1, True), r"test_fraction must be a number in \(0, 1\), got bool True"),
    ((0.5, 0.5), r"val_fraction \+ test_fraction must be below 1"),
    ((1e-9, 0.1), r"val_fraction=1e-09 and test_fraction=0.1 leave the val part empty: 0 of the n = \d+ items"),
])
def test_bad_fractions(args, message):
    with pytest.raises((ValueError, TypeError), match=message):
        time_machine_char_split(*args)
