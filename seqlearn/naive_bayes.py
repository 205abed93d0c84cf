"""A character n-gram naive Bayes classifier: the baseline a practitioner tries first on short texts.

A line x is reduced to the bag of its character n-grams g_1, ..., g_m (every substring of n characters, so
m = len(x) - n + 1; "hello" with n = 3 gives hel, ell, llo). *Naive*: given the class, the n-grams are taken as
independent draws from one multinomial theta_c, so Bayes' rule gives

    ln P(c | x) = ln pi_c + sum_g count(g, x) ln theta_{c,g} - ln Z(x)

- pi_c = (lines of class c) / (lines), the prior, from the training labels;
- theta_{c,g} = (N_{c,g} + alpha) / (N_c + alpha V), add-alpha smoothing: N_{c,g} counts n-gram g in the training
  lines of class c, N_c = sum_g N_{c,g}, and V is the number of distinct n-grams in the training lines (of any
  class). alpha > 0 keeps an n-gram never seen with class c from zeroing its probability;
- Z(x) = sum_c' pi_c' prod_g theta_{c',g}^count(g, x) normalises, computed with logsumexp.

An n-gram never seen in training is skipped: it is outside the vocabulary V that theta is defined on. A line with
fewer than n characters has no n-grams and gets the prior. The order n and alpha are choices: make them on
validation lines, then score the test once. `predict` returns the class with the highest posterior.
"""

from collections import Counter

import numpy as np

from seqlearn.checks import check_int_array, check_positive, check_positive_int, check_text


def _check_lines(lines):
    """A non-empty list (or tuple) of str; a single str is refused, because iterating it would give characters."""
    if isinstance(lines, str):
        raise TypeError("lines must be a list of str, got a str; wrap a single line as [line]")
    if not isinstance(lines, list | tuple):
        raise TypeError(f"lines must be a list of str, got {type(lines).__name__}")
    if len(lines) == 0:
        raise ValueError("lines must hold at least one line, got none")
    for i, line in enumerate(lines):
        if not isinstance(line, str):
            raise TypeError(f"lines must be a list of str; lines[{i}] is {type(line).__name__} {line!r}")
    return lines


def char_ngrams(line, n):
    """Every substring of n characters of `line`, in order: char_ngrams("hello", 3) == ['hel', 'ell', 'llo']."""
    check_text("line", line)
    check_positive_int("n", n)
    return _ngrams(line, n)


def _ngrams(line, n):  # char_ngrams without the checks, for the inner loops (their arguments are checked)
    return [line[i:i + n] for i in range(len(line) - n + 1)]


class CharNaiveBayes:
    """`CharNaiveBayes(n=3, alpha=1.0)`, then `.fit(lines, labels)`. After fitting:

    classes (C,): the sorted distinct labels; ngrams: {n-gram: column}, V entries;
    log_prior (C,): ln pi_c; log_theta (C, V): ln theta_{c,g}, each row a distribution over the V n-grams.
    """

    def __init__(self, n=3, alpha=1.0):
        self.n = check_positive_int("n", n)
        self.alpha = float(check_positive("alpha", alpha))
        self.classes = None

    def fit(self, lines, labels):
        """Count the n-grams of each class. lines: list of M str; labels: integers (M,). Returns self."""
        lines = _check_lines(lines)
        labels = check_int_array("labels", labels, ndim=1)
        if len(lines) != len(labels):
            raise ValueError(f"lines and labels must have the same length, got {len(lines)} and {len(labels)}")
        classes, index = np.unique(labels, return_inverse=True)
        counts = [Counter() for _ in classes]
        for line, c in zip(lines, index, strict=True):
            counts[c].update(_ngrams(line, self.n))
        ngrams = {g: j for j, g in enumerate(sorted(set().union(*counts)))}
        if not ngrams:  # refused before the model changes: a model fitted before stays as it was
            raise ValueError(f"lines must hold a line of {self.n} characters or more, so that there is a "
                             f"{self.n}-gram to count; got none")
        N = np.zeros((len(classes), len(ngrams)))  # N[c, g] = N_{c,g}
        for c, counter in enumerate(counts):
            for g, k in counter.items():
                N[c, ngrams[g]] = k
        V = len(ngrams)
        self.classes, self.ngrams = classes, ngrams
        self.log_prior = np.log(np.bincount(index) / len(lines))
        self.log_theta = np.log(N + self.alpha) - np.log(N.sum(axis=1, keepdims=True) + self.alpha * V)
        return self

    def predict_log_proba(self, lines):
        """ln P(c | x) for each line and class: float64 (M, C), columns in the order of `classes`; each row's
        exp sums to 1."""
        if self.classes is None:
            raise RuntimeError("the model is not fitted yet: call .fit(lines, labels) first")
        lines = _check_lines(lines)
        joint = np.empty((len(lines), len(self.classes)))
        for i, line in enumerate(lines):
            cols = [self.ngrams[g] for g in _ngrams(line, self.n) if g in self.ngrams]
            joint[i] = self.log_prior + self.log_theta[:, cols].sum(axis=1)  # repeats in cols count each time
        top = joint.max(axis=1, keepdims=True)  # logsumexp, shifted by the largest term so exp cannot overflow
        return joint - (top + np.log(np.exp(joint - top).sum(axis=1, keepdims=True)))

    def predict(self, lines):
        """The most probable class of each line: int64 (M,), values from `classes`."""
        return self.classes[np.argmax(self.predict_log_proba(lines), axis=1)].astype(np.int64)
