"""The baselines a weather forecaster beats before anyone believes a neural net: chapter 9.

Every forecast here is an array (N, H): row i is made at forecast origin t_i (the last known day) for the days
t_i + 1 .. t_i + H, like the targets of `seqlearn.windows.make_windows`, and is scored with
`mae_per_horizon(pred, truth)`, the mean absolute error at each lead time h = 1..H, shape (H,).

- `persistence`: every future day is the last observed value ("tomorrow = today", for every h).
- `climatology`: the mean of the training years on the same day of the year, **smoothed** by a circular moving
  average over `smoothing_days` neighbouring days (default 31; 1 = the raw day-of-year mean). Three training
  years give three values per calendar day, too few for a raw mean to be a fair baseline. Days are placed on a
  366-day calendar, so 1 March is the same slot in every year and 29 February has a slot of its own.
- `sarimax_forecasts`: a classical SARIMAX model (statsmodels), fitted once on the training series and then run
  forward over the evaluation series with a rolling origin: each forecast uses the data up to its origin only.
  Regressors known in advance (the calendar) may enter as `exog`.

What turns numbers into a forecast or a score refuses NaN and inf (climatology's and SARIMAX's training values,
both arrays given to `mae_per_horizon`): a mean over a NaN is NaN, and statsmodels would take NaN for a missing
day without a word. `persistence` only copies values, so a NaN there stays a NaN.
"""

import numpy as np

from seqlearn.checks import (
    check_choice,
    check_finite,
    check_float_array,
    check_positive_int,
    check_same_dtype,
    check_shape,
)

SLOTS = 366  # days of a leap year: one calendar slot per day of the year
TRENDS = ("n", "c", "t", "ct")  # statsmodels' trends: none, a constant, a linear trend, both


def persistence(inputs, horizon, target_column):
    """inputs (N, lookback, F) -> (N, horizon): inputs[i, -1, target_column] repeated for each lead time."""
    inputs = check_float_array("inputs", inputs, ndim=3, dims="(N, lookback, F)", allow_empty=False)
    horizon = check_positive_int("horizon", horizon)
    target_column = check_positive_int("target_column", target_column, minimum=0)
    if target_column >= inputs.shape[2]:
        raise ValueError(f"target_column must be below F = {inputs.shape[2]}, got {target_column}")
    return np.repeat(inputs[:, -1, target_column][:, None], horizon, axis=1)


def calendar_slot(dates):
    """dates (any shape) datetime64[D] -> int64 of the same shape in 0..365: the day of a leap year."""
    dates = _check_dates("dates", dates)
    year_start = dates.astype("datetime64[Y]")
    year = year_start.astype(np.int64) + 1970
    day = (dates - year_start.astype("datetime64[D]")).astype(np.int64)  # 0 = 1 January
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    return day + ((~leap) & (day >= 59))  # in a common year, 1 March (day 59) moves to slot 60


def _check_dates(name, dates):
    """A datetime64[D] array (any shape) without NaT ("not a time" has no day of the year)."""
    if not isinstance(dates, np.ndarray) or dates.dtype != np.dtype("datetime64[D]"):
        what = dates.dtype if isinstance(dates, np.ndarray) else type(dates).__name__
        raise TypeError(f"{name} must be a datetime64[D] array, got {what}")
    if np.isnat(dates).any():
        where = tuple(np.argwhere(np.isnat(dates))[0].tolist())
        raise ValueError(f"{name} must hold dates, got NaT at position {where}")
    return dates


def climatology(train_dates, train_values, dates, smoothing_days=31):
    """train_dates (T,) datetime64[D], train_values (T,) float -> forecasts of the same shape as `dates`
    (e.g. the target days (N, H) of some windows): the smoothed day-of-year mean of the training values."""
    train_values = check_float_array("train_values", train_values, ndim=1, dims="(T,)", allow_empty=False)
    check_finite("train_values", train_values)
    check_shape("train_dates", _check_dates("train_dates", train_dates), train_values.shape, "(T,) of train_values")
    train_slots = calendar_slot(train_dates)
    _check_dates("dates", dates)
    smoothing_days = check_positive_int("smoothing_days", smoothing_days)
    if smoothing_days % 2 == 0 or smoothing_days > SLOTS:
        raise ValueError(f"smoothing_days must be odd (centred on the day) and at most {SLOTS}, got {smoothing_days}")
    sums = np.bincount(train_slots, weights=train_values, minlength=SLOTS)
    counts = np.bincount(train_slots, minlength=SLOTS).astype(np.float64)
    half = smoothing_days // 2
    # Circular moving sums: 31 December and 1 January are neighbours.
    sums = sum(np.roll(sums, k) for k in range(-half, half + 1))
    counts = sum(np.roll(counts, k) for k in range(-half, half + 1))
    wanted = calendar_slot(dates)
    empty = np.unique(wanted[counts[wanted] == 0])
    if empty.size:
        raise ValueError(f"dates fall on calendar slot(s) {empty.tolist()[:5]} (0 = 1 January) with no training day "
                         f"within {half} day(s): give more training years or a larger smoothing_days")
    return sums[wanted] / counts[wanted]


