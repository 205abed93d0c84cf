"""Forecasting windows, the chronological split, the standardiser, and the baselines of chapter 9."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from seqlearn.forecast_baselines import calendar_slot, climatology, mae_per_horizon, persistence, sarimax_forecasts
from seqlearn.weather import load_weather
from seqlearn.windows import Standardiser, chronological_split, make_windows, window_origins, windows_in


def days(start, n):
    return np.datetime64(start, "D") + np.arange(n)


# Windows ---------------------------------------------------------------------------------------------------------

def test_windows_by_hand():
    series = np.arange(12.0).reshape(6, 2)  # day d holds (2d, 2d + 1)
    inputs, targets = make_windows(series, lookback=2, horizon=3, target_column=1)
    assert inputs.shape == (2, 2, 2) and targets.shape == (2, 3)
    np.testing.assert_array_equal(inputs[0], [[0, 1], [2, 3]])  # days 0, 1: origin t = 1
    np.testing.assert_array_equal(targets[0], [5, 7, 9])  # days 2, 3, 4, column 1
    np.testing.assert_array_equal(targets[1], [7, 9, 11])
    np.testing.assert_array_equal(window_origins(6, 2, 3), [1, 2])
    assert inputs.transpose(1, 0, 2).shape == (2, 2, 2)  # time-major (lookback, N, F) for the course's RNNs


@given(T=st.integers(2, 40), F=st.integers(1, 4), lookback=st.integers(1, 10), horizon=st.integers(1, 10),
       data=st.data())
def test_a_target_is_never_inside_its_own_input(T, F, lookback, horizon, data):
    """Each day's value is its own index, so a window shows which days it took."""
    if lookback + horizon > T:
        with pytest.raises(ValueError, match="a window needs lookback \\+ horizon"):
            make_windows(np.zeros((T, F)), lookback, horizon, 0)
        return
    target_column = data.draw(st.integers(0, F - 1))
    series = np.repeat(np.arange(T, dtype=np.float64)[:, None], F, axis=1)
    inputs, targets = make_windows(series, lookback, horizon, target_column)
    N = T - lookback - horizon + 1
    assert inputs.shape == (N, lookback, F) and targets.shape == (N, horizon)
    assert np.all(targets.min(axis=1) > inputs[:, :, target_column].max(axis=1))  # every target after every input
    assert np.all(np.diff(inputs[:, :, 0], axis=1) == 1) and np.all(np.diff(targets, axis=1) == 1)  # contiguous
    np.testing.assert_array_equal(inputs[:, -1, 0], window_origins(T, lookback, horizon))
    np.testing.assert_array_equal(targets[:, 0], inputs[:, -1, 0] + 1)  # the first target is the next day


def test_window_input_errors():
    with pytest.raises(ValueError, match="series must have 2 dimensions \\(T, F\\), got shape \\(5,\\)"):
        make_windows(np.zeros(5), 2, 1, 0)
    with pytest.raises(TypeError, match="floating dtype"):
        make_windows(np.zeros((5, 2), dtype=int), 2, 1, 0)
    with pytest.raises(ValueError, match="target_column must be below F = 2"):
        make_windows(np.zeros((5, 2)), 2, 1, 2)
    with pytest.raises(TypeError, match="lookback must be an int"):
        make_windows(np.zeros((5, 2)), 2.0, 1, 0)


# The split and the leakage rule -----------------------------------------------------------------------------------

def test_default_split_is_2012_2014_then_two_halves_of_2015():
    dates = days("2012-01-01", 1461)
    split = chronological_split(dates)
    assert dates[split.train][[0, -1]].tolist() == dates[[0, 1095]].tolist()
    assert str(dates[split.train][-1]) == "2014-12-31"
    assert str(dates[split.val][0]) == "2015-01-01" and str(dates[split.val][-1]) == "2015-06-30"
    assert str(dates[split.test][0]) == "2015-07-01" and split.test.stop == 1461
    custom = chronological_split(dates, "2014-01-01", "2015-01-01")
    assert str(dates[custom.test][0]) == "2015-01-01"


def test_split_errors():
    dates = days("2012-01-01", 30)
    with pytest.raises(ValueError, match="val_start < test_start"):
        chronological_split(dates)  # 2015 is not in these dates: the parts would be empty
    with pytest.raises(ValueError, match="consecutive"):
        chronological_split(dates[::2], "2012-01-05", "2012-01-10")
    with pytest.raises(TypeError, match="datetime64\\[D\\]"):
        chronological_split(np.arange(30.0))
    with pytest.raises(ValueError, match="val_start must be a date"):
        chronological_split(dates, "soon", "2012-01-10")


