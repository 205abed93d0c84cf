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

import numpy as np

from seqlearn.checks import (
    check_finite,
    check_float_array,
    check_int_array,
    check_number,
    check_positive_int,
    check_probability,
    check_same_dtype,
)

# exp(x) overflows a float past x = 709.78: a mean loss that large is a diverged model, reported as inf.
LARGEST_EXPONENT = 709


def perplexity(total_nll, num_tokens):
    """exp(total_nll / num_tokens) as a float; inf, not an OverflowError, for a mean loss past about 709.

    total_nll: summed -ln p over the tokens (a finite float >= 0, in nats). num_tokens: how many tokens (an int,
    at least 1: a perplexity over zero tokens is an error, not 1). A NaN or infinite total_nll is refused: a
    broken model must not be reported as a score.
    """
    check_number("total_nll", total_nll, "a finite number >= 0 (a sum of -ln p over the tokens)",
                 lambda v: 0 <= v < math.inf)
    check_positive_int("num_tokens", num_tokens)  # over zero tokens there is no perplexity (not 1)
    mean_nll = total_nll / num_tokens
    if mean_nll >= LARGEST_EXPONENT:
        return math.inf
    return math.exp(mean_nll)


def _check_log_probs(log_p, log_q):
    """Two models' per-token log-probabilities: 1-D float arrays of one length and dtype, finite, M >= 1."""
    for name, x in (("log_p", log_p), ("log_q", log_q)):
        check_finite(name, check_float_array(name, x, ndim=1, dims="(M,)", allow_empty=False))
    check_same_dtype("log_q", log_q, log_p.dtype, source="log_p")
    if log_p.shape != log_q.shape:
        raise ValueError(f"log_p and log_q must be 1-D and the same shape, got {log_p.shape} and {log_q.shape}")


def mixture_log_probs(log_p, log_q, weight):
    """ln(weight * p + (1 - weight) * q) for each token: two models' per-token log-probabilities (M,) each,
    mixed. The mixture is a language model too (its next-token probabilities still sum to 1), and where the two
    err differently it beats both. weight in [0, 1]. The log-probabilities must be finite (policy: a verdict
    is never drawn from NaN or inf)."""
    _check_log_probs(log_p, log_q)
    check_probability("weight", weight)
    with np.errstate(divide="ignore"):  # ln 0 = -inf for a weight of 0 or 1: that model drops out
        return np.logaddexp(np.log(weight) + log_p, np.log1p(-weight) + log_q)


def best_mixture_weight(log_p, log_q, step=0.01):
    """The weight (0, step, 2 step, ..., 1) whose mixture has the lowest perplexity on these tokens: choose it on
    validation tokens, then score the test tokens with it. `step` must divide 1 (0.01, 0.05, 0.25, 1, ...)."""
    _check_log_probs(log_p, log_q)
    check_number("step", step, "a number in (0, 1] that divides 1 (0.01, 0.1, 0.25, ...)",
                 lambda v: 0 < v <= 1 and abs(1 / v - round(1 / v)) < 1e-9 * max(1.0, 1 / v))
    weights = np.linspace(0, 1, int(round(1 / step)) + 1)
    return float(min(weights, key=lambda w: -mixture_log_probs(log_p, log_q, float(w)).sum()))


def _check_labels(y_true, y_pred):
    y_true, y_pred = check_int_array("y_true", y_true, ndim=1), check_int_array("y_pred", y_pred, ndim=1)
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.size and y.min() < 0:  # a label is a class index; -1 (an "ignore" mark elsewhere) is not one
            raise ValueError(f"{name} must hold labels >= 0, got {int(y.min())} at position {int(y.argmin())}")
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
    num_classes = check_positive_int("num_classes", num_classes)
    y_true, y_pred = _check_labels(y_true, y_pred)
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        bad = (y < 0) | (y >= num_classes)
        if bad.any():
            raise ValueError(f"{name} must hold labels in [0, {num_classes - 1}], got {int(y[bad][0])} "
                             f"(num_classes={num_classes})")
    C = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(C, (y_true, y_pred), 1)
    return C


def lag_correlation(pred, truth, lag):
    """Pearson's correlation of pred[t] with truth[t - lag], over the t where both exist: a float in [-1, 1].

    pred, truth: float (T,), e.g. one-step forecasts and the values they forecast, aligned (pred[t] forecasts
    truth[t]). lag = 0 scores the forecast against its target; lag = 1 against the value one step before, the
    last one the forecaster saw. A forecast that correlates more at lag 1 than at lag 0 trails the truth: it
    mostly repeats the last value. Negative lags compare with later values. Needs |lag| <= T - 2, so that at
    least two pairs remain, and neither side constant over them; pred and truth share one float dtype and are
    finite (NaN or inf is refused, not turned into a correlation).
    """
    pred = check_float_array("pred", pred, ndim=1, dims="(T,)")
    truth = check_same_dtype("truth", check_float_array("truth", truth, ndim=1, dims="(T,)"), pred.dtype, "pred")
    if pred.shape != truth.shape:
        raise ValueError(f"pred and truth must have the same length, got {len(pred)} and {len(truth)}")
    T = len(pred)
    if T < 2:
        raise ValueError(f"pred and truth need at least 2 values for a correlation, got T = {T}")
    lag = check_positive_int("lag", lag, minimum=-(T - 2), maximum=T - 2)  # |lag| <= T - 2: two pairs remain
    check_finite("pred", pred)
    check_finite("truth", truth)
    a, b = (pred[lag:], truth[:T - lag]) if lag >= 0 else (pred[:T + lag], truth[-lag:])
    for name, side in (("pred", a), ("truth", b)):
        if side.min() == side.max():  # on the values themselves: centring a constant may leave rounding noise
            raise ValueError(f"{name} is constant over the {len(a)} pairs compared: a correlation needs both to vary")
    a, b = a - a.mean(), b - b.mean()
    spread = np.sqrt((a @ a) * (b @ b))
    return float(a @ b / spread)
