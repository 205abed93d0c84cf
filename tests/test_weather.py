import hashlib

import numpy as np
import pytest

from seqlearn import weather
from seqlearn.data import DATA_DIR_VARIABLE, WEATHER, Corpus, CorpusError
from seqlearn.weather import FEATURE_NAMES, load_weather, read_weather_csv

HEADER = "location,date,precipitation,temp_max,temp_min,wind,weather\n"
GOOD = HEADER + (
    "Seattle,2012-01-01,0.0,12.8,5.0,4.7,drizzle\n"
    "Seattle,2012-01-02,10.9,10.6,2.8,4.5,rain\n"
    "Seattle,2012-01-03,0.8,11.7,7.2,2.3,rain\n"
    "New York,2012-01-01,0.0,10.6,3.9,4.2,sun\n"
    "New York,2012-01-02,0.0,4.4,-4.4,6.2,sun\n"
)


def write(tmp_path, text, name="weather.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_reads_one_location_in_order(tmp_path):
    w = read_weather_csv(write(tmp_path, GOOD), "Seattle")
    assert w.dates.dtype == np.dtype("datetime64[D]") and w.dates.tolist() == list(
        np.array(["2012-01-01", "2012-01-02", "2012-01-03"], dtype="datetime64[D]"))
    assert w.features.dtype == np.float64 and w.features.shape == (3, 4)
    assert w.feature_names == ("precipitation", "temp_max", "temp_min", "wind") == FEATURE_NAMES
    np.testing.assert_array_equal(w.features[1], [10.9, 10.6, 2.8, 4.5])
    assert read_weather_csv(write(tmp_path, GOOD), "New York").features[1, 2] == -4.4


def test_unknown_location_lists_the_known_ones(tmp_path):
    with pytest.raises(ValueError, match="unknown location 'Paris'.*'Seattle', 'New York'"):
        read_weather_csv(write(tmp_path, GOOD), "Paris")
    with pytest.raises(TypeError, match="location must be a str"):
        load_weather(None)


def test_missing_or_renamed_column_is_named(tmp_path):
    renamed = GOOD.replace("temp_max", "tmax", 1)
    with pytest.raises(ValueError, match="lacks the column\\(s\\) temp_max .* not expected: tmax"):
        read_weather_csv(write(tmp_path, renamed), "Seattle")
    dropped = "\n".join(",".join(line.split(",")[:5]) for line in GOOD.splitlines())  # no wind, no weather
    with pytest.raises(ValueError, match="lacks the column\\(s\\) wind"):
        read_weather_csv(write(tmp_path, dropped), "Seattle")


@pytest.mark.parametrize("bad, message", [
    ("Seattle,2012-01-02,,10.6,2.8,4.5,rain", "row 3: precipitation is missing"),
    ("Seattle,2012-01-02,10.9,warm,2.8,4.5,rain", "row 3: temp_max must be a number, got 'warm'"),
    ("Seattle,2012-01-02,10.9,10.6,nan,4.5,rain", "row 3: temp_min must be a finite number"),
    ("Seattle,2012-01-02,10.9,10.6,2.8", "row 3: wind is missing"),  # a short row
    ("Seattle,02/01/2012,10.9,10.6,2.8,4.5,rain", "row 3: date must be YYYY-MM-DD"),
])
def test_bad_value_names_row_and_column(tmp_path, bad, message):
    lines = GOOD.splitlines()
    lines[2] = bad
    with pytest.raises(ValueError, match=message):
        read_weather_csv(write(tmp_path, "\n".join(lines) + "\n"), "Seattle")


def test_days_must_be_consecutive(tmp_path):
    gap = GOOD.replace("Seattle,2012-01-02,10.9,10.6,2.8,4.5,rain\n", "")
    with pytest.raises(ValueError, match="not consecutive: row 3 is 2012-01-03, but the previous Seattle row "
                                         "\\(2\\) is 2012-01-01"):
        read_weather_csv(write(tmp_path, gap), "Seattle")
    repeated = GOOD.replace("Seattle,2012-01-03", "Seattle,2012-01-02")
    with pytest.raises(ValueError, match="not consecutive: row 4 is 2012-01-02"):
        read_weather_csv(write(tmp_path, repeated), "Seattle")


def test_load_goes_through_the_verified_corpus(tmp_path, monkeypatch):
    """load_weather uses seqlearn.data: the file in SEQLEARN_DATA_DIR is used once its sha256 matches."""
    monkeypatch.setattr(weather, "WEATHER", Corpus("weather.csv", "file:///nowhere/weather.csv",
                                                   hashlib.sha256(GOOD.encode()).hexdigest()))
    write(tmp_path, GOOD)
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path))
    assert load_weather("New York", cache_dir=tmp_path / "cache").features.shape == (2, 4)


def test_corrupt_file_is_refused_by_checksum(tmp_path, monkeypatch):
    write(tmp_path, GOOD)  # a well-formed file, but not the course's copy
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path))
    with pytest.raises(CorpusError, match=f"weather.csv \\(from {DATA_DIR_VARIABLE}\\) has sha256 .* expected "
                                          f"{WEATHER.sha256}"):
        load_weather(cache_dir=tmp_path / "cache")


def test_missing_file_is_an_error_naming_file_and_variable(tmp_path, monkeypatch):
    gone = Corpus("weather.csv", (tmp_path / "nowhere" / "weather.csv").as_uri(), WEATHER.sha256)
    monkeypatch.setattr(weather, "WEATHER", gone)  # no network in tests: the "upstream" is a missing local file
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path))
    with pytest.raises(CorpusError, match=f"could not download weather.csv .*set {DATA_DIR_VARIABLE}"):
        load_weather(cache_dir=tmp_path / "cache")


@pytest.mark.corpora
@pytest.mark.parametrize("location", ["Seattle", "New York"])
def test_real_file_has_four_years_of_days(location):
    w = load_weather(location)
    assert w.dates[0] == np.datetime64("2012-01-01") and w.dates[-1] == np.datetime64("2015-12-31")
    assert w.features.shape == (1461, 4) and np.all(np.isfinite(w.features))
    precipitation, temp_max, temp_min, wind = w.features.T
    assert precipitation.min() >= 0 and wind.min() >= 0 and np.all(temp_max >= temp_min)
