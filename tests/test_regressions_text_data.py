"""Regression tests for issue 17's examples in text and data: vocab, one_hot, data, batching, splits, ngram, metrics,
sampling. One small test per example: the refusal and its message, or the now-correct value."""

import hashlib
import math
import os
from collections import Counter

import numpy as np
import pytest

from seqlearn import data
from seqlearn.batching import pad_batch, random_batches, sequential_batches
from seqlearn.data import DATA_DIR_VARIABLE, Corpus, CorpusError, corpus_path
from seqlearn.metrics import best_mixture_weight, mixture_log_probs, perplexity
from seqlearn.ngram import NGramModel
from seqlearn.one_hot import one_hot
from seqlearn.sampling import next_token_distribution, sample_next
from seqlearn.splits import cut_points, names_split, time_machine_char_split
from seqlearn.vocab import Vocab

WRAPS = np.array([0, 2**63 + 5], dtype=np.uint64)  # as int64 this would be a negative id
TEXT = b"a tiny corpus\n"


def fake_corpus(tmp_path, exists=True):
    """A corpus whose 'upstream' is a local file:// address: downloads are tested without a network."""
    upstream = tmp_path / "upstream" / "tiny.txt"
    upstream.parent.mkdir(exist_ok=True)
    if exists:
        upstream.write_bytes(TEXT)
    return Corpus("tiny.txt", upstream.as_uri(), hashlib.sha256(TEXT).hexdigest())


def leftovers(folder):
    return [p.name for p in folder.rglob("*.part")] if folder.exists() else []


@pytest.fixture
def no_data_dir(monkeypatch):
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)


# Losses over zero tokens are 0, so perplexity is 1.
def test_a_perplexity_over_zero_tokens_is_an_error_not_1():
    with pytest.raises(ValueError, match="num_tokens must be at least 1, got 0"):
        perplexity(0.0, 0)
    with pytest.raises(ValueError, match="streams must hold at least one token"):
        NGramModel(2, 3).fit([[0, 1, 2]]).perplexity([[]])


def test_a_non_finite_loss_is_refused_by_perplexity_and_the_mixtures():
    with pytest.raises(ValueError, match="total_nll must be a finite number >= 0"):
        perplexity(math.nan, 3)
    with pytest.raises(ValueError, match="log_p must be finite"):
        mixture_log_probs(np.array([-1.0, -np.inf]), np.array([-1.0, -2.0]), 0.5)
    with pytest.raises(ValueError, match="log_q must be finite"):
        best_mixture_weight(np.array([-1.0, -2.0]), np.array([np.nan, -2.0]))


# time_machine_char_split(val_fraction=1e-9) gives an empty validation set.
def test_fractions_that_leave_a_part_empty_are_refused_naming_it():
    with pytest.raises(ValueError, match=r"leave the val part empty: 0 of the n = 1000 items \(train 900, test 100"):
        cut_points(1000, 1e-9, 0.1, last="val")


@pytest.mark.corpora
def test_time_machine_split_with_a_tiny_val_fraction_is_refused():
    with pytest.raises(ValueError, match=r"val_fraction=1e-09 .* leave the val part empty: 0 of the n = \d+ items"):
        time_machine_char_split(val_fraction=1e-9)


