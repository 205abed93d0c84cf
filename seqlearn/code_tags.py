"""A real tagging task with gold labels and no download: the token type of every character of Python source.

Many-to-many tagging (the "named-entity recognition" pattern, chapter 9): the input is a text of L characters,
the output L tag ids, one per character. The gold labels come from the standard library's `tokenize` module,
and the texts are the standard library's own .py files (PSF licence), so every Python install holds the data.

`TAGS` is kept small, 7 tags, each one a token type the reader already knows, each frequent enough in a few
files for its own F1 to mean something:

    SPACE    whitespace, newlines and indentation; every character outside a token (a line-continuing `\\` too)
    NAME     identifiers, the soft keywords `match`, `case`, `_` and `type` included (tokenize cannot tell)
    KEYWORD  a NAME that `keyword.iskeyword` accepts (`def`, `if`, `None`, ...)
    OP       operators and delimiters
    NUMBER   numeric literals
    STRING   string literals with prefix and quotes; a multi-line string and a whole f-string are one STRING
    COMMENT  from `#` to the end of its line (the newline itself is SPACE)

NAME versus KEYWORD is the pair that needs the context on the right: the `i` of `if` and of `ifs` differ only
in what follows, which is where a bidirectional model earns its place.

    text, tags = label_characters("x = 1  # one\\n")   # tags: (L,) int64, one id per character of text
    tags_to_letters(tags) == "n_o_d__ccccc_"

The corpus: `STDLIB_FILES`, a fixed list of 40 modest pure-Python modules (2 to 22 kB each) that every CPython
3.11 install has at the top of `sysconfig.get_paths()["stdlib"]`, chosen by name (none of them deprecated by
PEP 594), sorted. `code_tagging_split` splits it by file: in that sorted order the 9th file of every 10 goes to
validation, the 10th to test, the rest to train, so no file is in two parts. The texts are those installed, so
the character counts can move slightly between 3.11.x patch releases; the file names never do.
"""

import itertools
import keyword
import pathlib
import sysconfig
import token
import tokenize
from typing import NamedTuple

import numpy as np

from seqlearn.checks import check_int_array, check_path, check_positive_int, check_text

TAGS = ("SPACE", "NAME", "KEYWORD", "OP", "NUMBER", "STRING", "COMMENT")
SPACE, NAME, KEYWORD, OP, NUMBER, STRING, COMMENT = range(len(TAGS))
TAG_LETTERS = "_nkodsc"  # one letter per tag, in TAGS order, for showing a tag string under its code

STDLIB_FILES = (
    "abc.py", "bisect.py", "bz2.py", "cmd.py", "code.py", "codeop.py", "colorsys.py", "copy.py",
    "copyreg.py", "fnmatch.py", "genericpath.py", "getopt.py", "getpass.py", "glob.py", "graphlib.py",
    "hmac.py", "linecache.py", "netrc.py", "numbers.py", "operator.py", "pty.py", "py_compile.py",
    "pyclbr.py", "queue.py", "quopri.py", "reprlib.py", "rlcompleter.py", "sched.py", "secrets.py",
    "shelve.py", "shlex.py", "stat.py", "string.py", "symtable.py", "tabnanny.py", "textwrap.py",
    "timeit.py", "types.py", "weakref.py", "zipapp.py",
)

# Python 3.12 splits an f-string into FSTRING_START ... FSTRING_END with the parts between; 3.11 yields one
# STRING. Everything from a start to its end is tagged STRING, so 3.12 and later give 3.11's labels.
_FSTRING_START = getattr(token, "FSTRING_START", None)
_FSTRING_END = getattr(token, "FSTRING_END", None)
_TAG_OF_TYPE = {token.OP: OP, token.NUMBER: NUMBER, token.STRING: STRING, token.COMMENT: COMMENT}
_NOT_TEXT = {token.NEWLINE, token.NL, token.INDENT, token.DEDENT, token.ENDMARKER}  # left as SPACE


def _lines(source):
    """The lines that tokenize reads, each with its '\\n' (split on '\\n' only: a form feed is not a line end)."""
    lines = source.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def _refuse(row, col, why):
    raise ValueError(f"source does not tokenize at line {row}, column {col}: {why}")


