"""Bad-input entries for the applications of chapters 9 and 10 and the chapters' helpers: weather, windows,
forecast_baselines, authorship, naive_bayes, code_tags, tagging_baselines, reversal, tasks, show, plotting,
diagrams.

The corpora are read from $SEQLEARN_DATA_DIR (the runs set it); the valid calls keep their sizes small. Every
plotting entry's `valid` closes the figures of the case before, so they do not pile up.
"""

import os

import matplotlib.pyplot as plt
import numpy as np

from bad_inputs.catalogue import Bad, Entry, const
from seqlearn import (
    authorship,
    code_tags,
    diagrams,
    forecast_baselines,
    naive_bayes,
    plotting,
    reversal,
    show,
    tagging_baselines,
    tasks,
    weather,
    windows,
)
from seqlearn.data import WEATHER, CorpusError, corpus_path
from seqlearn.training import History
from seqlearn.vocab import Vocab

DAYS = np.datetime64("2012-01-01") + np.arange(10)  # (10,) datetime64[D]
SERIES = np.arange(20.0).reshape(10, 2) ** 1.5  # (T, F) = (10, 2), no constant column
GEN = np.random.default_rng


def _rng_state(args):
    rng = args["rng"]
    return rng.bit_generator.state if isinstance(rng, np.random.Generator) else None


def _with_nat(v):
    out = np.array(v)
    out.flat[0] = np.datetime64("NaT")
    return out


# A datetime64[D] array of any shape; for a 1-D one of a set length, DATES_1D adds the shape mistakes.
DATES = [const("None", None), Bad("strings", lambda v: v.astype(str).tolist()),
         Bad("seconds", lambda v: v.astype("datetime64[s]")), Bad("floats", lambda v: np.zeros(v.shape)),
         Bad("NaT", _with_nat)]
DATES_1D = DATES + [Bad("extra-axis", lambda v: v[None], True), Bad("empty", lambda v: v[:0], True)]
DAY = [const("None", None), const("bool", True), const("int", 3), const("float", 2.5), const("words", "soon"),
       const("no-such-month", "2012-13-01"), const("NaT", np.datetime64("NaT")), const("list", ["2012-01-05"])]
PART = [const("None", None), const("tuple", (0, 6)), const("range", range(0, 6)), const("step-2", slice(0, 6, 2)),
        const("str-bounds", slice("a", None)), const("bool-bound", slice(True, 6)),
        const("negative", slice(-3, None)), const("past-T", slice(0, 10**6)), const("reversed", slice(6, 2)),
        const("no-whole-window", slice(0, 1))]
AXES = [const("str", "ax"), const("int", 3), Bad("figure", lambda v: plt.figure())]
TITLE = [const("int", 3), const("bytes", b"title"), const("list", ["a"])]
NAMES_OF_FILES = [const("None", None), const("str", "abc.py"), const("empty", []), const("ints", [3]),
                  const("missing-file", ["abc.py", "no_such_module.py"]), const("repeated", ["abc.py", "abc.py"])]
STDLIB_DIRS = [const("missing-dir", "/no/such/folder"), Bad("a-file", lambda v: code_tags.stdlib_files()[0])]
LINES = [const("empty", [])]
TEXT = [const("None", None), const("int", 3), const("bytes", b"abc"), const("list", ["a", "b"])]


def _closed(args):
    plt.close("all")
    return args


def _fitted_bayes():
    return naive_bayes.CharNaiveBayes(2, 1.0).fit(["abc", "abd", "xyz", "xyw"], np.array([0, 0, 1, 1]))


def _split_files():
    return list(code_tags.STDLIB_FILES[:10])


def _tagged(text="a = 1\nb = 2\n"):
    return code_tags.label_characters(text)[1]


def _history():
    return History([5.0, 4.0], [6.0, 5.5], [0.1, 0.1], 1, False)


def _exog(n, start=0):
    return np.column_stack([np.sin(np.arange(start, start + n) / 5.0), np.cos(np.arange(start, start + n) / 5.0)])


def make_inputs():
    return windows.make_windows(SERIES, 3, 2, 1)[0]  # (N, lookback, F) = (6, 3, 2)


