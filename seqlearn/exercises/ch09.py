"""Checkers for the exercises of chapter 9, RNNs at work; all four are build-it exercises (`exercises.build`)."""

import numpy as np

from seqlearn import metrics
from seqlearn.exercises import passed
from seqlearn.exercises.build import Case, Mistake, check_function
from seqlearn.tagging_baselines import tag_scores
from seqlearn.windows import ChronologicalSplit, Standardiser, make_windows


# Exercise 1 (build-it): forecasting windows cut from one series.
def _windows_case(T, F, lookback, horizon, target_column):
    def make(rng):
        return {"series": rng.normal(size=(T, F)), "lookback": lookback, "horizon": horizon,
                "target_column": target_column}
    return Case(f"T={T}, F={F}, lookback={lookback}, horizon={horizon}, target_column={target_column}", make)


# F >= 2 and target_column >= 1 everywhere, and lookback != N, so that every mistake shows on every case.
WINDOWS_CASES = [_windows_case(12, 3, 4, 2, 1), _windows_case(8, 2, 1, 1, 1), _windows_case(15, 4, 5, 3, 3),
                 _windows_case(6, 2, 2, 4, 1), _windows_case(10, 2, 3, 1, 1)]


def reference_windows(series, lookback, horizon, target_column):
    return make_windows(series, lookback, horizon, target_column)


def _windows_mistake(*, target_start=1, input_shift=0, drop=0, column=None, time_major=False):
    """Window i ends at t = i + lookback - 1; its inputs start at day i + input_shift, its targets at
    t + target_start, read from `column` (target_column when None); `drop` windows fewer at the end."""
    def windows(series, lookback, horizon, target_column):
        N = len(series) - lookback - horizon + 1 - drop
        c = target_column if column is None else column
        inputs = np.stack([series[i + input_shift:i + input_shift + lookback] for i in range(N)])
        targets = np.stack([series[i + lookback - 1 + target_start:][:horizon, c] for i in range(N)])
        return (inputs.transpose(1, 0, 2) if time_major else inputs), targets
    return windows


WINDOWS_MISTAKES = [
    Mistake("the targets start on the window's last input day, so each window holds its own first target: the "
            "leak of this chapter; the first target is the day after the last input day", _windows_mistake(
                target_start=0)),
    Mistake("the inputs are one day late: the last input day is the first target day, a leak; a window's inputs "
            "end on its forecast origin t, and its targets begin the day after", _windows_mistake(input_shift=1)),
    Mistake("there is one window too few: the last window's last target may be the series' last day; count how "
            "many origins t leave room for horizon days after them", _windows_mistake(drop=1)),
    Mistake("the targets are read from column 0: read them from target_column, the feature being forecast",
            _windows_mistake(column=0)),
    Mistake("the inputs are time-major (lookback, N, F): return them batch-major, one window per row, "
            "(N, lookback, F); the RNN's caller transposes them", _windows_mistake(time_major=True)),
]


def check_windows(windows):
    """Exercise 1 (build-it): `windows(series, lookback, horizon, target_column)` -> (inputs (N, lookback, F),
    targets (N, horizon)), as `seqlearn.windows.make_windows`."""
    check_function(windows, reference_windows, WINDOWS_CASES, WINDOWS_MISTAKES, "windows")
    passed("every window's inputs end on its forecast origin and its targets begin the day after, so no target is "
           "ever inside its own window.")


# Exercise 2 (build-it): standardise a whole series with the training days' statistics.
def _standardise_case(T, F):
    def make(rng):
        a = int(rng.integers(3, T - 5))
        b = int(rng.integers(a + 3, T - 2))
        days = np.arange(T)[:, None]
        trend = rng.normal(size=F) * days / T + rng.normal(size=F) * (days >= a)  # later parts drift and shift
        series = rng.normal(size=F) + rng.uniform(0.5, 3, size=F) * (rng.normal(size=(T, F)) + 2 * trend)
        return {"series": series, "split": ChronologicalSplit(slice(0, a), slice(a, b), slice(b, T))}
    return Case(f"T={T}, F={F}, parts of random lengths", make)


STANDARDISE_CASES = [_standardise_case(20, 3), _standardise_case(12, 1), _standardise_case(40, 4),
                     _standardise_case(27, 2)]


def reference_standardise(series, split):
    return Standardiser.fit(series[split.train]).apply(series)


