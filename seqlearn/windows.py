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

import datetime
import numbers
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from seqlearn.checks import check_finite, check_float_array, check_positive_int, check_same_dtype, check_shape


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
    if T < lookback + horizon:  # no window fits: an empty answer would hide the mistake
        raise ValueError(f"T must be at least lookback + horizon = {lookback + horizon} (one window), got T = {T}")
    return np.arange(lookback - 1, T - horizon, dtype=np.int64)


def windows_in(part, T, lookback, horizon):
    """-> (n,) int64: the indices of the windows (rows of make_windows' output) whose targets all lie in
    `part`, a slice of day indices such as split.val. Inputs may come from before the part (see the module).
    A part that holds no whole window is refused: training or scoring on no windows at all is a mistake."""
    start, stop = _part_bounds(part, T)
    origins = window_origins(T, lookback, horizon)
    keep = (origins + 1 >= start) & (origins + horizon <= stop - 1)
    if not keep.any():
        raise ValueError(f"part {part} holds no window: no window of lookback {lookback} and horizon {horizon} "
                         "has all of its target days in it")
    return np.flatnonzero(keep).astype(np.int64)


def _part_bounds(part, T):
    """(start, stop) of `part`, a slice of days with step 1 that lies inside 0..T (None: the start or the end)."""
    T = check_positive_int("T", T)
    if not isinstance(part, slice) or part.step not in (None, 1):
        raise TypeError(f"part must be a slice of days with step 1 (e.g. split.val), got {part!r}")
    start = 0 if part.start is None else part.start
    stop = T if part.stop is None else part.stop
    for bound in (start, stop):  # no wrapping of negative indices, no clipping at T: a part is what it says
        if isinstance(bound, bool) or not isinstance(bound, numbers.Integral) or not 0 <= bound <= T:
            raise ValueError(f"part must be a slice of days inside 0..T = {T} (e.g. split.val), got {part!r}")
    if start >= stop:
        raise ValueError(f"part must hold at least one day, got {part!r}")
    return int(start), int(stop)


def chronological_split(dates, val_start="2015-01-01", test_start="2015-07-01"):
    """dates (T,) consecutive datetime64[D] -> ChronologicalSplit: train is every day before `val_start`, val
    from `val_start` to the day before `test_start`, test from `test_start` on. Each part must hold a day."""
    if not isinstance(dates, np.ndarray) or dates.dtype != np.dtype("datetime64[D]") or dates.ndim != 1:
        what = f"{dates.dtype} {dates.shape}" if isinstance(dates, np.ndarray) else type(dates).__name__
        raise TypeError(f"dates must be a 1-D datetime64[D] array (T,), got {what}")
    if len(dates) < 3:
        raise ValueError(f"dates must hold at least 3 days (one per part), got {len(dates)}")
    if np.isnat(dates).any() or np.any(np.diff(dates).astype(np.int64) != 1):
        raise ValueError("dates must be consecutive days, oldest first")
    cuts = [_day("val_start", val_start), _day("test_start", test_start)]
    if not dates[0] < cuts[0] < cuts[1] <= dates[-1]:
        raise ValueError(f"need {dates[0]} < val_start < test_start <= {dates[-1]} so that no part is empty, "
                         f"got val_start={cuts[0]}, test_start={cuts[1]}")
    v, t = (int((c - dates[0]).astype(np.int64)) for c in cuts)
    return ChronologicalSplit(slice(0, v), slice(v, t), slice(t, len(dates)))


def _day(name, value):
    """A date given as 'YYYY-MM-DD', a datetime.date or a np.datetime64 -> np.datetime64 in days."""
    if not isinstance(value, str | datetime.date | np.datetime64):  # an int would count days from 1970
        raise TypeError(f"{name} must be a date such as '2015-01-01', got {type(value).__name__} {value!r}")
    try:
        day = np.datetime64(value, "D")
    except ValueError:
        raise ValueError(f"{name} must be a date such as '2015-01-01', got {value!r}") from None
    if np.isnat(day):
        raise ValueError(f"{name} must be a date such as '2015-01-01', got {value!r} (not a time)")
    return day


@dataclass(frozen=True)
class Standardiser:
    """Per-feature mean (F,) and std (F,), fitted on training days; x -> (x - mean) / std on any part."""

    mean: np.ndarray
    std: np.ndarray

    def __post_init__(self):
        check_finite("mean", check_float_array("mean", self.mean, ndim=1, dims="(F,)", allow_empty=False))
        check_shape("std", check_float_array("std", self.std, ndim=1, dims="(F,)"), self.mean.shape, "(F,) of mean")
        check_same_dtype("std", self.std, self.mean.dtype, "mean")
        if not np.all(self.std > 0) or not np.all(np.isfinite(self.std)):  # NaN fails `> 0` too
            raise ValueError(f"std must hold finite numbers > 0 (x is divided by it), got {self.std}")

    @classmethod
    def fit(cls, train):
        """train (T_train, F) float: the training days only (series[split.train]), never the whole series."""
        train = check_finite("train", check_float_array("train", train, ndim=2, dims="(T_train, F)"))
        if len(train) < 2:
            raise ValueError(f"train must hold at least 2 days to estimate a spread, got shape {train.shape}")
        mean, std = train.mean(axis=0), train.std(axis=0)
        if np.any(std == 0):
            raise ValueError(f"feature column(s) {np.flatnonzero(std == 0).tolist()} are constant in train: "
                             f"they cannot be standardised")
        return cls(mean, std)

    def apply(self, x):
        """x (..., F) float -> same shape, each feature standardised with the training mean and std."""
        x = check_same_dtype("x", check_float_array("x", x, allow_empty=False), self.mean.dtype, "the fitted mean")
        if x.ndim < 1 or x.shape[-1] != len(self.mean):
            raise ValueError(f"x must have F = {len(self.mean)} features in its last axis, got shape {x.shape}")
        return (x - self.mean) / self.std

    def invert(self, z, column):
        """z: standardised values of one feature `column` (any shape, e.g. forecasts (N, H)) -> data units."""
        z = check_same_dtype("z", check_float_array("z", z, allow_empty=False), self.std.dtype, "the fitted std")
        column = check_positive_int("column", column, minimum=0)
        if column >= len(self.mean):
            raise ValueError(f"column must be below F = {len(self.mean)}, got {column}")
        return z * self.std[column] + self.mean[column]
