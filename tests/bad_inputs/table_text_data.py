"""Bad-input entries for text and data: text, vocab, one_hot, data, batching, splits, ngram, metrics, sampling."""

import math
import os
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from bad_inputs.catalogue import Bad, Entry, const
from seqlearn import batching, data, metrics, ngram, one_hot, sampling, splits, text
from seqlearn.data import DATA_DIR_VARIABLE, NAMES, TIME_MACHINE, TINY_SHAKESPEARE, CorpusError
from seqlearn.vocab import Vocab

CORPUS_ERRORS = (CorpusError,)


def corpora():
    """The folder of the course corpora; the cases that need them are skipped without it (no downloads here)."""
    folder = os.environ.get(DATA_DIR_VARIABLE)
    if not folder or not all(Path(folder, c.filename).is_file() for c in (NAMES, TIME_MACHINE, TINY_SHAKESPEARE)):
        pytest.skip(f"set {DATA_DIR_VARIABLE} to a directory holding the course corpora")
    return folder


def with_corpora(args):
    """Arguments of a function that reads the corpora itself (through SEQLEARN_DATA_DIR)."""
    corpora()
    return args


def rng_state(args):
    """The generator's state, so a refused call is seen to draw nothing (None where rng is the bad value)."""
    rng = args.get("rng")
    return rng.bit_generator.state if isinstance(rng, np.random.Generator) else None


def bigram():
    return ngram.NGramModel(2, 5).fit([[0, 1, 2, 1, 3], [4, 2]])


NOT_AN_INT = [const("bool", True), const("float", 2.5), const("str", "3"), const("None", None)]
ID_OUT_OF_VOCAB = [const("negative", -1), const("outside-vocab", 99)]
RESERVED = [const("str", "<unk>"), const("None", None), const("int", 3), const("None-inside", ["<unk>", None]),
            const("no-unk", ["<pad>"]), const("repeated", ["<unk>", "<unk>"])]
CORPUS_MISTAKES = [const("reserved-token", ["a", "<pad>"]), const("count-zero", Counter({"a": 0})),
                   const("count-float", {"a": 1.5}), const("count-bool", {"a": True}), const("int-key", {1: 2}),
                   const("too-deep", [["a", ["b"]]])]
DTYPES = [const("None", None), const("str", "x"), const("int", np.int64), const("bool", bool),
          const("complex", np.complex128), const("number", 3)]
NOT_ONE_HOT = [const("probabilities", np.array([[0.5, 0.5, 0.0]])), const("two-ones", np.array([[1.0, 1.0, 0.0]])),
               const("a-two", np.array([[2.0, 0.0, 0.0]])), const("0-d", np.array(1.0)),
               const("no-vocabulary", np.zeros((2, 0)))]
CORPUS_ARG = [const("None", None), const("filename", "timemachine.txt"), const("int", 3),
              const("tuple", ("timemachine.txt", "http://x", "0" * 64))]
SEQUENCES = [const("None", None), const("str", "abc"), const("int", 3), const("array", np.array([[1, 2]])),
             const("empty", []), const("empty-sequence", [[1], []]), const("floats", [[1.5]]),
             const("strings", [["a"]]), const("2-d-sequence", [[1, 2], [[3]]]), const("None-inside", [None]),
             const("bools", [[True]]), const("negative", [[0, -1]]),
             const("uint64-wrap", [np.array([2**63 + 5], dtype=np.uint64)])]
STREAMS = [const("None", None), const("str", "abc"), const("int", 3), const("floats", [0.5, 1.0]),
           const("outside-vocab", [[0, 5]]), const("negative", [[0, -1]]), const("one-float-stream", [[0, 1], [0.5]]),
           const("uint64-wrap", np.array([2**63 + 5], dtype=np.uint64)), const("too-deep", [[[0]]]),
           const("2-d-array", np.zeros((2, 2), dtype=np.int64)), const("mixed", [[0], 2])]
DISCOUNT = [const("bool", True), const("unknown", "kn"), const("None", None), const("nan", math.nan),
            const("zero", 0), const("one", 1.0), const("negative", -0.5), const("inf", math.inf),
            const("list", [0.5]), const("complex", 0.5j)]
MODEL = [const("None", None), const("str", "model"), const("int", 3),
         Bad("trigram", lambda v: ngram.NGramModel(3, 5).fit([[0, 1, 2]]))]