def label_characters(source):
    """-> (text, tags): text is `source` unchanged, tags an (L,) int64 array with one id of `TAGS` per character.

    Each token's (row, col) start and end (1-based row, 0-based column) become character offsets; a token that
    spans lines (a multi-line string) covers every character in between. Source that `tokenize` refuses, or
    where it yields an ERRORTOKEN (such as `$` or an unclosed quote), is a ValueError naming line and column
    (as Python 3.11 counts them; 3.12 counts some columns from 1).
    """
    if not isinstance(source, str):
        raise TypeError(f"source must be a str of Python code, got {type(source).__name__}")
    lines = _lines(source)
    starts = [0, *itertools.accumulate(len(line) for line in lines)]  # the offset at which each line starts
    tags = np.full(len(source), SPACE, dtype=np.int64)
    depth, opened = 0, 0  # inside how many f-strings, and where the outermost opened (Python 3.12 and later)
    try:
        for tok in tokenize.generate_tokens(iter(lines).__next__):
            (row, col), (end_row, end_col) = tok.start, tok.end
            if tok.type == token.ERRORTOKEN and tok.string.isspace():
                continue  # 3.11 first yields the blank before a bad character: it stays SPACE
            if tok.type == token.ERRORTOKEN or tok.exact_type == token.OP:  # 3.12 calls `$` an OP of no known kind
                _refuse(row, col, f"unexpected {tok.string!r}")
            a, b = starts[row - 1] + col, starts[end_row - 1] + end_col
            if tok.type == _FSTRING_START:
                depth, opened = depth + 1, (opened if depth else a)
            elif tok.type == _FSTRING_END:
                depth -= 1
                if depth == 0:
                    tags[opened:b] = STRING
            elif depth or tok.type in _NOT_TEXT:
                continue
            elif source[a:b] != tok.string:
                raise RuntimeError(f"token {tok.string!r} at line {row}, column {col} does not match the text "
                                   f"{source[a:b]!r}: the offsets are wrong, please report this")
            elif tok.type == token.NAME:
                tags[a:b] = KEYWORD if keyword.iskeyword(tok.string) else NAME
            else:
                tags[a:b] = _TAG_OF_TYPE.get(tok.type, SPACE)
    except tokenize.TokenError as error:  # e.g. ('EOF in multi-line string', (row, col))
        _refuse(*error.args[1], error.args[0])
    except SyntaxError as error:  # IndentationError: a dedent that matches no outer level
        _refuse(error.lineno, error.offset, error.msg)
    return source, tags


def tags_to_letters(tags):
    """(L,) tag ids -> a str of L letters from `TAG_LETTERS`, to print under the L characters it tags."""
    tags = check_int_array("tags", tags, ndim=1, vocab_size=len(TAGS))
    return "".join(TAG_LETTERS[t] for t in tags.tolist())


def stdlib_files(names=STDLIB_FILES, stdlib=None):
    """-> sorted list of paths to the named files in the standard library's folder (or in `stdlib`, a folder).

    A missing file is a FileNotFoundError naming it and the folder searched.
    """
    if not isinstance(names, list | tuple) or not all(isinstance(n, str) for n in names):
        raise TypeError(f"names must be a list of file names such as ['abc.py'], got {names!r:.80}")
    if not names:
        raise ValueError("names must hold at least one file name, got none")
    if len(set(names)) < len(names):  # a file named twice would silently count once
        raise ValueError(f"names must not repeat a file, got {sorted(n for n in set(names) if names.count(n) > 1)} "
                         "more than once")
    if stdlib is not None:
        check_path("stdlib", stdlib, must_exist="dir")
    folder = pathlib.Path(sysconfig.get_paths()["stdlib"] if stdlib is None else stdlib)
    paths = [folder / name for name in sorted(names)]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"names holds {len(missing)} file(s) not in the standard library folder {folder}: "
                                f"{missing}")
    return paths


def truncate(text, tags, max_chars):
    """Cut a labelled file to at most `max_chars` characters, at the end of its last whole line.

    The tags are those of the whole file, cut with it: a string that runs past the cut keeps its STRING tags.
    A file whose first line is longer than `max_chars` is cut mid-line at `max_chars`.
    """
    check_text("text", text)
    tags = check_int_array("tags", tags, ndim=1, vocab_size=len(TAGS))
    check_positive_int("max_chars", max_chars)
    if len(tags) != len(text):
        raise ValueError(f"tags must have one id per character of text: {len(text)} characters, got {len(tags)} tags")
    if len(text) <= max_chars:
        return text, tags
    end = text.rfind("\n", 0, max_chars) + 1 or max_chars
    return text[:end], tags[:end]


class CodeTaggingSplit(NamedTuple):
    """train, val, test: lists of (text, tags) pairs, one per file, tags (L,) int64; files: the file names of
    each part, {"train": [...], "val": [...], "test": [...]}, in the same order."""

    train: list
    val: list
    test: list
    files: dict


def code_tagging_split(names=STDLIB_FILES, max_chars=None, stdlib=None):
    """-> CodeTaggingSplit of the labelled files, split by file (the module's docstring gives the rule).

    max_chars: None keeps each file whole; an int cuts each labelled file at the end of its last whole line
    before `max_chars` characters (`truncate`), so that a chapter can train in seconds. Needs 10 files at least,
    so that each part has one.
    """
    if max_chars is not None:
        check_positive_int("max_chars", max_chars)
    paths = stdlib_files(names, stdlib)
    if len(paths) < 10:
        raise ValueError(f"the split needs at least 10 files (one in 10 to validation and to test): names gives "
                         f"{len(paths)}")
    parts = {"train": [], "val": [], "test": []}
    files = {"train": [], "val": [], "test": []}
    for i, path in enumerate(paths):
        part = "val" if i % 10 == 8 else "test" if i % 10 == 9 else "train"
        try:
            text, tags = label_characters(path.read_text(encoding="utf-8"))
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
        if max_chars is not None:
            text, tags = truncate(text, tags, max_chars)
        parts[part].append((text, tags))
        files[part].append(path.name)
    return CodeTaggingSplit(parts["train"], parts["val"], parts["test"], files)
