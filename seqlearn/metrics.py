"""Perplexity, the one score of every language model in the course (n-gram, NumPy and PyTorch alike).

    perplexity = exp( (1/N) * sum_t -ln p(w_t | w_<t) ) = exp(total_nll / num_tokens)

`total_nll` is the negative log-likelihood summed over N = `num_tokens` predicted tokens, in nats (a float);
total_nll / num_tokens is the mean cross-entropy per token, the training loss. A model that hesitates evenly
between k tokens has perplexity k; a perfect model has 1. No torch here: `seqlearn.ngram` and
`seqlearn.training` both report their scores through `perplexity`. `mixture_log_probs` interpolates two models.
For classifiers and taggers: `accuracy` and `confusion_matrix` (rows: the true class, columns: the predicted one).
For forecasts: `lag_correlation`, which tells a forecast that follows the truth from one that trails it.
"""

import math
import numbers

import numpy as np

from seqlearn.checks import check_float_array, check_int_array, check_positive_int

# exp(x) overflows a float past x = 709.78: a mean loss that large is a diverged model, reported as inf.
LARGEST_EXPONENT = 709


def perplexity(total_nll, num_tokens):
    """exp(total_nll / num_tokens) as a float; inf, not an OverflowError, for a mean loss past about 709.

    total_nll: summed -ln p over the tokens (float, nats). num_tokens: how many tokens (int, at least 1).
    A NaN loss gives NaN: a broken model is not reported as merely a bad one.
    """
    if isinstance(num_tokens, bool) or not isinstance(num_tokens, numbers.Integral):
        raise TypeError(f"num_tokens must be an int, got {type(num_tokens).__name__} {num_tokens!r}")
    if num_tokens < 1:
        raise ValueError(f"perplexity needs at least one token, got num_tokens={num_tokens}")
    mean_nll = total_nll / num_tokens
    if mean_nll >= LARGEST_EXPONENT:
        return math.inf
    return math.exp(mean_nll)


def mixture_log_probs(log_p, log_q, weight):
    """ln(weight * p + (1 - weight) * q) for each token: two models' per-token log-probabilities (M,) each,
    mixed. The mixture is a language model too (its next-token probabilities still sum to 1), and where the two
    err differently it beats both. weight in [0, 1]."""
    log_p, log_q = np.asarray(log_p, dtype=np.float64), np.asarray(log_q, dtype=np.float64)
    if log_p.ndim != 1 or log_p.shape != log_q.shape:
        raise ValueError(f"log_p and log_q must be 1-D and the same shape, got {log_p.shape} and {log_q.shape}")
    if isinstance(weight, bool) or not isinstance(weight, numbers.Real) or not 0 <= weight <= 1:
        raise ValueError(f"weight must be a number in [0, 1], got {weight!r}")
    with np.errstate(divide="ignore"):  # ln 0 = -inf for a weight of 0 or 1: that model drops out
        return np.logaddexp(np.log(weight) + log_p, np.log1p(-weight) + log_q)


def best_mixture_weight(log_p, log_q, step=0.01):
    """The weight (0, step, 2 step, ..., 1) whose mixture has the lowest perplexity on these tokens: choose it on
    validation tokens, then score the test tokens with it."""
    weights = np.linspace(0, 1, int(round(1 / step)) + 1)
    return float(min(weights, key=lambda w: -mixture_log_probs(log_p, log_q, float(w)).sum()))


def _check_labels(y_true, y_pred):
    y_true, y_pred = check_int_array("y_true", y_true, ndim=1), check_int_array("y_pred", y_pred, ndim=1)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}")
    if len(y_true) == 0:
        raise ValueError("a score needs at least one example, got empty y_true and y_pred")
    return y_true, y_pred


def accuracy(y_true, y_pred):
    """The fraction of examples whose predicted label equals the true one: float in [0, 1].

    y_true, y_pred: integer labels (M,), M >= 1.
    """
    y_true, y_pred = _check_labels(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true, y_pred, num_classes):
    """C (num_classes, num_classes), int64: C[i, j] = how many examples of true class i were predicted as j.

    The diagonal holds the correct ones, so accuracy = trace(C) / C.sum(). Labels must be in [0, num_classes).
    """
    y_true, y_pred = _check_labels(y_true, y_pred)
    num_classes = check_positive_int("num_classes", num_classes)
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        bad = (y < 0) | (y >= num_classes)
        if bad.any():
            raise ValueError(f"{name} must hold labels in [0, {num_classes - 1}], got {int(y[bad][0])}")
    C = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(C, (y_true, y_pred), 1)
    return C


def lag_correlation(pred, truth, lag):
    """Pearson's correlation of pred[t] with truth[t - lag], over the t where both exist: a float in [-1, 1].

    pred, truth: float (T,), e.g. one-step forecasts and the values they forecast, aligned (pred[t] forecasts
    truth[t]). lag = 0 scores the forecast against its target; lag = 1 against the value one step before, the
    last one the forecaster saw. A forecast that correlates more at lag 1 than at lag 0 trails the truth: it
    mostly repeats the last value. Negative lags compare with later values. Needs |lag| <= T - 2, so that at
    least two pairs remain, and neither side constant over them.
    """
    pred = check_float_array("pred", pred, ndim=1, dims="(T,)")
    truth = check_float_array("truth", truth, ndim=1, dims="(T,)")
    if pred.shape != truth.shape:
        raise ValueError(f"pred and truth must have the same length, got {len(pred)} and {len(truth)}")
    if isinstance(lag, bool) or not isinstance(lag, numbers.Integral) or abs(lag) > len(pred) - 2:
        raise ValueError(f"lag must be an int with |lag| <= T - 2 = {len(pred) - 2}, got {lag!r}")
    T = len(pred)
    a, b = (pred[lag:], truth[:T - lag]) if lag >= 0 else (pred[:T + lag], truth[-lag:])
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("pred and truth must be finite where they are compared")
    a, b = a - a.mean(), b - b.mean()
    spread = np.sqrt((a @ a) * (b @ b))
    if spread == 0:
        raise ValueError(f"a correlation needs both sides to vary, but one is constant over the {len(a)} pairs")
    return float(a @ b / spread)