def _standardise_mistake(mean_days, std_days, ddof=0, divide=True):
    """Statistics over `mean_days` / `std_days`: "train", "train+val", "all", or "own" (each part its own)."""
    def standardise(series, split):
        def stats(days, part):
            rows = {"train": split.train, "train+val": slice(0, split.val.stop), "all": slice(None), "own": part}
            return series[rows[days]]
        parts = []
        for part in split:
            scale = stats(std_days, part).std(axis=0, ddof=ddof) if divide else 1.0
            parts.append((series[part] - stats(mean_days, part).mean(axis=0)) / scale)
        return np.concatenate(parts)
    return standardise


STANDARDISE_MISTAKES = [
    Mistake("the statistics come from the whole series, so the test days leak into the scaling: take the mean "
            "and the standard deviation from the training days only", _standardise_mistake("all", "all")),
    Mistake("each part is scaled by its own statistics: use the training days' mean and standard deviation on "
            "every part, as a forecaster must on days it has not seen yet", _standardise_mistake("own", "own")),
    Mistake("the statistics come from the training and validation days: the validation days are for judging "
            "the model, so take them from the training days only", _standardise_mistake("train+val", "train+val")),
    Mistake("the mean comes from the training days but the standard deviation from the whole series: take both "
            "from the training days", _standardise_mistake("train", "all")),
    Mistake("the standard deviation is the sample one (ddof=1): the course uses the population standard "
            "deviation, np.std's default (ddof=0)", _standardise_mistake("train", "train", ddof=1)),
    Mistake("the mean is subtracted but nothing is divided: divide by each feature's training standard deviation "
            "too", _standardise_mistake("train", "train", divide=False)),
]


def check_standardise(standardise):
    """Exercise 2 (build-it): `standardise(series, split)` -> (T, F), every day standardised with the mean and
    standard deviation (ddof=0) of each feature over the training days split.train only."""
    check_function(standardise, reference_standardise, STANDARDISE_CASES, STANDARDISE_MISTAKES, "standardise")
    passed("one mean and one standard deviation per feature, from the training days only, applied to every part: "
           "nothing about the validation or test days shapes the scaling.")


# Exercise 3 (build-it): the correlation of a forecast with the truth at a lag.
def _lag_case(T, lag):
    def make(rng):
        truth = rng.normal() * 5 + np.cumsum(rng.normal(size=T))  # a random walk, away from 0
        pred = np.concatenate([truth[:1], truth[:-1]]) + 0.5 * rng.normal(size=T)  # a noisy persistence forecast
        return {"pred": pred, "truth": truth, "lag": lag}
    return Case(f"T={T}, lag={lag}", make)


# The first case's lag is nonzero: the mistakes about the lag coincide with the reference at lag 0.
LAG_CASES = [_lag_case(20, 1), _lag_case(12, 0), _lag_case(6, -1), _lag_case(30, 2), _lag_case(9, -3)]


def reference_lag_correlation(pred, truth, lag):
    return metrics.lag_correlation(pred, truth, lag)


def _pairs(pred, truth, lag):
    T = len(pred)
    return (pred[lag:], truth[:T - lag]) if lag >= 0 else (pred[:T + lag], truth[-lag:])


def _lag_mistake(*, pairs=_pairs, centre=True, normalise=True, whole_means=False):
    def correlation(pred, truth, lag):
        a, b = pairs(pred, truth, lag)
        if whole_means:
            a, b = a - pred.mean(), b - truth.mean()
        elif centre:
            a, b = a - a.mean(), b - b.mean()
        return float(a @ b / np.sqrt((a @ a) * (b @ b))) if normalise else float(a @ b / len(a))
    return correlation


LAG_MISTAKES = [
    Mistake("the lag runs the wrong way: pred[t] is compared with truth[t + lag]; a positive lag compares each "
            "forecast with an earlier truth, truth[t - lag]", _lag_mistake(pairs=lambda p, t, lag: _pairs(p, t, -lag))),
    Mistake("the lag is ignored: the whole arrays are compared day by day; shift them against each other by lag "
            "and keep only the days where both exist", _lag_mistake(pairs=lambda p, t, lag: (p, t))),
    Mistake("np.roll wraps values around the end, so |lag| pairs compare days from opposite ends of the series: "
            "drop the days that have no partner instead", _lag_mistake(pairs=lambda p, t, lag: (p, np.roll(t, lag)))),
    Mistake("this is the covariance: a correlation divides it by the two standard deviations, so that it lies "
            "in [-1, 1]", _lag_mistake(normalise=False)),
    Mistake("the values are not centred: that is the cosine of the angle between them; subtract each side's "
            "mean over the compared days first", _lag_mistake(centre=False)),
    Mistake("the means are those of the whole arrays: take each side's mean over the compared days only, the pairs "
            "that the lag leaves", _lag_mistake(whole_means=True)),
]


