import hashlib

import pytest

from seqlearn import data
from seqlearn.data import DATA_DIR_VARIABLE, Corpus, CorpusError, corpus_path

TEXT = b"a tiny corpus\n"


def fake_corpus(tmp_path, content=TEXT):
    """A corpus whose 'upstream' is a local file:// address, so downloads are tested without a network."""
    upstream = tmp_path / "upstream" / "tiny.txt"
    upstream.parent.mkdir()
    upstream.write_bytes(content)
    return Corpus("tiny.txt", upstream.as_uri(), hashlib.sha256(TEXT).hexdigest())


@pytest.fixture
def no_data_dir(monkeypatch):
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)


def test_data_dir_is_used_first(tmp_path, monkeypatch):
    corpus = fake_corpus(tmp_path)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "tiny.txt").write_bytes(TEXT)
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "mine"))
    assert corpus_path(corpus, cache_dir=tmp_path / "cache") == tmp_path / "mine" / "tiny.txt"
    assert not (tmp_path / "cache").exists()


def test_corrupt_file_in_data_dir_is_an_error_naming_it(tmp_path, monkeypatch):
    corpus = fake_corpus(tmp_path)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "tiny.txt").write_bytes(b"tampered\n")
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "mine"))
    with pytest.raises(CorpusError, match=f"tiny.txt \\(from {DATA_DIR_VARIABLE}\\) has sha256 .* expected"):
        corpus_path(corpus, cache_dir=tmp_path / "cache")


def test_download_goes_to_cache_and_is_reused(tmp_path, no_data_dir):
    corpus = fake_corpus(tmp_path)
    path = corpus_path(corpus, cache_dir=tmp_path / "cache")
    assert path == tmp_path / "cache" / "tiny.txt" and path.read_bytes() == TEXT
    (tmp_path / "upstream" / "tiny.txt").unlink()  # now "offline": the cache must be enough
    assert corpus_path(corpus, cache_dir=tmp_path / "cache") == path


def test_missing_from_data_dir_falls_back_to_download(tmp_path, monkeypatch):
    corpus = fake_corpus(tmp_path)
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path))  # exists, but has no tiny.txt
    assert corpus_path(corpus, cache_dir=tmp_path / "cache").read_bytes() == TEXT


def test_corrupt_cache_is_replaced_by_a_fresh_download(tmp_path, no_data_dir):
    corpus = fake_corpus(tmp_path)
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "tiny.txt").write_bytes(b"truncat")
    assert corpus_path(corpus, cache_dir=tmp_path / "cache").read_bytes() == TEXT


def test_corrupt_download_is_not_saved(tmp_path, no_data_dir):
    corpus = fake_corpus(tmp_path, content=b"something else\n")
    with pytest.raises(CorpusError, match=r"downloaded tiny.txt from file:.* has sha256 .* it was not saved"):
        corpus_path(corpus, cache_dir=tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_offline_error_names_file_address_and_variable(tmp_path, monkeypatch):
    corpus = Corpus("gone.txt", (tmp_path / "nowhere" / "gone.txt").as_uri(), "0" * 64)
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path))
    with pytest.raises(CorpusError) as info:
        corpus_path(corpus, cache_dir=tmp_path / "cache")
    message = str(info.value)
    assert "could not download gone.txt" in message
    assert corpus.url in message
    assert f"set {DATA_DIR_VARIABLE}" in message
    assert f"not found in {DATA_DIR_VARIABLE}=" in message


def test_not_a_corpus():
    with pytest.raises(TypeError, match="corpus must be a Corpus .* got str"):
        corpus_path("timemachine.txt")


def test_default_cache_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert data.default_cache_dir() == tmp_path / "seqlearn"


@pytest.mark.corpora
def test_real_corpora_are_verified_and_loaded():
    assert data.load_time_machine().startswith("The Time Machine, by H. G. Wells [1898]")
    assert len(data.load_tiny_shakespeare()) == 1_115_394
    names = data.load_names()
    assert len(names) == 32_033 and names[:3] == ["emma", "olivia", "ava"]


@pytest.mark.corpora
@pytest.mark.parametrize("corpus", [data.TIME_MACHINE, data.TINY_SHAKESPEARE, data.NAMES, data.WEATHER])
def test_every_corpus_matches_its_entry_in_sources(corpus):
    """The address and checksum in the package are the ones ../shared/data/SOURCES.md gives, and the file found
    (through SEQLEARN_DATA_DIR in CI) has that checksum."""
    path = corpus_path(corpus)
    sources = (path.parent / "SOURCES.md").read_text() if (path.parent / "SOURCES.md").exists() else None
    if sources is not None:
        assert corpus.sha256 in sources and corpus.filename in sources
    assert hashlib.sha256(path.read_bytes()).hexdigest() == corpus.sha256


@pytest.mark.parametrize("make", [lambda p: None, lambda p: p.write_text("not a folder")], ids=["missing", "a file"])
def test_a_data_dir_that_is_not_a_directory_is_an_error_not_a_download(tmp_path, monkeypatch, make):
    corpus = fake_corpus(tmp_path)
    make(tmp_path / "mine")
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "mine"))
    with pytest.raises(CorpusError, match=f"{DATA_DIR_VARIABLE}=.*mine is not a directory: set it to the folder"):
        corpus_path(corpus, cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache").exists()  # nothing was fetched behind the user's back


def test_a_cache_that_is_a_file_or_holds_a_directory_is_an_error(tmp_path, no_data_dir):
    corpus = fake_corpus(tmp_path)
    (tmp_path / "file_cache").write_text("x")
    with pytest.raises(CorpusError, match="the cache .*file_cache is a file, not a directory"):
        corpus_path(corpus, cache_dir=tmp_path / "file_cache")
    (tmp_path / "cache" / "tiny.txt").mkdir(parents=True)
    with pytest.raises(CorpusError, match="tiny.txt should be the cached tiny.txt but is a directory"):
        corpus_path(corpus, cache_dir=tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("*.part"))
