import math
import re
from collections import Counter

import numpy as np
import pytest

from seqlearn.authorship import (
    AUTHORS,
    author_lines,
    authorship_split,
    cut_pieces,
    shakespeare_speech,
    wells_prose,
)
from seqlearn.data import load_time_machine, load_tiny_shakespeare
from seqlearn.metrics import accuracy, confusion_matrix
from seqlearn.naive_bayes import CharNaiveBayes, char_ngrams

NORMALISED = re.compile(r"[a-z]+( [a-z]+)*")  # letters and single spaces, no space at either end

PLAY = """First Citizen:
Before we proceed, hear me!

ALL:
Speak, speak.

FIRST CITIZEN:
We are accounted poor:
the patricians good.
[Aside]
Exeunt
"""

BOOK = """The Time Machine, by H. G. Wells [1898]




I


The Time Traveller (for so it will be convenient to speak of him)
was expounding--It's 1895.

EPILOGUE

The end.
"""


# --- normalisation ---------------------------------------------------------------------------------------------

def test_shakespeare_speech_drops_speakers_and_stage_directions():
    # "poor:" ends with a colon but continues a speech (no blank line before it): it is kept.
    assert shakespeare_speech(PLAY) == "before we proceed hear me speak speak we are accounted poor the patricians good"


def test_wells_prose_drops_title_and_headings():
    assert wells_prose(BOOK) == ("the time traveller for so it will be convenient to speak of him was expounding "
                                 "it s the end")


@pytest.mark.corpora
def test_real_streams_are_letters_and_single_spaces_without_speakers():
    raw = load_tiny_shakespeare()
    speech, prose = shakespeare_speech(raw), wells_prose(load_time_machine())
    for stream in (speech, prose):
        assert NORMALISED.fullmatch(stream)  # no uppercase, digit, punctuation, newline or double space
    assert speech.startswith("before we proceed any further hear me speak speak speak you are all resolved")
    assert raw.count("First Citizen:") > 40 and "first citizen" not in speech
    assert prose.startswith("the time traveller for so it will be convenient") and "epilogue" not in prose
    assert prose.endswith("still lived on in the heart of man")


def test_cut_pieces_matches_lengths_pairwise_and_covers_wells_in_order():
    rng = np.random.default_rng(3)
    wells = " ".join("".join(rng.choice(list("abcde"), 5)) for _ in range(200))
    shakespeare = " ".join("".join(rng.choice(list("vwxyz"), 4)) for _ in range(2000))
    pieces = cut_pieces(wells, shakespeare, np.random.default_rng(0), min_length=5, max_length=9)
    lengths = [len(w) for w in pieces.wells]
    assert lengths == [len(s) for s in pieces.shakespeare] and set(lengths) == set(range(5, 10))
    assert wells.startswith("".join(pieces.wells)) and len(wells) - len("".join(pieces.wells)) < 9
    slot = len(shakespeare) // len(lengths)  # piece i lies in slot i: in order, from all over his stream
    assert all(s in shakespeare[i * slot:(i + 1) * slot] for i, s in enumerate(pieces.shakespeare))
    assert len(lengths) * slot > 0.99 * len(shakespeare)


def test_cut_pieces_drops_repeated_text_as_pairs():
    pieces = cut_pieces("ab" * 50, "xyz" * 100, np.random.default_rng(0), min_length=2, max_length=2)
    assert pieces.wells == ["ab"] and len(pieces.shakespeare) == 1  # every later "ab" repeats the first


@pytest.mark.parametrize("args, error, message", [
    (("abc", "xyz" * 10, np.random.default_rng(0), 5, 6), ValueError, r"wells \(the Wells stream, 3 characters\)"),
    (("a" * 100, "xyz", np.random.default_rng(0), 5, 6), ValueError, r"shakespeare \(the Shakespeare stream, 3 char"),
    (("a" * 100, "x" * 900, 0, 5, 6), TypeError, r"rng must be a np.random.Generator"),
    (("a" * 100, "x" * 900, np.random.default_rng(0), 6, 5), ValueError, r"max_length must be at least 6, got 5"),
    ((["a"], "x" * 900, np.random.default_rng(0), 5, 6), TypeError, r"wells must be a str"),
])
def test_cut_pieces_bad_inputs(args, error, message):
    with pytest.raises(error, match=message):
        cut_pieces(*args)


