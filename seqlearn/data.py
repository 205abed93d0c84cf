"""The course corpora: found, verified by sha256, and cached.

Each corpus is a `Corpus(filename, url, sha256)`. `corpus_path(corpus)` looks for the file in this order:

1. the directory named by the environment variable SEQLEARN_DATA_DIR (how CI and offline use work). Set to
   something that is not a directory, it is an error; set to an empty string, it counts as unset. A directory
   that lacks this corpus's file is passed over for the next two places (it may hold only some corpora), and
   a failed download then says which SEQLEARN_DATA_DIR did not have it;
2. the user cache, `$XDG_CACHE_HOME/seqlearn` or `~/.cache/seqlearn`;
3. a download from `corpus.url` into the cache.

The sha256 is checked before a file is used, so a corrupt or truncated file is never read. Every failure
raises `CorpusError` naming the file, the address and the variable to set (a cache that is a file, a folder where
the file belongs, a failed download, a permission); a download goes to a temporary file that is removed on any
failure, so no partial file survives. A bad argument (not a Corpus, a cache_dir that is not a path) is a
TypeError.
"""

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from seqlearn.checks import check_path

DATA_DIR_VARIABLE = "SEQLEARN_DATA_DIR"


@dataclass(frozen=True)
class Corpus:
    filename: str
    url: str
    sha256: str


TIME_MACHINE = Corpus(
    "timemachine.txt",
    "http://d2l-data.s3-accelerate.amazonaws.com/timemachine.txt",
    "8424dbd9532ac81f7e5f0b6add90e6952baea29158309d7d1bf3884f4e12c516",
)
TINY_SHAKESPEARE = Corpus(
    "tinyshakespeare.txt",
    "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
    "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
)
NAMES = Corpus(
    "names.txt",
    "https://raw.githubusercontent.com/karpathy/makemore/master/names.txt",
    "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d",
)
WEATHER = Corpus(  # daily weather, Seattle and New York, 2012-2015 (NOAA via vega-datasets; a CSV)
    "weather.csv",
    "https://raw.githubusercontent.com/vega/vega-datasets/v3.2.1/data/weather.csv",
    "27219f1ca8dbd94c9b6f4b9f4f52ab2f1eb33dfdcf719cd9fc6481ed50b74549",
)


class CorpusError(OSError):
    """A corpus could not be found, downloaded or verified."""


def sha256_of(path):
    """The sha256 of a file's bytes, as 64 hex digits; a path that is not a readable file is a CorpusError."""
    check_path("path", path)
    try:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError as e:
        raise CorpusError(f"path must be a readable file, got {os.fspath(path)!r}: {e}") from e
    return digest.hexdigest()


def default_cache_dir():
    """Where downloads are kept: $XDG_CACHE_HOME/seqlearn, or ~/.cache/seqlearn."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "seqlearn"


def _help(corpus):
    return (
        f"To work offline, put {corpus.filename} (from {corpus.url}) in a directory and set "
        f"{DATA_DIR_VARIABLE} to that directory."
    )


def _check_corpus(corpus, cache_dir):
    if not isinstance(corpus, Corpus):
        raise TypeError(f"corpus must be a Corpus (e.g. seqlearn.data.TIME_MACHINE), got {type(corpus).__name__}")
    if cache_dir is not None:
        check_path("cache_dir", cache_dir)


def corpus_path(corpus, cache_dir=None):
    """Return the path of a verified copy of `corpus`, downloading it into the cache if needed.

    Every problem with the files (a corrupt copy, a cache that is a file, a failed download, a permission) is
    a CorpusError; a failed download leaves nothing behind, not even a partial file."""
    _check_corpus(corpus, cache_dir)
    try:
        return _find(corpus, cache_dir)
    except CorpusError:
        raise
    except OSError as e:  # e.g. a permission, or a folder where a file belongs: still a data problem, said so
        raise CorpusError(f"could not get {corpus.filename}: {e}. {_help(corpus)}") from e


def _find(corpus, cache_dir):
    data_dir = os.environ.get(DATA_DIR_VARIABLE)
    if data_dir:
        if not Path(data_dir).is_dir():  # a typo here would otherwise send an offline user to a download
            raise CorpusError(f"{DATA_DIR_VARIABLE}={data_dir} is not a directory: set it to the folder that holds "
                              f"{corpus.filename}, or unset it to use the cache ({default_cache_dir()}) and downloads")
        path = Path(data_dir) / corpus.filename
        if path.is_file():
            found = sha256_of(path)
            if found != corpus.sha256:
                # A file the user placed by hand is never replaced or silently skipped: say what is wrong.
                raise CorpusError(
                    f"{path} (from {DATA_DIR_VARIABLE}) has sha256 {found}, expected {corpus.sha256}; "
                    f"it is corrupt or a different file. Replace it with a fresh copy from {corpus.url}."
                )
            return path
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path = cache / corpus.filename
    if path.exists() and not path.is_file():
        raise CorpusError(f"{path} should be the cached {corpus.filename} but is a directory or something else: "
                          "move it away, and the file is fetched again")
    if cache.exists() and not cache.is_dir():
        raise CorpusError(f"the cache {cache} is a file, not a directory: move it away, or pass another cache_dir")
    if path.is_file():
        if sha256_of(path) == corpus.sha256:
            return path
        path.unlink()  # a corrupt cached copy is never used; fetch it again below
    _download(corpus, path)
    return path


def _download(corpus, path):
    """Download into a temporary file beside `path`, verify it, then move it into place; on any failure the
    temporary file is removed, so the cache never keeps a half-written or unverified file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".part")
    except OSError as e:
        raise CorpusError(f"could not write to the cache {path.parent} for {corpus.filename}: {e}") from e
    try:
        with os.fdopen(handle, "wb") as f, urllib.request.urlopen(corpus.url, timeout=60) as response:
            f.write(response.read())
        found = sha256_of(partial)
        if found != corpus.sha256:
            raise CorpusError(
                f"downloaded {corpus.filename} from {corpus.url} has sha256 {found}, expected {corpus.sha256}; "
                f"it was not saved. {_help(corpus)}"
            )
        os.replace(partial, path)  # atomic: the cache never holds a half-written file under the real name
    except (urllib.error.URLError, ValueError, OSError) as e:
        if isinstance(e, CorpusError):
            raise
        where = f" (not found in {DATA_DIR_VARIABLE}={os.environ[DATA_DIR_VARIABLE]})" if os.environ.get(
            DATA_DIR_VARIABLE) else ""
        raise CorpusError(f"could not download {corpus.filename}{where} from {corpus.url}: {e}. {_help(corpus)}") from e
    finally:
        if os.path.lexists(partial):  # still there only if something failed
            os.remove(partial)


def read_corpus(corpus, cache_dir=None):
    """The text of a verified corpus (UTF-8)."""
    path = corpus_path(corpus, cache_dir)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise CorpusError(f"could not read {path}: {e}. {_help(corpus)}") from e


def load_time_machine(cache_dir=None):
    """H. G. Wells, *The Time Machine* (d2l's copy, 178,979 characters), as one string."""
    return read_corpus(TIME_MACHINE, cache_dir)


def load_tiny_shakespeare(cache_dir=None):
    """Karpathy's tiny-shakespeare (1,115,394 characters), as one string."""
    return read_corpus(TINY_SHAKESPEARE, cache_dir)


def load_names(cache_dir=None):
    """Karpathy's names list (32,033 lowercase first names), as a list of str."""
    return read_corpus(NAMES, cache_dir).splitlines()