@given(T=st.integers(12, 60), lookback=st.integers(1, 5), horizon=st.integers(1, 5), data=st.data())
def test_windows_of_a_part_have_their_targets_in_it(T, lookback, horizon, data):
    v = data.draw(st.integers(1, T - 2))
    t = data.draw(st.integers(v + 1, T - 1))
    split = chronological_split(days("2012-01-01", T), str(days("2012-01-01", T)[v]), str(days("2012-01-01", T)[t]))
    if lookback + horizon > T:
        return
    inputs, targets = make_windows(np.arange(T, dtype=np.float64)[:, None], lookback, horizon, 0)

    def windows_of(part):  # a part too short for a single window is refused, not answered with no windows
        try:
            return windows_in(part, T, lookback, horizon)
        except ValueError as error:
            assert f"part {part} holds no window" in str(error)
            return np.array([], dtype=np.int64)

    for part in split:
        chosen = windows_of(part)
        assert np.all((targets[chosen] >= part.start) & (targets[chosen] < part.stop))
        # A window has inputs from later parts never; a training window has nothing but training days.
        assert np.all(inputs[chosen] < part.stop)
    train_windows = windows_of(split.train)
    assert np.all(inputs[train_windows] < v) and np.all(targets[train_windows] < v)
    # No window is lost but those that straddle a boundary or lack lookback days: origins max(v, lookback) - 1
    # .. t - horizon - 1. None at all is the refusal above.
    assert len(windows_of(split.val)) == max(0, t - horizon - max(v, lookback) + 1)


# The standardiser: statistics from training days only ----------------------------------------------------------

