"""The baselines a tagger must beat, and the scores that judge it: per-class precision, recall, F1, macro-F1.

A tagged corpus is a list of (text, tags) pairs, tags an (L,) int64 array with one id per character of text
(`seqlearn.code_tags` makes one). No torch and no training loop: counting is the whole model.

- `fit_majority(pairs, left, right)`: for every window of characters seen in training (`left` characters
  before the position, the character itself, `right` after it), the tag it most often had. Windows that run
  past either end of a text are padded with '\\0'. Ties go to the smaller tag id.
  - per-character majority: left = right = 0;
  - unidirectional, a window of k: left = k - 1, right = 0 (what a left-to-right RNN can see);
  - centred, a window of k = 2h + 1: left = right = h (what a bidirectional RNN can see, nearby).
- `predict_majority(model, text)`: the window's tag when training saw that window; otherwise it backs off to
  the per-character majority, and for a character never seen, to the most frequent tag of all.

The scores, from gold and predicted id arrays of the same length, with C = `num_classes`:

    confusion[g, p] = how many positions have gold tag g and predicted tag p        (rows gold, columns predicted)
    precision_c = confusion[c, c] / (column c's sum),  0 if c is never predicted
    recall_c    = confusion[c, c] / (row c's sum),     0 if c is never in gold
    F1_c        = 2 P R / (P + R),                     0 if P + R = 0
    macro-F1    = the mean of F1_c over the classes present in gold (support > 0)

The zero conventions are scikit-learn's `zero_division=0`. A class absent from gold is left out of macro-F1
(its F1 could only be 0 there, and says nothing about the data); a class in gold that the model never
predicts counts, with F1 0. Accuracy is the fraction of positions where gold and prediction agree.
"""

from collections import Counter
from typing import NamedTuple

import numpy as np

from seqlearn.checks import check_count, check_int_array, check_positive_int, check_text
from seqlearn.metrics import confusion_matrix

PAD_CHAR = "\0"  # stands for the positions before a text's start and after its end


def _check_pairs(pairs):
    if isinstance(pairs, str) or not isinstance(pairs, list | tuple) or not pairs:
        raise TypeError(f"pairs must be a non-empty list of (text, tags) pairs, got {type(pairs).__name__}")
    checked = []
    for i, pair in enumerate(pairs):
        if not isinstance(pair, tuple | list) or len(pair) != 2 or not isinstance(pair[0], str):
            raise TypeError(f"pairs[{i}] must be a (text, tags) pair with text a str, got {pair!r:.80}")
        tags = check_int_array(f"pairs[{i}] tags", pair[1], ndim=1)
        if len(tags) != len(pair[0]):
            raise ValueError(f"pairs[{i}] needs one tag per character: {len(pair[0])} characters, "
                             f"got {len(tags)} tags")
        if (tags < 0).any():
            raise ValueError(f"pairs[{i}] tags must be ids >= 0, got {int(tags.min())}")
        checked.append((pair[0], tags))
    return checked


def windows(text, left, right):
    """-> list of len(text) strings: the `left` characters before each position, it, and the `right` after."""
    check_text("text", text)
    check_count("left", left)
    check_count("right", right)
    padded = PAD_CHAR * left + text + PAD_CHAR * right
    width = left + 1 + right
    return [padded[i:i + width] for i in range(len(text))]


def _majority(counts):
    """Counter of (key, tag) -> {key: its most frequent tag}, ties to the smaller tag id."""
    best = {}
    for (key, tag), n in counts.items():
        if key not in best or (n, -tag) > (best[key][0], -best[key][1]):
            best[key] = (n, tag)
    return {key: tag for key, (n, tag) in best.items()}


class MajorityTagger(NamedTuple):
    """left, right: the window's reach; table: window -> tag; by_char: character -> tag (the back-off);
    default: the most frequent tag in training, for characters it never saw."""

    left: int
    right: int
    table: dict
    by_char: dict
    default: int


def fit_majority(pairs, left=0, right=0):
    """-> MajorityTagger counted on `pairs` (a list of (text, tags)): the most frequent tag of each window."""
    pairs = _check_pairs(pairs)
    left, right = check_count("left", left), check_count("right", right)
    by_window, by_char, overall = Counter(), Counter(), Counter()
    for text, tags in pairs:
        tag_list = tags.tolist()
        by_window.update(zip(windows(text, left, right), tag_list, strict=True))
        by_char.update(zip(text, tag_list, strict=True))
        overall.update(tag_list)
    default = min(overall, key=lambda tag: (-overall[tag], tag))
    return MajorityTagger(left, right, _majority(by_window), _majority(by_char), default)


def predict_majority(model, text):
    """-> (L,) int64 tags for the L characters of `text`: the window's majority tag, backing off as above."""
    if not isinstance(model, MajorityTagger):
        raise TypeError(f"model must be a MajorityTagger from fit_majority, got {type(model).__name__}")
    check_text("text", text)
    keys = windows(text, model.left, model.right)
    out = [model.table.get(key, model.by_char.get(char, model.default)) for key, char in zip(keys, text, strict=True)]
    return np.array(out, dtype=np.int64)


def _check_gold_pred(gold, pred, num_classes):
    check_positive_int("num_classes", num_classes)
    gold = check_int_array("gold", gold, ndim=1)
    pred = check_int_array("pred", pred, ndim=1)
    if len(gold) != len(pred):
        raise ValueError(f"gold and pred must have the same length, got {len(gold)} and {len(pred)}")
    if len(gold) == 0:
        raise ValueError("gold and pred must hold at least one position, got none")
    for name, ids in (("gold", gold), ("pred", pred)):
        bad = (ids < 0) | (ids >= num_classes)
        if bad.any():
            raise ValueError(f"{name} must hold ids in [0, {num_classes - 1}] (num_classes = {num_classes}), "
                             f"got {int(ids[bad][0])}")
    return gold, pred


class TagScores(NamedTuple):
    """precision, recall, f1: (C,) float64; support: (C,) int64 gold count per class; macro_f1 (over the
    classes with support > 0) and accuracy: floats; confusion: (C, C) int64, rows gold, columns predicted."""

    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    macro_f1: float
    accuracy: float
    confusion: np.ndarray


def tag_scores(gold, pred, num_classes):
    """-> TagScores of predicted against gold tags, each an (L,) id array; the module's docstring has the rules."""
    gold, pred = _check_gold_pred(gold, pred, num_classes)
    confusion = confusion_matrix(gold, pred, num_classes)
    hits = np.diag(confusion).astype(np.float64)
    support, predicted = confusion.sum(axis=1), confusion.sum(axis=0)
    precision = np.divide(hits, predicted, out=np.zeros(num_classes), where=predicted > 0)
    recall = np.divide(hits, support, out=np.zeros(num_classes), where=support > 0)
    both = precision + recall
    f1 = np.divide(2 * precision * recall, both, out=np.zeros(num_classes), where=both > 0)
    macro_f1 = float(f1[support > 0].mean())
    accuracy = float(hits.sum() / support.sum())
    return TagScores(precision, recall, f1, support, macro_f1, accuracy, confusion)