def mae_per_horizon(pred, truth):
    """pred (N, H), truth (N, H) -> (H,): the mean absolute error at each lead time, over the N forecasts."""
    pred = check_float_array("pred", pred, ndim=2, dims="(N, H)", allow_empty=False)
    truth = check_float_array("truth", truth, ndim=2, dims="(N, H)")
    check_shape("truth", truth, pred.shape, "(N, H) of pred")
    check_same_dtype("truth", truth, pred.dtype, "pred")
    check_finite("pred", pred)
    check_finite("truth", truth)
    return np.abs(pred - truth).mean(axis=0)


def sarimax_forecasts(train_series, eval_series, horizon, order=(1, 0, 0), trend="c", train_exog=None,
                      eval_exog=None):
    """train_series (T_train,), eval_series (T_eval,) float -> (N, horizon), N = T_eval - horizon + 1.

    Row j is the forecast of eval_series[j : j + horizon] made with the data up to eval_series[j - 1] (the
    training series alone for j = 0): a rolling origin. The parameters (`order` = (p, d, q), `trend` as in
    statsmodels' SARIMAX) are fitted once, by maximum likelihood on the training series; each evaluation day then
    only moves the Kalman filter one step forward (`results.extend`, no refit), so no parameter has seen an
    evaluation day. With eval_series = series[split.val], row j matches window `windows_in(split.val, ...)[j]`
    of `seqlearn.windows`. statsmodels is imported here, when called, so importing this module stays cheap.

    train_exog (T_train, k), eval_exog (T_eval, k): optional regressors known in advance for every day, such as
    the calendar (sin and cos of the day of the year): the model becomes a regression on them with ARMA errors,
    and row j reads eval_exog[j : j + horizon], the regressors of the days it forecasts. Give both or neither.
    """
    train_series = check_finite("train_series", check_float_array("train_series", train_series, ndim=1,
                                                                  dims="(T_train,)"))
    if len(train_series) < 3:  # a model with a constant and a lag needs a few days to be fitted at all
        raise ValueError(f"train_series must hold at least 3 days to fit the model, got {len(train_series)}")
    eval_series = check_float_array("eval_series", eval_series, ndim=1, dims="(T_eval,)")
    check_finite("eval_series", check_same_dtype("eval_series", eval_series, train_series.dtype, "train_series"))
    horizon = check_positive_int("horizon", horizon)
    N = len(eval_series) - horizon + 1
    if N < 1:
        raise ValueError(f"eval_series must hold at least horizon = {horizon} days, got {len(eval_series)}")
    order = _check_order(order)
    check_choice("trend", trend, TRENDS)
    if (train_exog is None) != (eval_exog is None):
        raise ValueError("give train_exog and eval_exog together (the regressors of both periods), or neither")
    if train_exog is not None:
        for name, exog, days, dims in (("train_exog", train_exog, len(train_series), "(T_train, k)"),
                                       ("eval_exog", eval_exog, len(eval_series), "(T_eval, k) with train_exog's k")):
            check_finite(name, check_float_array(name, exog, ndim=2, dims=dims, allow_empty=False))
            check_shape(name, check_same_dtype(name, exog, train_series.dtype, "train_series"),
                        (days, train_exog.shape[1]), dims)
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    def exog(rows):  # the regressors of those evaluation days, or None
        return None if eval_exog is None else eval_exog[rows].astype(np.float64)

    fitted = SARIMAX(train_series.astype(np.float64), exog=None if train_exog is None else train_exog.astype(
        np.float64), order=order, trend=trend).fit(disp=False)
    out = np.empty((N, horizon))
    for j in range(N):
        if j > 0:  # the origin moves one day: the filter takes in eval_series[j - 1], the parameters stay
            fitted = fitted.extend(eval_series[j - 1:j].astype(np.float64), exog=exog(slice(j - 1, j)))
        out[j] = fitted.forecast(horizon, exog=exog(slice(j, j + horizon)))
    return out


def _check_order(order):
    """SARIMAX's (p, d, q): a tuple or list of three ints >= 0."""
    if not isinstance(order, tuple | list) or len(order) != 3:
        raise TypeError(f"order must be a tuple (p, d, q) of three ints, got {order!r}")
    return tuple(check_positive_int(f"order[{i}]", k, minimum=0) for i, k in enumerate(order))