def test_standardiser_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    series = rng.normal(size=(100, 3))
    split = chronological_split(days("2012-01-01", 100), "2012-03-11", "2012-03-26")
    scaler = Standardiser.fit(series[split.train])
    leaked = series.copy()
    leaked[split.val.start:] += 1000.0  # validation and test change beyond recognition
    again = Standardiser.fit(leaked[split.train])
    np.testing.assert_array_equal(again.mean, scaler.mean)  # ...which must not move the statistics
    np.testing.assert_array_equal(again.apply(leaked)[split.train], scaler.apply(series)[split.train])
    z = scaler.apply(series)
    np.testing.assert_allclose(z[split.train].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(z[split.train].std(axis=0), 1)
    assert not np.allclose(z[split.test].mean(axis=0), 0, atol=1e-6)  # test is scaled by train's numbers
    np.testing.assert_allclose(scaler.invert(z[:, 2], column=2), series[:, 2])
    np.testing.assert_allclose(scaler.apply(series[None, :5]), z[None, :5])  # works on (N, lookback, F) too


def test_standardiser_errors():
    with pytest.raises(ValueError, match="column\\(s\\) \\[1\\] are constant"):
        Standardiser.fit(np.array([[1.0, 2.0], [3.0, 2.0]]))
    scaler = Standardiser.fit(np.array([[1.0, 2.0], [3.0, 5.0]]))
    with pytest.raises(ValueError, match="F = 2 features in its last axis, got shape \\(4, 3\\)"):
        scaler.apply(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="column must be below F = 2"):
        scaler.invert(np.zeros(3), column=2)


# Baselines by hand ----------------------------------------------------------------------------------------------

def test_persistence_repeats_the_last_observed_value():
    series = np.array([[1.0, 10], [2, 20], [4, 40], [8, 80], [16, 160]])
    inputs, targets = make_windows(series, lookback=2, horizon=2, target_column=1)
    np.testing.assert_array_equal(persistence(inputs, 2, 1), [[20, 20], [40, 40]])
    # h=1: |40 - 20| and |80 - 40|; h=2: |80 - 20| and |160 - 40|.
    np.testing.assert_array_equal(mae_per_horizon(persistence(inputs, 2, 1), targets), [30, 90])


def test_climatology_by_hand():
    train_dates = np.array(["2013-01-01", "2014-01-01", "2013-01-02", "2013-12-31"], dtype="datetime64[D]")
    values = np.array([1.0, 3.0, 10.0, 7.0])
    raw = climatology(train_dates, values, np.array([["2015-01-01", "2015-01-02"]], dtype="datetime64[D]"), 1)
    np.testing.assert_array_equal(raw, [[2.0, 10.0]])  # mean of 1 and 3; the one 2 January
    # Three-day window, circular: 1 January sees 31 December, 1 and 2 January: (7 + 1 + 3 + 10) / 4.
    smooth = climatology(train_dates, values, np.array(["2016-01-01"], dtype="datetime64[D]"), 3)
    np.testing.assert_allclose(smooth, [21 / 4])
    with pytest.raises(ValueError, match="no training day within 0 day"):
        climatology(train_dates, values, np.array(["2015-06-01"], dtype="datetime64[D]"), 1)
    with pytest.raises(ValueError, match="smoothing_days must be odd"):
        climatology(train_dates, values, train_dates, 4)


def test_calendar_slots_put_1_march_in_one_place():
    dates = np.array(["2012-02-28", "2012-02-29", "2012-03-01", "2013-02-28", "2013-03-01", "2013-12-31",
                      "2012-12-31"], dtype="datetime64[D]")
    np.testing.assert_array_equal(calendar_slot(dates), [58, 59, 60, 58, 60, 365, 365])


def test_mae_per_horizon_by_hand_and_errors():
    pred = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    truth = np.array([[2.0, 2.0, 0.0], [1.0, -4.0, 1.0]])
    np.testing.assert_array_equal(mae_per_horizon(pred, truth), [1.0, 2.0, 2.0])
    with pytest.raises(ValueError, match="truth must have shape"):
        mae_per_horizon(pred, truth[:, :2])
    with pytest.raises(ValueError, match="pred must be finite"):
        mae_per_horizon(np.full((2, 3), np.nan), truth)


# SARIMAX -----------------------------------------------------------------------------------------------------------

def test_sarimax_on_an_ar1_series_matches_the_ar_forecast_and_beats_persistence():
    rng = np.random.default_rng(0)
    phi, c, n = 0.6, 2.0, 900  # x_t = c + phi x_{t-1} + noise; mean c / (1 - phi) = 5
    x = np.empty(n)
    x[0] = 5.0
    for t in range(1, n):
        x[t] = c + phi * x[t - 1] + rng.normal()
    train, evaluation, H = x[:700], x[700:], 3
    pred = sarimax_forecasts(train, evaluation, H)
    assert pred.shape == (len(evaluation) - H + 1, H)
    origins = np.concatenate([train[-1:], evaluation[:-H]])  # the last observed value before each row
    mean = c / (1 - phi)
    known = np.stack([mean + phi ** h * (origins - mean) for h in range(1, H + 1)], axis=1)
    np.testing.assert_allclose(pred, known, atol=0.15)  # fitted phi and c are close to the true ones
    truth = np.lib.stride_tricks.sliding_window_view(evaluation, H)
    ours, naive = mae_per_horizon(pred, truth), mae_per_horizon(np.repeat(origins[:, None], H, 1), truth)
    assert np.all(ours < naive)


def test_sarimax_uses_only_data_up_to_each_origin():
    rng = np.random.default_rng(1)
    x = rng.normal(size=300)
    pred = sarimax_forecasts(x[:200], x[200:], 2)
    changed = x.copy()
    changed[250:] += 100.0  # the future after origin 249 changes...
    again = sarimax_forecasts(changed[:200], changed[200:], 2)
    np.testing.assert_array_equal(again[:51], pred[:51])  # ...rows 0..50 (origins 199..249) do not
    assert not np.allclose(again[51:], pred[51:])
    with pytest.raises(ValueError, match="at least horizon = 5 days"):
        sarimax_forecasts(x[:200], x[200:204], 5)


@pytest.mark.corpora
def test_real_weather_windows_and_baselines_line_up():
    w = load_weather("Seattle")
    split = chronological_split(w.dates)
    lookback, H, column = 14, 7, w.feature_names.index("temp_max")
    inputs, targets = make_windows(w.features, lookback, H, column)
    val = windows_in(split.val, len(w.dates), lookback, H)
    assert len(val) == split.val.stop - split.val.start - H + 1
    y = w.features[:, column]
    pred = sarimax_forecasts(y[split.train], y[split.val], H)
    np.testing.assert_array_equal(np.lib.stride_tricks.sliding_window_view(y[split.val], H), targets[val])
    mae = mae_per_horizon(pred, targets[val])
    assert mae.shape == (H,) and mae[0] < mae_per_horizon(persistence(inputs[val], H, column), targets[val])[0]


def test_sarimax_with_calendar_regressors_learns_a_seasonal_mean():
    rng = np.random.default_rng(2)
    days = np.arange(1200)
    season = np.column_stack([np.sin(2 * np.pi * days / 365), np.cos(2 * np.pi * days / 365)])
    x = 10 + 8 * season[:, 0] + rng.normal(size=1200)  # a seasonal mean plus white noise
    plain = sarimax_forecasts(x[:1000], x[1000:], 3)
    with_calendar = sarimax_forecasts(x[:1000], x[1000:], 3, train_exog=season[:1000], eval_exog=season[1000:])
    truth = np.lib.stride_tricks.sliding_window_view(x[1000:], 3)
    ours, without = mae_per_horizon(with_calendar, truth), mae_per_horizon(plain, truth)
    assert np.all(ours < 0.9) and np.all(ours < without - 0.05)  # white noise has MAE 0.8 at best
    # row j reads the regressors of the days it forecasts, and nothing after them
    changed = season.copy()
    changed[1100:] += 5.0
    again = sarimax_forecasts(x[:1000], x[1000:], 3, train_exog=season[:1000], eval_exog=changed[1000:])
    np.testing.assert_array_equal(again[:98], with_calendar[:98])
    for kwargs, message in [(dict(train_exog=season[:1000]), "give train_exog and eval_exog together"),
                            (dict(train_exog=season[:999], eval_exog=season[1000:]), "train_exog must have shape"),
                            (dict(train_exog=season[:1000], eval_exog=season[1000:, :1]), "eval_exog must have shape")]:
        with pytest.raises(ValueError, match=message):
            sarimax_forecasts(x[:1000], x[1000:], 3, **kwargs)