@pytest.mark.corpora
def test_author_lines_are_normalised_balanced_and_length_matched():
    wells, shakespeare = author_lines()
    assert len(wells) == len(shakespeare) > 4000
    assert all(re.fullmatch(r"[a-z ]+", line) and "  " not in line for line in wells + shakespeare)
    assert [len(w) for w in wells] == [len(s) for s in shakespeare]  # pair by pair, so the histograms are equal
    assert min(map(len, wells)) == 20 and max(map(len, wells)) == 60
    assert len(set(wells + shakespeare)) == 2 * len(wells)


# --- the split -------------------------------------------------------------------------------------------------

@pytest.mark.corpora
def test_split_is_deterministic_disjoint_balanced_and_contiguous():
    split = authorship_split(seed=0)
    again, other = authorship_split(seed=0), authorship_split(seed=1)
    for part, same in zip(split, again, strict=True):
        assert part.lines == same.lines and part.labels.tolist() == same.labels.tolist()
    assert other.test.lines != split.test.lines
    parts = [set(p.lines) for p in split]
    assert sum(map(len, parts)) == sum(len(p.lines) for p in split) == len(set.union(*parts))  # no line twice
    wells, shakespeare = author_lines(seed=0)
    k = len(wells)
    for part, fraction in zip(split, (0.8, 0.1, 0.1), strict=True):
        assert part.labels.dtype == np.int64 and np.bincount(part.labels).tolist() == [len(part.lines) // 2] * 2
        assert len(part.lines) / 2 == pytest.approx(fraction * k, abs=1)
        by_author = [[line for line, y in zip(part.lines, part.labels, strict=True) if y == a] for a in (0, 1)]
        assert Counter(map(len, by_author[0])) == Counter(map(len, by_author[1]))  # lengths matched in each part
    n_val = len(split.val.lines) // 2
    assert set(split.val.lines) == set(wells[-n_val:] + shakespeare[-n_val:])  # each book's last 10%
    n_train = len(split.train.lines) // 2
    assert set(split.train.lines) == set(wells[:n_train] + shakespeare[:n_train])  # each book's first 80%
    assert AUTHORS == ("wells", "shakespeare")


@pytest.mark.parametrize("kwargs, message", [
    ({"val_fraction": 1.5}, r"val_fraction must be a number in \(0, 1\), got 1.5"),
    ({"test_fraction": True}, r"test_fraction must be a number in \(0, 1\), got bool True"),  # a TypeError
    ({"val_fraction": 0.5, "test_fraction": 0.5}, r"val_fraction \+ test_fraction must be below 1"),
])
def test_split_bad_fractions(kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        authorship_split(**kwargs)


# --- naive Bayes -----------------------------------------------------------------------------------------------

def test_char_ngrams():
    assert char_ngrams("hello", 3) == ["hel", "ell", "llo"] and char_ngrams("hi", 3) == []


def test_naive_bayes_unigrams_by_hand():
    # class 0 saw a, b; class 1 saw b, b. alpha = 1, V = 2: theta_0 = (2/4, 2/4), theta_1 = (1/4, 3/4).
    # "ab": P(0) ∝ 1/2 * 1/2 * 1/2 = 1/8, P(1) ∝ 1/2 * 1/4 * 3/4 = 3/32, so P(0 | ab) = 4/7.
    model = CharNaiveBayes(n=1, alpha=1.0).fit(["ab", "bb"], [0, 1])
    np.testing.assert_allclose(model.predict_log_proba(["ab"]), [[math.log(4 / 7), math.log(3 / 7)]], atol=1e-12)
    np.testing.assert_allclose(np.exp(model.log_theta), [[0.5, 0.5], [0.25, 0.75]], atol=1e-12)


def test_naive_bayes_bigrams_by_hand_skips_unseen():
    # bigrams: class 0 {ab: 2, ba: 1}, class 1 {bb: 2}; V = 3 (ab, ba, bb); alpha = 0.5.
    # theta_0 = (2.5, 1.5, 0.5) / 4.5, theta_1 = (0.5, 0.5, 2.5) / 3.5; "abbz" has ab, bb and bz (never seen).
    model = CharNaiveBayes(n=2, alpha=0.5).fit(["abab", "bbb"], [3, 7])
    joint = np.array([math.log(0.5 * 2.5 / 4.5 * 0.5 / 4.5), math.log(0.5 * 0.5 / 3.5 * 2.5 / 3.5)])
    expected = joint - np.logaddexp(*joint)
    np.testing.assert_allclose(model.predict_log_proba(["abbz"]), [expected], rtol=0, atol=1e-12)
    np.testing.assert_allclose(model.predict_log_proba(["z"]), [[math.log(0.5)] * 2], atol=1e-12)  # prior only
    assert model.classes.tolist() == [3, 7] and model.predict(["abab", "bbbb"]).tolist() == [3, 7]


def test_naive_bayes_learns_a_separable_task():
    rng = np.random.default_rng(0)
    def lines(letters, m):
        return ["".join(rng.choice(list(letters), rng.integers(5, 15))) for _ in range(m)]
    train, test = lines("abc", 50) + lines("xyz", 50), lines("abc", 20) + lines("xyz", 20)
    labels = np.repeat([0, 1], 50)
    model = CharNaiveBayes(n=2, alpha=1.0).fit(train, labels)
    assert accuracy(np.repeat([0, 1], 20), model.predict(test)) == 1.0
    np.testing.assert_allclose(np.exp(model.predict_log_proba(test)).sum(axis=1), 1.0, atol=1e-12)


@pytest.mark.parametrize("call, error, message", [
    (lambda: CharNaiveBayes(n=0), ValueError, r"n must be at least 1, got 0"),
    (lambda: CharNaiveBayes(alpha=0.0), ValueError, r"alpha must be positive \(a finite number > 0\), got 0.0"),
    (lambda: CharNaiveBayes().fit("ab", [0]), TypeError, r"got a str; wrap a single line as \[line\]"),
    (lambda: CharNaiveBayes().fit(["ab", 3], [0, 1]), TypeError, r"lines\[1\] is int 3"),
    (lambda: CharNaiveBayes().fit(["abc"], [0, 1]), ValueError, r"same length, got 1 and 2"),
    (lambda: CharNaiveBayes().fit(["abc"], [0.5]), TypeError, r"labels must hold integers"),
    (lambda: CharNaiveBayes(n=4).fit(["abc"], [0]), ValueError, r"lines must hold a line of 4 characters or more"),
    (lambda: CharNaiveBayes().predict(["abc"]), RuntimeError, r"not fitted yet: call .fit\(lines, labels\) first"),
])
def test_naive_bayes_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- scores ----------------------------------------------------------------------------------------------------

def test_accuracy_and_confusion_matrix_by_hand():
    y_true, y_pred = [0, 1, 1, 0, 1], [0, 1, 0, 0, 0]
    assert accuracy(y_true, y_pred) == 3 / 5
    C = confusion_matrix(y_true, y_pred, num_classes=2)
    assert C.dtype == np.int64 and C.tolist() == [[2, 0], [2, 1]]  # row: true class, column: predicted
    assert confusion_matrix([2, 0], [1, 2], num_classes=3).tolist() == [[0, 0, 1], [0, 0, 0], [0, 1, 0]]


@pytest.mark.parametrize("call, error, message", [
    (lambda: accuracy([0, 1], [0]), ValueError, r"same length, got 2 and 1"),
    (lambda: accuracy([], []), ValueError, r"at least one example"),
    (lambda: accuracy([0.0, 1.0], [0, 1]), TypeError, r"y_true must hold integers, got dtype float64"),
    (lambda: confusion_matrix([0, 2], [0, 1], 2), ValueError, r"y_true must hold labels in \[0, 1\], got 2"),
    (lambda: confusion_matrix([0, 1], [0, -1], 2), ValueError, r"y_pred must hold labels .*got -1"),
    (lambda: confusion_matrix([[0, 1]], [[0, 1]], 2), ValueError, r"y_true must have 1 dimension\(s\), got shape"),
])
def test_scores_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()
