"""Forecasting windows cut from one series, a chronological split, and a standardiser fitted on training days.

A series is float (T, F): T consecutive days, F features. A window looks back `lookback` days and forecasts
`horizon` days of one column. The window that *ends* at day t (its forecast origin) is

    inputs  = series[t - lookback + 1 .. t]             all F features, shape (lookback, F)
    targets = series[t + 1 .. t + horizon, target]      shape (horizon,)

so every target lies strictly after every input: no target is ever inside its own window.
`make_windows` returns them batch-major, inputs (N, lookback, F) and targets (N, horizon), with
N = T - lookback - horizon + 1 and window i ending at t = i + lookback - 1 (`window_origins`).
The course's RNNs are time-major, x (T, N, D): the caller converts with `inputs.transpose(1, 0, 2)`, which gives
(lookback, N, F); the module leaves that step visible rather than hiding it behind a flag.

`chronological_split(dates)` cuts the days into three contiguous parts: train (2012-2014), validation (the first
half of 2015) and test (the second half), or at any two dates given.

The rule against leakage (`windows_in`): **a window belongs to the part that holds all of its targets.** Its
inputs may reach back into an earlier part (at a forecast origin in 2015 the past is known; that is what a
forecaster has), but nothing ever comes from a later part, because inputs precede targets. A window whose
targets straddle a boundary belongs to no part and is dropped. So a training window's inputs and targets are
training days only: no validation or test target is ever seen in training, as input or as target.

`Standardiser.fit(series[split.train])` takes the mean and standard deviation of each feature from the training
days only, and `apply` uses those same numbers on every part; `invert` brings forecasts back to the data's units.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from seqlearn.checks import check_float_array, check_positive_int


class ChronologicalSplit(NamedTuple):
    """train, val, test: slices of day indices, contiguous and in that order (train first)."""

    train: slice
    val: slice
    test: slice


def make_windows(series, lookback, horizon, target_column):
    """series (T, F) float -> inputs (N, lookback, F), targets (N, horizon), N = T - lookback - horizon + 1.

    Window i ends at t = i + lookback - 1: inputs[i] = series[i : t + 1], targets[i] = series[t + 1 : t + 1 +
    horizon, target_column]. Both are copies, so changing them never changes `series`.
    """
    series = check_float_array("series", series, ndim=2, dims="(T, F)")
    T, F = series.shape
    lookback = check_positive_int("lookback", lookback)
    horizon = check_positive_int("horizon", horizon)
    target_column = check_positive_int("target_column", target_column, minimum=0)
    if target_column >= F:
        raise ValueError(f"target_column must be below F = {F} (series has shape {series.shape}), "
                         f"got {target_column}")
    N = T - lookback - horizon + 1
    if N < 1:
        raise ValueError(f"a window needs lookback + horizon = {lookback + horizon} days, series has T = {T}")
    origins = window_origins(T, lookback, horizon)
    days = np.arange(lookback)[None, :] + origins[:, None] - lookback + 1  # (N, lookback) day indices
    ahead = np.arange(1, horizon + 1)[None, :] + origins[:, None]  # (N, horizon) day indices
    return series[days], series[ahead, target_column]


def window_origins(T, lookback, horizon):
    """-> (N,) int64: the forecast origin t (the last input day) of each window make_windows cuts from T days."""
    T = check_positive_int("T", T)
    lookback = check_positive_int("lookback", lookback)
    horizon = check_positive_int("horizon", horizon)
    return np.arange(lookback - 1, T - horizon, dtype=np.int64)


def windows_in(part, T, lookback, horizon):
    """-> (n,) int64: the indices of the windows (rows of make_windows' output) whose targets all lie in
    `part`, a slice of day indices such as split.val. Inputs may come from before the part (see the module)."""
    if not isinstance(part, slice) or part.step not in (None, 1):
        raise TypeError(f"part must be a slice of days with step 1 (e.g. split.val), got {part!r}")
    start, stop, _ = part.indices(check_positive_int("T", T))
    origins = window_origins(T, lookback, horizon)
    keep = (origins + 1 >= start) & (origins + horizon <= stop - 1)
    return np.flatnonzero(keep).astype(np.int64)


def chronological_split(dates, val_start="2015-01-01", test_start="2015-07-01"):
    """dates (T,) consecutive datetime64[D] -> ChronologicalSplit: train is every day before `val_start`, val
    from `val_start` to the day before `test_start`, test from `test_start` on. Each part must hold a day."""
    if not isinstance(dates, np.ndarray) or dates.dtype != np.dtype("datetime64[D]") or dates.ndim != 1:
        what = f"{dates.dtype} {dates.shape}" if isinstance(dates, np.ndarray) else type(dates).__name__
        raise TypeError(f"dates must be a 1-D datetime64[D] array (T,), got {what}")
    if np.any(np.diff(dates).astype(np.int64) != 1):
        raise ValueError("dates must be consecutive days, oldest first")
    cuts = []
    for name, value in (("val_start", val_start), ("test_start", test_start)):
        try:
            cuts.append(np.datetime64(value, "D"))
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a date such as '2015-01-01', got {value!r}") from None
    if not dates[0] < cuts[0] < cuts[1] <= dates[-1]:
        raise ValueError(f"need {dates[0]} < val_start < test_start <= {dates[-1]} so that no part is empty, "
                         f"got val_start={cuts[0]}, test_start={cuts[1]}")
    v, t = (int((c - dates[0]).astype(np.int64)) for c in cuts)
    return ChronologicalSplit(slice(0, v), slice(v, t), slice(t, len(dates)))


@dataclass(frozen=True)
class Standardiser:
    """Per-feature mean (F,) and std (F,), fitted on training days; x -> (x - mean) / std on any part."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, train):
        """train (T_train, F) float: the training days only (series[split.train]), never the whole series."""
        train = check_float_array("train", train, ndim=2, dims="(T_train, F)")
        if len(train) < 2:
            raise ValueError(f"train must hold at least 2 days to estimate a spread, got shape {train.shape}")
        mean, std = train.mean(axis=0), train.std(axis=0)
        if np.any(std == 0):
            raise ValueError(f"feature column(s) {np.flatnonzero(std == 0).tolist()} are constant in train: "
                             f"they cannot be standardised")
        return cls(mean, std)

    def apply(self, x):
        """x (..., F) float -> same shape, each feature standardised with the training mean and std."""
        x = check_float_array("x", x)
        if x.ndim < 1 or x.shape[-1] != len(self.mean):
            raise ValueError(f"x must have F = {len(self.mean)} features in its last axis, got shape {x.shape}")
        return (x - self.mean) / self.std

    def invert(self, z, column):
        """z: standardised values of one feature `column` (any shape, e.g. forecasts (N, H)) -> data units."""
        z = check_float_array("z", z)
        column = check_positive_int("column", column, minimum=0)
        if column >= len(self.mean):
            raise ValueError(f"column must be below F = {len(self.mean)}, got {column}")
        return z * self.std[column] + self.mean[column]