LAG = NOT_AN_INT + [const("too-far", 4), const("too-far-back", -4)]
LOG_P = {"log_p": np.log(np.array([0.5, 0.25, 0.1])), "log_q": np.log(np.array([0.1, 0.2, 0.6]))}
MINUS_INF = [Bad("-inf", lambda v: np.concatenate([[-math.inf], v[1:]]))]  # ln 0: refused too (policy 1)
LOGITS = np.array([0.5, -1.0, 2.0])
# check_logits reads any real numbers as float64 scores, as documented: an int array or a list of numbers is a
# valid input (exact in float64), so is float32 (chapter 8 samples from a model's float32 scores), and so is any V.
LOGITS_VALID = ("int", "list", "other-float", "wider")
# (top_k >= V is valid too: it keeps every token, as the sampling module documents; no catalogue value is that.)

ENTRIES = [
    # text
    Entry(text.normalise, lambda: {"text": "Ab", "lowercase": True}, {"text": "text", "lowercase": "flag"}),
    Entry(text.tokenise_chars, lambda: {"text": "Ab", "lowercase": False}, {"text": "text", "lowercase": "flag"}),
    Entry(text.tokenise_words, lambda: {"text": "Ab c", "lowercase": True}, {"text": "text", "lowercase": "flag"}),
    Entry(text.letters_only, lambda: {"text": "It's 1895."}, {"text": "text"}),
    # vocab
    Entry(Vocab, lambda: {"tokens": list("abca"), "min_freq": 1, "reserved": ["<pad>", "<unk>"], "max_size": 10},
          {"tokens": "tokens", "min_freq": "size", "reserved": RESERVED, "max_size": "size?"},
          extra={"tokens": CORPUS_MISTAKES, "max_size": [const("below-reserved", 1)]}),
    Entry(Vocab.encode, lambda: {"self": Vocab(list("abca")), "tokens": ["a", "z"]}, {"tokens": "tokens"},
          extra={"tokens": [const("dict", {"a": 1})]}),
    Entry(Vocab.decode, lambda: {"self": Vocab(list("abca")), "ids": np.array([[4, 5], [6, 0]])}, {"ids": "ids"},
          skip={"ids": ("extra-axis",  # ids of any shape are decoded, flattened
                        "empty")}),  # no ids decode to no tokens: decode([]) == []
    # one_hot
    Entry(one_hot.one_hot, lambda: {"indices": np.array([[0, 2]]), "vocab_size": 3, "dtype": np.float32},
          {"indices": "ids", "vocab_size": "size", "dtype": DTYPES},
          skip={"indices": ("extra-axis",  # ids of any shape S give S + (V,)
                            "empty")}),  # no ids give an empty (0, V) array, as NumPy would
    Entry(one_hot.from_one_hot, lambda: {"x": one_hot.one_hot(np.array([0, 0]), 3)}, {"x": "array"},
          skip={"x": ("int",  # torch's one_hot returns int64 one-hots: read as well
                      "other-float",  # any float dtype: there is no other argument to agree with
                      "extra-axis", "one-axis-less",  # any shape S + (V,)
                      "empty")},  # no positions: no ids, shape (0,)
          extra={"x": NOT_ONE_HOT}),
    # data
    Entry(data.sha256_of, lambda: {"path": __file__}, {"path": "path"}, errors=CORPUS_ERRORS,
          extra={"path": [const("missing", "/no/such/file.txt"), const("directory", "/")]}),
    Entry(data.default_cache_dir, lambda: {}, {}),
    Entry(data.corpus_path, lambda: {"corpus": data.TIME_MACHINE, "cache_dir": corpora()},
          {"corpus": CORPUS_ARG, "cache_dir": "path?"}, errors=CORPUS_ERRORS),
    Entry(data.read_corpus, lambda: {"corpus": data.NAMES, "cache_dir": corpora()},
          {"corpus": CORPUS_ARG, "cache_dir": "path?"}, errors=CORPUS_ERRORS),
    Entry(data.load_time_machine, lambda: {"cache_dir": corpora()}, {"cache_dir": "path?"}, errors=CORPUS_ERRORS),
    Entry(data.load_tiny_shakespeare, lambda: {"cache_dir": corpora()}, {"cache_dir": "path?"},
          errors=CORPUS_ERRORS),
    Entry(data.load_names, lambda: {"cache_dir": corpora()}, {"cache_dir": "path?"}, errors=CORPUS_ERRORS),
    # batching
    Entry(batching.random_batches,
          lambda: {"ids": np.arange(20), "batch_size": 2, "num_steps": 3, "rng": np.random.default_rng(0)},
          {"ids": "ids", "batch_size": "size", "num_steps": "size", "rng": "rng"},
          skip={"ids": ("too-large",)},  # no vocabulary size here: any id >= 0 may be a token
          extra={"batch_size": [const("too-many", 10)], "num_steps": [const("too-long", 20)]}, unchanged=rng_state),
    Entry(batching.sequential_batches,
          lambda: {"ids": np.arange(20), "batch_size": 2, "num_steps": 3, "rng": np.random.default_rng(0)},
          {"ids": "ids", "batch_size": "size", "num_steps": "size", "rng": "rng?"},
          skip={"ids": ("too-large",)},  # no vocabulary size here: any id >= 0 may be a token
          extra={"batch_size": [const("too-many", 10)], "num_steps": [const("too-long", 20)]}, unchanged=rng_state),
    Entry(batching.pad_batch, lambda: {"sequences": [[5, 6, 7], [8]], "pad_id": 0},
          {"sequences": SEQUENCES, "pad_id": "count"}),
    # splits
    Entry(splits.check_fractions, lambda: {"val_fraction": 0.1, "test_fraction": 0.2},
          {"val_fraction": "fraction", "test_fraction": "fraction"},
          extra={"val_fraction": [const("nothing-to-train", 0.8)], "test_fraction": [const("nothing-to-train", 0.9)]}),
    Entry(splits.cut_points, lambda: {"n": 100, "val_fraction": 0.1, "test_fraction": 0.2, "last": "val"},
          {"n": "size", "val_fraction": "fraction", "test_fraction": "fraction", "last": "choice"},
          extra={"n": [const("too-few", 3)],
                 "val_fraction": [const("rounds-to-empty", 0.001)]}),
    Entry(splits.time_machine_char_split, lambda: with_corpora({"val_fraction": 0.1, "test_fraction": 0.1}),
          {"val_fraction": "fraction", "test_fraction": "fraction"},
          extra={"val_fraction": [const("empty-val", 1e-9)], "test_fraction": [const("empty-test", 1e-9)]}),
    Entry(splits.names_split, lambda: with_corpora({"seed": 0, "val_fraction": 0.1, "test_fraction": 0.1}),
          {"seed": "count", "val_fraction": "fraction", "test_fraction": "fraction"},
          extra={"val_fraction": [const("empty-val", 1e-9)], "test_fraction": [const("empty-test", 1e-9)]}),
    # ngram
    Entry(ngram.NGramModel, lambda: {"order": 2, "vocab_size": 5, "smoothing": "add_k", "k": 0.5, "discount": 0.5},
          {"order": "size", "vocab_size": "size", "smoothing": "choice", "k": "rate", "discount": DISCOUNT}),
    Entry(ngram.NGramModel.fit, lambda: {"self": bigram(), "streams": [[0, 1, 2], [3, 4]]}, {"streams": STREAMS},
          unchanged=lambda a: a["self"].counts),
    Entry(ngram.NGramModel.stored_ngrams, lambda: {"self": bigram()}, {}),
    Entry(ngram.NGramModel.next_distribution, lambda: {"self": bigram(), "context": [0, 1]}, {"context": "ids"},
          skip={"context": ("empty",)}),  # no context: the model uses what there is (the shorter orders)
    Entry(ngram.NGramModel.token_log_probs, lambda: {"self": bigram(), "stream": [1, 2], "context": [0]},
          {"stream": "ids", "context": "ids"},
          skip={"stream": ("empty",),  # no tokens, no scores: an empty (0,) array, exact (not a mean over none)
                "context": ("empty",)}),  # no context: the stream's first token is predicted from nothing
    Entry(ngram.NGramModel.log_likelihood, lambda: {"self": bigram(), "stream": [1, 2], "context": [0]},
          {"stream": "ids", "context": "ids"},
          skip={"stream": ("empty",),  # the empty sum: ln 1 = 0, exact (not a mean over zero tokens)
                "context": ("empty",)}),  # no context: the stream's first token is predicted from nothing
    Entry(ngram.NGramModel.perplexity, lambda: {"self": bigram(), "streams": [1, 2, 3], "context": [0]},
          {"streams": STREAMS + [const("no-tokens", [[]]), const("two-streams-one-context", [[1], [2]])],
           "context": "ids"},
          skip={"context": ("empty",)}),  # no context: each stream's first token is predicted from nothing
    Entry(ngram.NGramModel.sample,
          lambda: {"self": bigram(), "context": [0], "steps": 3, "rng": np.random.default_rng(0), "stop_id": 3,
                   "temperature": 0.5, "top_k": 2},
          {"context": "ids", "steps": "size", "rng": "rng?", "stop_id": NOT_AN_INT[:3] + ID_OUT_OF_VOCAB,
           "temperature": "nonnegative", "top_k": "size?"},
          skip={"context": ("empty",)}, unchanged=rng_state),  # no context: the first id is drawn from nothing
    Entry(ngram.total_sentence_probability, lambda: {"model": bigram(), "bos": 0, "eos": 3, "words": [1, 2]},
          {"model": MODEL, "bos": NOT_AN_INT + ID_OUT_OF_VOCAB, "eos": NOT_AN_INT + ID_OUT_OF_VOCAB, "words": "ids"},
          extra={"words": [const("repeated", [1, 1]), const("holds-eos", [1, 3])], "eos": [const("is-bos", 0)]}),
    # metrics
    Entry(metrics.perplexity, lambda: {"total_nll": 3.0, "num_tokens": 2},
          {"total_nll": "nonnegative", "num_tokens": "size"}, extra={"total_nll": [const("-inf", -math.inf)]}),
    Entry(metrics.mixture_log_probs, lambda: dict(LOG_P, weight=0.3),
          {"log_p": "finite_array", "log_q": "finite_array", "weight": "probability"},
          extra={"log_p": MINUS_INF, "log_q": MINUS_INF}),
    Entry(metrics.best_mixture_weight, lambda: dict(LOG_P, step=0.25),
          {"log_p": "finite_array", "log_q": "finite_array", "step": "rate"},
          extra={"log_p": MINUS_INF, "log_q": MINUS_INF,
                 "step": [const("not-dividing-1", 0.3), const("above-1", 2.0)]}),
    Entry(metrics.accuracy, lambda: {"y_true": np.array([0, 1, 1]), "y_pred": np.array([0, 1, 0])},
          {"y_true": "ids", "y_pred": "ids"},
          skip={"y_true": ("too-large",), "y_pred": ("too-large",)}),  # no number of classes: any label >= 0
    Entry(metrics.confusion_matrix, lambda: {"y_true": np.array([0, 1, 1]), "y_pred": np.array([0, 1, 0]),
                                             "num_classes": 2},
          {"y_true": "ids", "y_pred": "ids", "num_classes": "size"}, extra={"num_classes": [const("too-few", 1)]}),
    Entry(metrics.lag_correlation, lambda: {"pred": np.array([1.0, 3, 2, 5, 4]), "truth": np.array([0.0, 1, 3, 2, 5]),
                                            "lag": 1},
          {"pred": "finite_array", "truth": "finite_array", "lag": LAG},
          extra={"pred": [const("constant", np.ones(5))]}),
    # sampling
    Entry(sampling.check_logits, lambda: {"logits": LOGITS.copy()}, {"logits": "finite_array"},
          skip={"logits": LOGITS_VALID}, extra={"logits": [const("all-minus-inf", np.full(3, -math.inf))]}),
    Entry(sampling.next_token_distribution, lambda: {"logits": LOGITS.copy(), "temperature": 0.7, "top_k": 2},
          {"logits": "finite_array", "temperature": "rate", "top_k": "size?"}, skip={"logits": LOGITS_VALID}),
    Entry(sampling.sample_next,
          lambda: {"logits": LOGITS.copy(), "rng": np.random.default_rng(0), "temperature": 0.7, "top_k": 2},
          {"logits": "finite_array", "rng": "rng?", "temperature": "nonnegative", "top_k": "size?"},
          skip={"logits": LOGITS_VALID}, unchanged=rng_state),
]
