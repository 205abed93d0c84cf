"""Daily weather in Seattle and New York, 2012-2015 (NOAA, public domain): the real time series of chapter 9.

`load_weather(location)` finds and verifies `weather.csv` through `seqlearn.data` (SEQLEARN_DATA_DIR, cache,
download, sha256) and returns one location's days as a `Weather`:

- `dates`          datetime64[D], shape (T,): consecutive days, one row each, oldest first;
- `features`       float64, shape (T, F) with F = 4: one row per day, columns in `feature_names`;
- `feature_names`  ("precipitation", "temp_max", "temp_min", "wind"): mm, deg C, deg C, m/s.

The file's last column, `weather` (a word such as "rain"), is a label, not a measurement, and is not read.
`read_weather_csv(path, location)` does the parsing for any file of that layout (the tests use it on small ones).
A file is refused, with the row and the column named, if a column is missing, a value is missing or not a finite
number, or the days of the location are not consecutive: a forecast on a series with a hole would silently
compare a day with the wrong "tomorrow".
"""

import csv
from typing import NamedTuple

import numpy as np

from seqlearn.checks import check_path, check_text
from seqlearn.data import WEATHER, corpus_path

FEATURE_NAMES = ("precipitation", "temp_max", "temp_min", "wind")
COLUMNS = ("location", "date") + FEATURE_NAMES


class Weather(NamedTuple):
    """dates (T,) datetime64[D], features (T, F) float64, feature_names: F names, the columns of `features`."""

    dates: np.ndarray
    features: np.ndarray
    feature_names: tuple


def load_weather(location="Seattle", cache_dir=None):
    """-> Weather of one location ("Seattle" or "New York") from the verified course copy of weather.csv."""
    check_text("location", location)
    if cache_dir is not None:
        check_path("cache_dir", cache_dir)
    return read_weather_csv(corpus_path(WEATHER, cache_dir), location)


def read_weather_csv(path, location):
    """-> Weather of `location` from a CSV with the columns location, date, precipitation, temp_max, temp_min,
    wind (others, such as `weather`, are ignored). Rows are numbered as a spreadsheet does: the header is row 1.
    A missing file, or a directory, is a FileNotFoundError naming `path`."""
    check_path("path", path, must_exist="file")
    check_text("location", location)
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            unexpected = [c for c in header if c not in COLUMNS and c != "weather"]
            also = f"; it has columns not expected: {', '.join(unexpected)}" if unexpected else ""
            raise ValueError(f"{path} lacks the column(s) {', '.join(missing)} (expected {', '.join(COLUMNS)}, "
                             f"got {', '.join(header) or 'no header'}){also}")
        rows = [(number, row) for number, row in enumerate(reader, start=2)]
    known = list(dict.fromkeys(row["location"] for _, row in rows))
    if location not in known:
        raise ValueError(f"unknown location {location!r}; {path} has: {', '.join(map(repr, known))}")
    mine = [(number, row) for number, row in rows if row["location"] == location]
    dates = np.array([_date(path, number, row["date"]) for number, row in mine], dtype="datetime64[D]")
    features = np.array([[_number(path, number, name, row[name]) for name in FEATURE_NAMES]
                         for number, row in mine], dtype=np.float64).reshape(len(mine), len(FEATURE_NAMES))
    steps = np.diff(dates).astype(np.int64)
    if np.any(steps != 1):
        i = int(np.flatnonzero(steps != 1)[0])
        raise ValueError(f"{path}: the days of {location} are not consecutive: row {mine[i + 1][0]} is "
                         f"{dates[i + 1]}, but the previous {location} row ({mine[i][0]}) is {dates[i]}")
    return Weather(dates, features, FEATURE_NAMES)


def _date(path, number, text):
    try:
        return np.datetime64(text, "D")
    except ValueError:
        raise ValueError(f"{path}, row {number}: date must be YYYY-MM-DD, got {text!r}") from None


def _number(path, number, name, text):
    if text is None or text.strip() == "":
        raise ValueError(f"{path}, row {number}: {name} is missing")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{path}, row {number}: {name} must be a number, got {text!r}") from None
    if not np.isfinite(value):
        raise ValueError(f"{path}, row {number}: {name} must be a finite number, got {text!r}")
    return value
