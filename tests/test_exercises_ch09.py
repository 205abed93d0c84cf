import numpy as np
import pytest
from build_it import assert_build_it, message

from seqlearn.exercises import ch09
from seqlearn.windows import ChronologicalSplit


def windows(series, lookback, horizon, target_column):
    inputs, targets = [], []
    for t in range(lookback - 1, len(series) - horizon):  # t: the window's last input day
        inputs.append(series[t - lookback + 1:t + 1])
        targets.append(series[t + 1:t + 1 + horizon, target_column])
    return np.array(inputs), np.array(targets)


def test_windows():
    assert_build_it(ch09.check_windows, windows, ch09.reference_windows, ch09.WINDOWS_CASES, ch09.WINDOWS_MISTAKES)


def standardise(series, split):
    train = series[split.train]
    return (series - train.mean(axis=0)) / train.std(axis=0)


def test_standardise():
    assert_build_it(ch09.check_standardise, standardise, ch09.reference_standardise, ch09.STANDARDISE_CASES,
                    ch09.STANDARDISE_MISTAKES)


def test_standardise_reference_gives_the_training_days_mean_0_and_std_1():
    rng = np.random.default_rng(0)
    for case in ch09.STANDARDISE_CASES:
        kwargs = case.make(rng)
        split = kwargs["split"]
        assert split.train.start == 0 and split.train.stop == split.val.start and split.val.stop == split.test.start
        assert min(s.stop - s.start for s in split) >= 3 and split.test.stop == len(kwargs["series"])
        train = ch09.reference_standardise(**kwargs)[split.train]
        assert np.allclose(train.mean(axis=0), 0, atol=1e-12) and np.allclose(train.std(axis=0), 1, atol=1e-12)
    series = np.array([[1.0, 10.0], [3.0, 10.5], [5.0, 11.0], [100.0, -50.0]])
    z = ch09.reference_standardise(series, ChronologicalSplit(slice(0, 3), slice(3, 3), slice(3, 4)))
    assert np.allclose(z[:, 0], (series[:, 0] - 3) / np.sqrt(8 / 3), atol=1e-12)


def lag_correlation(pred, truth, lag):
    pairs = [(pred[t], truth[t - lag]) for t in range(len(pred)) if 0 <= t - lag < len(truth)]
    a, b = np.array(pairs).T
    return float(np.corrcoef(a, b)[0, 1])


def test_lag_correlation():
    assert_build_it(ch09.check_lag_correlation, lag_correlation, ch09.reference_lag_correlation, ch09.LAG_CASES,
                    ch09.LAG_MISTAKES)


def test_lag_correlation_reference_finds_the_shift():
    truth = np.cumsum(np.random.default_rng(1).normal(size=25))
    late = np.concatenate([[0.0], truth[:-1]])  # late[t] = truth[t - 1]: a forecast that repeats yesterday
    assert ch09.reference_lag_correlation(late, truth, 1) == pytest.approx(1, abs=1e-12)
    assert ch09.reference_lag_correlation(truth, late, -1) == pytest.approx(1, abs=1e-12)
    assert ch09.reference_lag_correlation(late, truth, 0) < 1 - 1e-6
    assert ch09.reference_lag_correlation(truth, 3 - 2 * truth, 0) == pytest.approx(-1, abs=1e-12)


def test_lag_cases_start_with_a_nonzero_lag_and_include_lag_0_and_negative_lags():
    lags = [case.make(np.random.default_rng(0))["lag"] for case in ch09.LAG_CASES]
    assert lags[0] != 0 and 0 in lags and min(lags) < 0


def macro_f1(gold, pred, num_classes):
    scores = []
    for c in range(num_classes):
        hits, support, predicted = np.sum((gold == c) & (pred == c)), np.sum(gold == c), np.sum(pred == c)
        if support == 0:
            continue
        precision = hits / predicted if predicted else 0.0
        recall = hits / support
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return float(np.mean(scores))


def test_macro_f1():
    assert_build_it(ch09.check_macro_f1, macro_f1, ch09.reference_macro_f1, ch09.MACRO_F1_CASES,
                    ch09.MACRO_F1_MISTAKES)


def test_macro_f1_cases_hold_the_edge_cases_they_name():
    rng = np.random.default_rng(0)
    absent_predicted = never_predicted = 0
    for case in ch09.MACRO_F1_CASES:
        gold, pred, C = case.make(rng).values()
        assert gold.dtype == pred.dtype == np.int64 and 20 <= len(gold) <= 200 and 3 <= C <= 7
        absent_predicted += any(c not in gold and c in pred for c in range(C))
        never_predicted += any(c in gold and c not in pred for c in range(C))
    assert absent_predicted >= 2 and never_predicted >= 2


@pytest.mark.parametrize("checker, wrong", [
    (ch09.check_windows, lambda series, lookback, horizon, target_column: {"inputs": series, "targets": series}),
    (ch09.check_standardise, lambda series, split: {"train": series[split.train], "rest": series[split.val.start:]}),
    (ch09.check_lag_correlation, lambda pred, truth, lag: (0.5, 0.01)),  # scipy's (r, p-value)
    (ch09.check_macro_f1, lambda gold, pred, num_classes: np.zeros(num_classes)),  # per-class F1, not their mean
    (ch09.check_windows, None),
])
def test_checkers_reject_an_answer_of_the_wrong_type(checker, wrong):
    text = message(checker, wrong)
    assert "parts" in text or "expected an array" in text or "shape" in text or "expected a function" in text