def _sarimax_args():
    y = np.sin(np.arange(40) / 3.0) + 0.1 * GEN(0).normal(size=40)
    return {"train_series": y[:30], "eval_series": y[30:], "horizon": 2, "order": (1, 0, 0), "trend": "c",
            "train_exog": _exog(30), "eval_exog": _exog(10, 30)}


ENTRIES = [
    # weather ----------------------------------------------------------------------------------------------------
    Entry(weather.load_weather, lambda: {"location": "Seattle", "cache_dir": None},
          {"location": "text", "cache_dir": "path?"}, extra={"location": [const("unknown", "Paris")]},
          errors=(CorpusError,)),
    Entry(weather.read_weather_csv, lambda: {"path": corpus_path(WEATHER), "location": "New York"},
          {"path": "path", "location": "text"},
          extra={"path": [const("missing", "/no/such/weather.csv"), Bad("directory", os.path.dirname)],
                 "location": [const("unknown", "Paris")]},
          errors=(FileNotFoundError,)),
    # windows ----------------------------------------------------------------------------------------------------
    Entry(windows.make_windows, lambda: {"series": SERIES, "lookback": 3, "horizon": 2, "target_column": 1},
          {"series": "array", "lookback": "size", "horizon": "size", "target_column": "count"},
          # float32 and a wider series (more features) are valid here: nothing else to agree with
          skip={"series": ("other-float", "wider")},
          extra={"lookback": [const("too-long", 9)], "target_column": [const("past-F", 2)]}),
    Entry(windows.window_origins, lambda: {"T": 10, "lookback": 3, "horizon": 2},
          {"T": "size", "lookback": "size", "horizon": "size"}, extra={"T": [const("shorter-than-a-window", 4)]}),
    Entry(windows.windows_in, lambda: {"part": slice(0, 6), "T": 10, "lookback": 2, "horizon": 1},
          {"part": PART, "T": "size", "lookback": "size", "horizon": "size"},
          extra={"T": [Bad("below-part", lambda v: 5, True)], "horizon": [const("longer-than-part", 7)]}),
    Entry(windows.chronological_split, lambda: {"dates": DAYS, "val_start": "2012-01-05", "test_start": "2012-01-08"},
          {"dates": DATES_1D + [Bad("gap", lambda v: v[::2]), Bad("reversed", lambda v: v[::-1])],
           "val_start": DAY, "test_start": DAY},
          extra={"val_start": [Bad("after-test", lambda v: "2012-01-09", True)],
                 "test_start": [const("past-the-end", "2013-01-01")]}),
    Entry(windows.Standardiser, lambda: {"mean": np.array([1.0, 2.0]), "std": np.array([0.5, 2.0])},
          {"mean": "finite_array", "std": "finite_array"},
          extra={"std": [Bad("zero", lambda v: np.array([0.0, 2.0])), Bad("negative", lambda v: -v)]}),
    Entry(windows.Standardiser.fit, lambda: {"self": windows.Standardiser, "train": SERIES},
          {"train": "finite_array"},
          skip={"train": ("other-float", "wider")},  # float32 and more features are valid: nothing to agree with
          extra={"train": [Bad("one-day", lambda v: v[:1]), Bad("constant-column", lambda v: np.ones((4, 2)))]}),
    Entry(windows.Standardiser.apply, lambda: {"self": windows.Standardiser.fit(SERIES), "x": SERIES},
          {"x": "array"},
          skip={"x": ("extra-axis", "one-axis-less")}),  # any shape (..., F): windows (N, L, F) or one day (F,)
    Entry(windows.Standardiser.invert, lambda: {"self": windows.Standardiser.fit(SERIES), "z": SERIES[:, 0],
                                                "column": 1},
          {"z": "array", "column": "count"},
          skip={"z": ("extra-axis", "one-axis-less", "wider")},  # z holds values of one feature, in any shape
          extra={"column": [const("past-F", 2)]}),
    # forecast baselines -----------------------------------------------------------------------------------------
    Entry(forecast_baselines.persistence, lambda: {"inputs": make_inputs(), "horizon": 2, "target_column": 1},
          {"inputs": "array", "horizon": "size", "target_column": "count"},
          skip={"inputs": ("other-float", "wider")},  # float32 and more features are valid: nothing to agree with
          extra={"target_column": [const("past-F", 2)]}),
    Entry(forecast_baselines.calendar_slot, lambda: {"dates": DAYS}, {"dates": DATES}),
    Entry(forecast_baselines.climatology,
          lambda: {"train_dates": DAYS, "train_values": SERIES[:, 0], "dates": DAYS[:3] + 365, "smoothing_days": 3},
          {"train_dates": DATES_1D, "train_values": "finite_array", "dates": DATES, "smoothing_days": "size"},
          skip={"train_values": ("other-float",)},  # float32 values give the same means: nothing to agree with
          extra={"smoothing_days": [const("even", 4), const("above-366", 367)],
                 "dates": [Bad("far-from-training", lambda v: v + 180)]}),
    Entry(forecast_baselines.mae_per_horizon, lambda: {"pred": SERIES[:4].reshape(2, 4), "truth": SERIES[4:8].reshape(
        2, 4)}, {"pred": "finite_array", "truth": "finite_array"}),
    Entry(forecast_baselines.sarimax_forecasts, _sarimax_args,
          {"train_series": "finite_array", "eval_series": "finite_array", "horizon": "size",
           "order": [const("None", None), const("two", (1, 0)), const("bool", (True, 0, 0)),
                     const("negative", (-1, 0, 0)), const("float", (1.5, 0, 0)), const("str", "100")],
           "trend": "choice", "train_exog": "finite_array", "eval_exog": "finite_array"},
          extra={"train_series": [Bad("two-days", lambda v: v[:2], True)],
                 "horizon": [const("longer-than-eval", 11)]},
          partners={"train_series": ("train_exog",), "eval_series": ("eval_exog",)}),
    # authorship -------------------------------------------------------------------------------------------------
    Entry(authorship.wells_prose, lambda: {"text": "THE TIME MACHINE\n\nI\n\nThe Time Traveller spoke.\n"},
          {"text": "text"}),
    Entry(authorship.shakespeare_speech, lambda: {"text": "First Citizen:\nBefore we proceed any further.\n"},
          {"text": "text"}),
    Entry(authorship.cut_pieces, lambda: {"wells": "the time traveller " * 20, "shakespeare": "speak speak " * 300,
                                          "rng": GEN(0), "min_length": 5, "max_length": 9},
          {"wells": "text", "shakespeare": "text", "rng": "rng", "min_length": "size", "max_length": "size"},
          extra={"wells": [const("too-short", "abc")], "shakespeare": [const("too-short", "xyz")],
                 "max_length": [const("below-min", 4)]},
          unchanged=_rng_state),
    Entry(authorship.author_lines, lambda: {"seed": 0, "min_length": 20, "max_length": 60},
          {"seed": "count", "min_length": "size", "max_length": "size"},
          extra={"max_length": [const("below-min", 19)]}),
    Entry(authorship.authorship_split, lambda: {"seed": 0, "min_length": 20, "max_length": 60, "val_fraction": 0.1,
                                                "test_fraction": 0.1},
          {"seed": "count", "min_length": "size", "max_length": "size", "val_fraction": "fraction",
           "test_fraction": "fraction"},
          extra={"val_fraction": [const("tiny", 1e-9), const("sum-1", 0.9)], "max_length": [const("below-min", 19)]}),
    # naive Bayes ------------------------------------------------------------------------------------------------
    Entry(naive_bayes.char_ngrams, lambda: {"line": "hello", "n": 3}, {"line": "text", "n": "size"}),
    Entry(naive_bayes.CharNaiveBayes, lambda: {"n": 3, "alpha": 1.0}, {"n": "size", "alpha": "rate"}),
    Entry(naive_bayes.CharNaiveBayes.fit, lambda: {"self": _fitted_bayes(), "lines": ["ab c", "abd", "xyz"],
                                                   "labels": np.array([0, 0, 1])},
          {"lines": "tokens", "labels": "ids"},
          skip={"labels": ("negative", "too-large")},  # labels are any integers: -1 and 10**9 are classes too
          extra={"lines": LINES + [const("all-shorter-than-n", ["a", "b", "c"])]},
          unchanged=lambda a: vars(a["self"])),
    Entry(naive_bayes.CharNaiveBayes.predict_log_proba, lambda: {"self": _fitted_bayes(), "lines": ["abc", "x"]},
          {"lines": "tokens"}, extra={"lines": LINES}),
    Entry(naive_bayes.CharNaiveBayes.predict, lambda: {"self": _fitted_bayes(), "lines": ["abc", "x"]},
          {"lines": "tokens"}, extra={"lines": LINES}),
    # code tags --------------------------------------------------------------------------------------------------
    Entry(code_tags.label_characters, lambda: {"source": "x = 1  # one\n"}, {"source": "text"}),
    Entry(code_tags.tags_to_letters, lambda: {"tags": np.array([0, 1, 2, 6])}, {"tags": "ids"},
          skip={"tags": ("empty",)}),  # no tags: the letters of an empty line, ""
    Entry(code_tags.stdlib_files, lambda: {"names": ["abc.py", "bisect.py"], "stdlib": None},
          {"names": NAMES_OF_FILES, "stdlib": "path?"}, extra={"stdlib": STDLIB_DIRS},
          errors=(FileNotFoundError,)),
    Entry(code_tags.truncate, lambda: {"text": "a = 1\nb = 2\n", "tags": _tagged(), "max_chars": 8},
          {"text": "text", "tags": "ids", "max_chars": "size"},
          extra={"text": [const("other-length", "a = 1\n")]}),
    Entry(code_tags.code_tagging_split, lambda: {"names": _split_files(), "max_chars": 200, "stdlib": None},
          {"names": NAMES_OF_FILES + [Bad("nine-files", lambda v: v[:9])], "max_chars": "size?", "stdlib": "path?"},
          extra={"stdlib": STDLIB_DIRS}, errors=(FileNotFoundError,)),
    # tagging baselines ------------------------------------------------------------------------------------------
    Entry(tagging_baselines.windows, lambda: {"text": "ab c", "left": 1, "right": 2},
          {"text": "text", "left": "count", "right": "count"}),
    Entry(tagging_baselines.fit_majority, lambda: {"pairs": [("ab c", np.array([1, 1, 0, 1]))], "left": 1, "right": 0},
          {"pairs": [const("None", None), const("str", "abc"), const("empty", []),
                     const("tags-too-short", [("ab", [0])]), const("float-tags", [("ab", [0.0, 1.0])]),
                     const("negative-tag", [("ab", [-1, 0])]), const("text-not-str", [(3, [0])]),
                     const("no-tags", [("ab",)]), const("uint64-wrap", [("a", np.array([2**63 + 5], np.uint64))])],
           "left": "count", "right": "count"}),
    Entry(tagging_baselines.predict_majority,
          lambda: {"model": tagging_baselines.fit_majority([("ab", [1, 2])], 1, 0), "text": "ba"},
          {"model": [const("None", None), const("str", "model"), const("tuple", (1, 0, {}, {}, 0))], "text": "text"}),
    Entry(tagging_baselines.tag_scores, lambda: {"gold": np.array([0, 1, 2, 1]), "pred": np.array([0, 1, 1, 1]),
                                                 "num_classes": 3},
          {"gold": "ids", "pred": "ids", "num_classes": "size"}, extra={"num_classes": [const("too-few", 2)]}),
    # reversal ---------------------------------------------------------------------------------------------------
    Entry(reversal.reversal_vocab, lambda: {}, {}),
    Entry(reversal.reversal_pairs, lambda: {"n": 4, "min_length": 2, "max_length": 5, "rng": GEN(0)},
          {"n": "size", "min_length": "size", "max_length": "size", "rng": "rng"},
          extra={"max_length": [const("below-min", 1)]}, unchanged=_rng_state),
    Entry(reversal.reversal_split, lambda: {"seed": 0, "train_size": 20, "val_size": 5, "test_per_length": 2,
                                            "min_length": 3, "max_length": 4, "test_min_length": None,
                                            "test_max_length": None},
          {"seed": "count", "train_size": "size", "val_size": "size", "test_per_length": "size",
           "min_length": "size", "max_length": "size", "test_min_length": "size?", "test_max_length": "size?"},
          extra={"max_length": [const("below-min", 2)], "test_max_length": [const("below-test-min", 2)],
                 "val_size": [const("more-than-there-are", 10**6)],
                 "test_min_length": [const("too-few-strings", 1)]}),
    Entry(reversal.pad_pairs, lambda: {"pairs": [("abc", "cba"), ("de", "ed")], "vocab": reversal.reversal_vocab()},
          {"pairs": [const("None", None), const("str", "ab"), const("empty", []), const("short-pair", [("ab",)]),
                     const("empty-target", [("ab", "")]), const("unknown-symbol", [("az", "za")]),
                     const("int-target", [("ab", 3)])],
           "vocab": [const("None", None), const("str", "vocab"), Bad("no-pad", lambda v: Vocab(["a"], reserved=[
               "<unk>"])), Bad("missing-symbols", lambda v: Vocab(["a"]))]}),
    # tasks, show ------------------------------------------------------------------------------------------------
    Entry(tasks.recall_task, lambda: {"n": 4, "delay": 3, "rng": GEN(0), "num_symbols": 3, "num_distractors": 2,
                                      "length": 6},
          {"n": "size", "delay": "size", "rng": "rng", "num_symbols": "size", "num_distractors": "size",
           "length": "size?"},
          extra={"num_symbols": [const("one", 1)], "length": [const("below-delay", 3)]}, unchanged=_rng_state),
    Entry(show.show_source, lambda: {"obj": windows.windows_in},
          {"obj": [const("None", None), const("int", 3), const("name", "windows_in"), const("builtin", len),
                   const("array", np.ones(2))]}),
    # plotting and diagrams --------------------------------------------------------------------------------------
    Entry(plotting.check_axes, lambda: _closed({"ax": plt.subplots()[1]}), {"ax": AXES}),
    Entry(plotting.plot_perplexity, lambda: _closed({"history": _history(), "ax": None, "title": None}),
          {"history": [const("None", None), const("dict", {"train_perplexity": [5.0]}), const("empty", History()),
                       const("lengths-differ", History([5.0, 4.0], [6.0])),
                       const("best-epoch-past-the-end", History([5.0, 4.0], [6.0, 5.0], best_epoch=2)),
                       const("best-epoch-float", History([5.0, 4.0], [6.0, 5.0], best_epoch=1.0))],
           "ax": AXES, "title": TITLE}),
    Entry(plotting.plot_confusion, lambda: _closed({"confusion": np.array([[5, 1], [2, 7]]), "labels": ["a", "b"],
                                                    "ax": None, "title": None}),
          {"confusion": "ids", "labels": [const("None", None), const("str", "ab"), const("too-few", ["a"]),
                                          const("ints", [1, 2]), const("None-inside", ["a", None])],
           "ax": AXES, "title": TITLE},
          skip={"confusion": ("too-large",)},  # a count of 10**9 is a count
          extra={"confusion": [Bad("not-square", lambda v: v[:, :1])]}),
    Entry(plotting.plot_tagged_text, lambda: _closed({"text": "if x", "rows": {"gold": [2, 2, 0, 1]},
                                                      "tag_names": ["SPACE", "NAME", "KEYWORD"], "ax": None}),
          {"text": "text", "rows": [const("None", None), const("list", [[2, 2, 0, 1]]), const("empty", {}),
                                    const("float-tags", {"gold": [2.0, 2.0, 0.0, 1.0]}),
                                    const("tag-out-of-range", {"gold": [2, 2, 0, 3]}),
                                    const("negative-tag", {"gold": [2, 2, 0, -1]}),
                                    const("too-short", {"gold": [2, 2, 0]}),
                                    const("uint64-wrap", {"gold": np.array([2, 2, 0, 2**63 + 5], np.uint64)})],
           "tag_names": [const("None", None), const("str", "abc"), const("empty", []),
                         const("eleven", [str(i) for i in range(11)]), const("int-inside", ["a", "b", 3])],
           "ax": AXES},
          extra={"text": [const("two-lines", "i\nx "), const("empty", "")]}),
    Entry(diagrams.draw_architecture, lambda: _closed({"kind": "many-to-one", "T_x": 3, "T_y": 2, "ax": None}),
          {"kind": "choice", "T_x": "size", "T_y": "size", "ax": AXES}),
    Entry(diagrams.draw_unrolled, lambda: _closed({"T": 3, "ax": None}), {"T": "size", "ax": AXES}),
    Entry(diagrams.draw_bidirectional, lambda: _closed({"T": 3, "ax": None}), {"T": "size", "ax": AXES}),
]
