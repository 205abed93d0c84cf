"""Regressions of issue 17 in the applications (chapters 9 and 10) and the chapters' helpers: each test is one
input that used to be accepted silently, or to fail deep inside, and is now refused with a message naming the
argument (or, where the answer was wrong, the right answer)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from seqlearn import authorship
from seqlearn.authorship import author_lines, authorship_split, cut_pieces
from seqlearn.code_tags import label_characters, stdlib_files, tags_to_letters, truncate
from seqlearn.data import DATA_DIR_VARIABLE
from seqlearn.diagrams import draw_architecture, draw_bidirectional, draw_unrolled
from seqlearn.forecast_baselines import calendar_slot, climatology, mae_per_horizon, persistence, sarimax_forecasts
from seqlearn.naive_bayes import CharNaiveBayes, char_ngrams
from seqlearn.plotting import plot_confusion, plot_perplexity, plot_tagged_text
from seqlearn.reversal import pad_pairs, reversal_split
from seqlearn.show import show_source
from seqlearn.tagging_baselines import tag_scores
from seqlearn.training import History
from seqlearn.vocab import Vocab
from seqlearn.weather import load_weather, read_weather_csv
from seqlearn.windows import Standardiser, chronological_split, window_origins, windows_in

DAYS = np.datetime64("2012-01-01") + np.arange(10)
SERIES = np.arange(20.0).reshape(10, 2) ** 1.5


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# weather ----------------------------------------------------------------------------------------------------------

def test_load_weather_refuses_a_cache_dir_that_is_not_a_path():
    with pytest.raises(TypeError, match="cache_dir must be a path"):  # was ignored when SEQLEARN_DATA_DIR was set
        load_weather("Seattle", cache_dir=3)


def test_read_weather_csv_names_a_directory_given_as_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="path must be an existing file; .* is a directory"):
        read_weather_csv(tmp_path, "Seattle")  # was IsADirectoryError from open()


# windows ----------------------------------------------------------------------------------------------------------

def test_window_origins_refuses_a_series_too_short_for_one_window():
    with pytest.raises(ValueError, match=r"T must be at least lookback \+ horizon = 5"):
        window_origins(4, 3, 2)  # was an empty array


@pytest.mark.parametrize("part, message", [
    (slice(0, 1), r"part slice\(0, 1, None\) holds no window"),  # was an empty array
    (slice(-3, None), "part must be a slice of days inside 0..T = 10"),  # was wrapped to the last 3 days
    (slice(0, 10**6), "part must be a slice of days inside 0..T = 10"),  # was clipped at T
    (slice("a", None), "part must be a slice of days inside"),  # was "slice indices must be integers"
    (slice(True, 6), "part must be a slice of days inside"),  # True was day 1
])
def test_windows_in_refuses_parts_that_hold_no_window_or_lie_outside(part, message):
    with pytest.raises(ValueError, match=message):
        windows_in(part, 10, 2, 1)


@pytest.mark.parametrize("bad, error, message", [
    (True, TypeError, "val_start must be a date such as '2015-01-01', got bool True"),  # was 1970-01-02
    (3, TypeError, "val_start must be a date .* got int 3"),  # was 1970-01-04
    ("NaT", ValueError, "val_start must be a date .*not a time"),
])
def test_chronological_split_refuses_dates_that_are_not_dates(bad, error, message):
    with pytest.raises(error, match=message):
        chronological_split(DAYS, bad, "2012-01-08")


def test_chronological_split_refuses_empty_dates():
    with pytest.raises(ValueError, match="dates must hold at least 3 days"):  # was IndexError
        chronological_split(DAYS[:0])


def test_standardiser_refuses_a_zero_std_and_a_nan_mean():
    with pytest.raises(ValueError, match="std must hold finite numbers > 0"):  # x / 0 would be inf
        Standardiser(np.array([1.0, 2.0]), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="mean must be finite"):
        Standardiser(np.array([np.nan, 2.0]), np.array([1.0, 1.0]))


def test_standardiser_fit_refuses_nan_in_train():
    train = SERIES.copy()
    train[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"train must be finite, got .*nan.* at position \(3, 1\)"):
        Standardiser.fit(train)  # was a NaN mean that turned every standardised value into NaN


def test_standardiser_refuses_a_dtype_other_than_its_own():
    scaler = Standardiser.fit(SERIES)
    with pytest.raises(TypeError, match="x has dtype float32 but the fitted mean has float64"):
        scaler.apply(SERIES.astype(np.float32))  # was silently upcast to float64
    with pytest.raises(TypeError, match="z has dtype float32 but the fitted std has float64"):
        scaler.invert(SERIES[:, 0].astype(np.float32), 0)


# forecast baselines -------------------------------------------------------------------------------------------

def test_persistence_refuses_no_windows():
    with pytest.raises(ValueError, match="inputs must not be empty"):  # was a (0, H) forecast
        persistence(np.zeros((0, 3, 2)), 2, 0)


def test_calendar_slot_refuses_nat():
    dates = DAYS.copy()
    dates[2] = np.datetime64("NaT")
    with pytest.raises(ValueError, match=r"dates must hold dates, got NaT at position \(2,\)"):
        calendar_slot(dates)  # was a slot computed from the smallest int64


def test_climatology_refuses_nan_training_values_and_names_train_dates():
    values = SERIES[:, 0].copy()
    values[0] = np.nan
    with pytest.raises(ValueError, match="train_values must be finite"):  # was NaN forecasts near 1 January
        climatology(DAYS, values, DAYS, 3)
    with pytest.raises(TypeError, match="train_dates must be a datetime64"):  # the message said "dates"
        climatology(DAYS.astype(str), SERIES[:, 0], DAYS, 3)


def test_mae_per_horizon_refuses_mixed_dtypes():
    pred = SERIES[:4].reshape(2, 4)
    with pytest.raises(TypeError, match="truth has dtype float32 but pred has float64"):
        mae_per_horizon(pred, pred.astype(np.float32))


def test_sarimax_refuses_nan_in_the_training_series():
    y = np.sin(np.arange(40) / 3.0)
    y[5] = np.nan
    with pytest.raises(ValueError, match=r"train_series must be finite, got .*nan.* at position \(5,\)"):
        sarimax_forecasts(y[:30], y[30:], 2)  # statsmodels took the NaN for a missing day, without a word


@pytest.mark.parametrize("kwargs, error, message", [
    ({"order": (True, 0, 0)}, TypeError, r"order\[0\] must be an int, got bool True"),
    ({"order": (1, 0)}, TypeError, r"order must be a tuple \(p, d, q\)"),
    ({"trend": "C"}, ValueError, "trend must be one of 'n', 'c', 't', 'ct'"),
])
def test_sarimax_checks_order_and_trend_before_fitting(kwargs, error, message):
    y = np.sin(np.arange(40) / 3.0)
    with pytest.raises(error, match=message):
        sarimax_forecasts(y[:30], y[30:], 2, **kwargs)


# authorship and naive Bayes ---------------------------------------------------------------------------------------

def test_cut_pieces_refused_leaves_the_rng_as_it_was():
    rng = np.random.default_rng(0)
    before = rng.bit_generator.state
    with pytest.raises(ValueError, match="shakespeare .* is too short"):
        cut_pieces("the time traveller " * 20, "xyz", rng, 5, 9)
    assert rng.bit_generator.state == before  # the lengths used to be drawn before the refusal


def test_author_lines_checks_lengths_before_reading_the_books(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "nowhere"))  # reading a book would be a CorpusError
    with pytest.raises(ValueError, match="max_length must be at least 20, got 10"):
        author_lines(0, 20, 10)
    with pytest.raises(TypeError, match="seed must be an int, got bool True"):
        authorship_split(seed=True)


@pytest.mark.corpora
def test_authorship_split_names_the_fraction_that_leaves_a_part_empty():
    with pytest.raises(ValueError, match="val_fraction=1e-09 .* leave the val part empty"):
        authorship_split(val_fraction=1e-9)
    assert authorship.AUTHORS == ("wells", "shakespeare")


def test_char_ngrams_refuses_n_zero_and_a_non_str():
    with pytest.raises(ValueError, match="n must be at least 1, got 0"):
        char_ngrams("abc", 0)  # was ['', '', '', '']
    with pytest.raises(TypeError, match="line must be a str"):
        char_ngrams(["ab", "cd"], 1)


def test_naive_bayes_refused_fit_leaves_a_fitted_model_unchanged():
    model = CharNaiveBayes(2).fit(["abc", "xyz"], [0, 1])
    classes, theta = model.classes.copy(), model.log_theta.copy()
    with pytest.raises(ValueError, match="lines must hold a line of 2 characters or more"):
        model.fit(["a", "b", "c"], [5, 6, 7])  # classes used to be replaced before this refusal
    assert model.classes.tolist() == classes.tolist() and np.array_equal(model.log_theta, theta)
    assert model.predict(["abc"]).tolist() == [0]


def test_naive_bayes_refuses_true_as_alpha_and_no_lines():
    with pytest.raises(TypeError, match="alpha must be positive .* got bool True"):
        CharNaiveBayes(alpha=True)
    with pytest.raises(ValueError, match="lines must hold at least one line"):
        CharNaiveBayes(2).fit(["abc", "xyz"], [0, 1]).predict([])


# code tags and the tagging baselines ----------------------------------------------------------------------------

def test_stdlib_files_names_its_bad_arguments():
    with pytest.raises(TypeError, match="names must be a list of file names"):
        stdlib_files(None)  # was "'NoneType' object is not iterable"
    with pytest.raises(ValueError, match=r"names must not repeat a file, got \['abc.py'\]"):
        stdlib_files(["abc.py", "abc.py"])  # was one path, silently
    with pytest.raises(TypeError, match="stdlib must be a path"):
        stdlib_files(["abc.py"], stdlib=3)  # was "expected str, bytes or os.PathLike object, not int"


def test_truncate_checks_text_and_tags():
    text, tags = label_characters("a = 1\nb = 2\n")
    with pytest.raises(TypeError, match="text must be a str"):
        truncate(None, tags, 4)  # was "object of type 'NoneType' has no len()"
    with pytest.raises(ValueError, match=r"tags must be ids in \[0, 6\]"):
        truncate(text, tags + 7, 4)
    with pytest.raises(ValueError, match=r"tags must be ids below 2\*\*63"):
        tags_to_letters(np.array([0, 2**63 + 5], dtype=np.uint64))


def test_tag_scores_names_num_classes_when_an_id_is_past_it():
    with pytest.raises(ValueError, match=r"gold must hold ids in \[0, 1\] \(num_classes = 2\), got 2"):
        tag_scores([0, 2], [0, 1], 2)


# reversal ---------------------------------------------------------------------------------------------------------

def test_reversal_split_names_the_test_lengths():
    with pytest.raises(TypeError, match="test_min_length must be an int, got float 2.5"):  # said "min_length"
        reversal_split(0, 20, 5, 2, 3, 4, test_min_length=2.5)
    with pytest.raises(ValueError, match="test_max_length must be at least test_min_length = 4, got 3"):
        reversal_split(0, 20, 5, 2, 3, 4, test_min_length=4, test_max_length=3)


def test_pad_pairs_names_a_vocab_that_lacks_a_symbol():
    with pytest.raises(ValueError, match=r"pairs\[0\] holds \['b'\] outside the vocabulary of vocab"):
        pad_pairs([("ab", "ba")], Vocab(["a"]))


# show, plotting, diagrams -----------------------------------------------------------------------------------------

def test_show_source_names_obj():
    with pytest.raises(TypeError, match="obj must be a function, class, method or module"):
        show_source("windows_in")


def test_plot_perplexity_checks_the_history():
    with pytest.raises(TypeError, match="history must be a seqlearn.training.History, got NoneType"):
        plot_perplexity(None)  # was AttributeError
    with pytest.raises(ValueError, match="history must hold one held-out perplexity per epoch: 2 epochs, got 1"):
        plot_perplexity(History([5.0, 4.0], [6.0]))  # was matplotlib's "x and y must have same first dimension"
    with pytest.raises(ValueError, match=r"history.best_epoch must be -1 or an epoch in \[0, 1\], got 2"):
        plot_perplexity(History([5.0, 4.0], [6.0, 5.0], best_epoch=2))  # was a marker past the last epoch


def test_plot_confusion_refuses_negative_counts_and_a_str_of_labels():
    with pytest.raises(ValueError, match="confusion must hold counts >= 0, got -1"):
        plot_confusion(np.array([[5, -1], [2, 7]]), ["a", "b"])
    with pytest.raises(TypeError, match="labels must be a list of str, got 'ab'"):
        plot_confusion(np.array([[5, 1], [2, 7]]), "ab")  # was read as the labels 'a' and 'b'


def test_plot_tagged_text_names_text_rows_and_tag_names():
    with pytest.raises(TypeError, match="text must be a str"):
        plot_tagged_text(None, {"g": [0]}, ["A"])  # was "argument of type 'NoneType' is not iterable"
    with pytest.raises(TypeError, match=r"rows\['g'\] must hold integers, got dtype float64"):
        plot_tagged_text("ab", {"g": [0.0, 1.0]}, ["A", "B"])  # was "tuple indices must be integers"
    with pytest.raises(TypeError, match="rows must be a non-empty dict"):
        plot_tagged_text("ab", {}, ["A", "B"])  # was an empty drawing
    with pytest.raises(TypeError, match="tag_names must be a list of str"):
        plot_tagged_text("ab", {"g": [0, 1]}, "AB")


@pytest.mark.parametrize("draw", [lambda ax: draw_architecture("one-to-one", ax=ax), lambda ax: draw_unrolled(3, ax),
                                  lambda ax: draw_bidirectional(3, ax)])
def test_drawings_name_an_ax_that_is_not_axes(draw):
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):  # was AttributeError: 'str' ... 'text'
        draw("left")