# Sampling quietly changes what was asked.
@pytest.mark.parametrize("call, error, message", [
    (lambda: sample_next([1.0, 2.0], np.random.default_rng(0), temperature=-1.0), ValueError,
     "temperature must be at least 0"),
    (lambda: sample_next(np.zeros((2, 3)), np.random.default_rng(0)), ValueError, r"logits must be a non-empty vector"),
    (lambda: sample_next("abc", np.random.default_rng(0)), TypeError, "logits must be numbers, got str"),
    (lambda: sample_next([0.0, np.nan, 1.0], np.random.default_rng(0)), ValueError, "index 1 is nan"),
])
def test_sampling_refuses_what_it_used_to_change(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_top_k_of_v_or_more_keeps_every_token_as_documented():
    logits = np.array([0.1, 2.0, -1.0])
    np.testing.assert_array_equal(next_token_distribution(logits, top_k=5), next_token_distribution(logits))


# Vocab(Counter(...), min_freq=2) counts only the keys, so it keeps nothing.
def test_a_counter_is_read_as_token_counts():
    tokens = list("aaabbc")
    assert Vocab(Counter(tokens), min_freq=2).id_to_token == Vocab(tokens, min_freq=2).id_to_token
    assert Vocab(Counter(tokens)).counts == Counter(tokens)
    with pytest.raises(ValueError, match=r"tokens\['a'\] \(a count\) must be at least 1, got 0"):
        Vocab(Counter({"a": 0, "b": 2}))


# A corpus token "<pad>" encodes to the pad id, so real text becomes padding.
def test_a_reserved_token_in_the_corpus_is_refused():
    with pytest.raises(ValueError, match="tokens must not hold the reserved token '<pad>' \\(found 1 times\\)"):
        Vocab(["a", "<pad>", "b"])
    vocab = Vocab(["a"])
    assert vocab.encode(["<bos>", "a", "<eos>"]) == [2, 4, 3]  # added on purpose by code: still their ids


# uint64 ids above int64's range wrap to negative in batching, decode and one_hot.
@pytest.mark.parametrize("call, name", [
    (lambda: one_hot(WRAPS, 3), "indices"),
    (lambda: Vocab(["a"]).decode(WRAPS), "ids"),
    (lambda: pad_batch([WRAPS], 0), r"sequences\[0\]"),
    (lambda: random_batches(np.concatenate([WRAPS] * 10), 2, 3, np.random.default_rng(0)), "ids"),
    (lambda: sequential_batches(np.concatenate([WRAPS] * 10), 2, 3), "ids"),
    (lambda: NGramModel(2, 3).fit(WRAPS), "streams"),
])
def test_uint64_ids_past_int64_are_refused_not_wrapped(call, name):
    with pytest.raises(ValueError, match=f"{name} must be ids below 2\\*\\*63, got {2**63 + 5}"):
        call()


# True is taken as a number (rates, k, temperature, seed).
@pytest.mark.parametrize("call, name", [
    (lambda: NGramModel(2, 3, smoothing="add_k", k=True), "k"),
    (lambda: sample_next([1.0, 2.0], np.random.default_rng(0), temperature=True), "temperature"),
    (lambda: names_split(seed=True), "seed"),
    (lambda: one_hot([0], True), "vocab_size"),
    (lambda: mixture_log_probs(np.zeros(2), np.zeros(2), True), "weight"),
])
def test_true_is_not_a_number(call, name):
    with pytest.raises(TypeError, match=f"{name} must be .* got bool True"):
        call()


# String arguments to numeric checks give "'>' not supported between 'str' and 'int'".
def test_a_string_number_is_refused_by_name():
    with pytest.raises(TypeError, match="total_nll must be .* got str '3'"):
        perplexity("3", 2)
    with pytest.raises(TypeError, match="step must be .* got str '0.1'"):
        best_mixture_weight(np.zeros(2), np.zeros(2), step="0.1")


# Batching generators check their arguments only at the first next().
@pytest.mark.parametrize("batches", [random_batches, sequential_batches])
def test_batching_checks_at_the_call_and_draws_nothing_when_refused(batches):
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    with pytest.raises(ValueError, match="batch_size must be at least 1, got 0"):
        batches(np.arange(20), 0, 3, rng)  # no next(): the call itself refuses
    with pytest.raises(TypeError, match="rng must be a np.random.Generator"):
        batches(np.arange(20), 2, 3, 0)
    assert rng.bit_generator.state == state


# NGramModel.sample(stop_id=99) never stops.
def test_a_stop_id_outside_the_vocabulary_is_refused():
    model = NGramModel(2, 4).fit([[0, 1, 2, 3]])
    with pytest.raises(ValueError, match="stop_id must be at most 3, got 99"):
        model.sample([0], 10, np.random.default_rng(0), stop_id=99)


# Corpus loading with a cache path that is a file or a directory: FileExistsError or IsADirectoryError, and a
# `.part` file left behind.
def test_a_cache_dir_that_is_a_file_is_a_corpus_error(tmp_path, no_data_dir):
    (tmp_path / "cache").write_text("x")
    with pytest.raises(CorpusError, match="the cache .*cache is a file, not a directory"):
        corpus_path(fake_corpus(tmp_path), cache_dir=tmp_path / "cache")
    assert not leftovers(tmp_path)


def test_a_cache_dir_inside_a_file_is_a_corpus_error(tmp_path, no_data_dir):
    (tmp_path / "file").write_text("x")
    with pytest.raises(CorpusError, match="could not write to the cache .*file"):
        corpus_path(fake_corpus(tmp_path), cache_dir=tmp_path / "file" / "cache")
    assert not leftovers(tmp_path)


def test_a_directory_where_the_cached_file_belongs_is_a_corpus_error(tmp_path, no_data_dir):
    (tmp_path / "cache" / "tiny.txt").mkdir(parents=True)
    with pytest.raises(CorpusError, match="tiny.txt should be the cached tiny.txt but is a directory"):
        corpus_path(fake_corpus(tmp_path), cache_dir=tmp_path / "cache")
    assert not leftovers(tmp_path)


def test_a_failed_download_leaves_no_part_file(tmp_path, no_data_dir):
    with pytest.raises(CorpusError, match="could not download tiny.txt"):
        corpus_path(fake_corpus(tmp_path, exists=False), cache_dir=tmp_path / "cache")
    assert not leftovers(tmp_path) and not list((tmp_path / "cache").iterdir())


def test_a_failure_after_the_download_leaves_no_part_file(tmp_path, no_data_dir, monkeypatch):
    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))
    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(CorpusError, match="Permission denied"):
        corpus_path(fake_corpus(tmp_path), cache_dir=tmp_path / "cache")
    assert not leftovers(tmp_path) and not list((tmp_path / "cache").iterdir())


# A SEQLEARN_DATA_DIR that does not exist, or that names a file, is ignored.
@pytest.mark.parametrize("make", [lambda p: None, lambda p: p.write_text("x")], ids=["missing", "a file"])
def test_an_unusable_data_dir_is_an_error(tmp_path, monkeypatch, make):
    make(tmp_path / "mine")
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "mine"))
    with pytest.raises(CorpusError, match=f"{DATA_DIR_VARIABLE}=.*mine is not a directory"):
        corpus_path(fake_corpus(tmp_path), cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def test_sha256_of_a_missing_file_is_a_corpus_error(tmp_path):
    with pytest.raises(CorpusError, match="path must be a readable file"):
        data.sha256_of(tmp_path / "missing.txt")


def test_a_tiny_temperature_or_huge_logits_do_not_overflow_into_nan():
    """Found by review: logits / temperature overflowed to inf and the distribution became [nan, nan]."""
    import warnings

    from seqlearn.sampling import next_token_distribution
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert next_token_distribution(np.array([1.0, 2.0]), 1e-310).tolist() == [0.0, 1.0]
        assert next_token_distribution(np.array([1e308, -1e308]), 0.5).tolist() == [1.0, 0.0]