def check_lag_correlation(lag_correlation):
    """Exercise 3 (build-it): `lag_correlation(pred, truth, lag)` -> float, Pearson's correlation of pred[t] with
    truth[t - lag] over the t where both exist, as `seqlearn.metrics.lag_correlation` (lag may be negative)."""
    check_function(lag_correlation, reference_lag_correlation, LAG_CASES, LAG_MISTAKES, "lag_correlation")
    passed("pred[t] against truth[t - lag] over the days where both exist, centred and scaled: a forecast that "
           "correlates best at lag 1 mostly repeats yesterday's value.")


# Exercise 4 (build-it): macro-F1 from gold and predicted tags.
def _f1_case(L, C, absent=(), never_predicted=()):
    """gold imbalanced over the classes not in `absent`, each of them present; pred mostly right, sometimes any
    class (absent ones included), and never one of `never_predicted`."""
    def make(rng):
        present = np.array([c for c in range(C) if c not in absent])
        gold = rng.choice(present, size=L, p=rng.dirichlet(np.full(len(present), 0.7)))
        gold[rng.permutation(L)[:len(present)]] = present
        pred = np.where(rng.random(L) < 0.35, rng.integers(C, size=L), gold)
        for c in never_predicted:
            pred[pred == c] = (c + 1) % C
        pred[rng.permutation(np.flatnonzero(np.isin(pred, never_predicted, invert=True)))[:len(absent)]] = absent
        return {"gold": gold.astype(np.int64), "pred": pred.astype(np.int64), "num_classes": C}
    label = "".join([f", class {c} never in gold" for c in absent] + [f", class {c} never predicted"
                                                                        for c in never_predicted])
    return Case(f"L={L}, num_classes={C}{label}", make)


# Prime lengths: the accuracy, k / L, can then never tie exactly with a mean of per-class fractions.
MACRO_F1_CASES = [_f1_case(199, 7, absent=(0, 5), never_predicted=(3,)), _f1_case(113, 5, absent=(4,),
                  never_predicted=(0,)), _f1_case(61, 4, absent=(2,)), _f1_case(23, 3, never_predicted=(1,))]


def reference_macro_f1(gold, pred, num_classes):
    return tag_scores(gold, pred, num_classes).macro_f1


def _per_class(gold, pred, num_classes):
    """-> precision, recall, f1 of every class, and the mask of the classes present in gold."""
    C = num_classes
    hits = np.bincount(gold[gold == pred], minlength=C).astype(float)
    support, predicted = np.bincount(gold, minlength=C), np.bincount(pred, minlength=C)
    precision = np.divide(hits, predicted, out=np.zeros(C), where=predicted > 0)
    recall = np.divide(hits, support, out=np.zeros(C), where=support > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(C), where=precision + recall > 0)
    return precision, recall, f1, support > 0


def _f1_of_means(gold, pred, num_classes):
    precision, recall, _, present = _per_class(gold, pred, num_classes)
    p, r = precision[present].mean(), recall[present].mean()
    return float(2 * p * r / (p + r)) if p + r > 0 else 0.0


MACRO_F1_MISTAKES = [
    Mistake("this is the accuracy, the fraction of positions tagged right (a micro average): macro-F1 is the mean "
            "of the per-class F1 scores, so that rare classes weigh as much as frequent ones",
            lambda gold, pred, num_classes: float(np.mean(gold == pred))),
    Mistake("the mean runs over all num_classes classes: leave out the classes that never occur in gold",
            lambda gold, pred, num_classes: float(_per_class(gold, pred, num_classes)[2].mean())),
    Mistake("this is the F1 of the mean precision and the mean recall: compute F1 for each class first, then "
            "take the mean of those", _f1_of_means),
    Mistake("this is the mean per-class recall (the balanced accuracy): each class's F1 combines its precision "
            "and its recall", lambda gold, pred, num_classes: float(np.mean(
                (r := _per_class(gold, pred, num_classes))[1][r[3]]))),
    Mistake("this is the mean per-class precision: each class's F1 combines its precision and its recall",
            lambda gold, pred, num_classes: float(np.mean((r := _per_class(gold, pred, num_classes))[0][r[3]]))),
]


def check_macro_f1(macro_f1):
    """Exercise 4 (build-it): `macro_f1(gold, pred, num_classes)` -> float, the mean of F1_c over the classes
    present in gold, as `seqlearn.tagging_baselines.tag_scores(...).macro_f1`."""
    check_function(macro_f1, reference_macro_f1, MACRO_F1_CASES, MACRO_F1_MISTAKES, "macro_f1")
    passed("one F1 per class from its own precision and recall, then their plain mean over the classes in gold: "
           "a rare class counts as much as a frequent one.")
