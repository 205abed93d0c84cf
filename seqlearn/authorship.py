"""Who wrote this line, Wells or Shakespeare? A many-to-one task on real text, with its data, split and scores.

The model must win on style (words, spelling, letter patterns), never on formatting, so both books go through
the same normalisation, and their pieces have the same lengths:

1. **Text only.** From The Time Machine drop the title line and the chapter headings (a line of capitals alone:
   "I", ..., "XII", "EPILOGUE"); from tiny-shakespeare drop the speaker lines (a line ending with ":" that opens
   a speech, after a blank line or at the start, such as "First Citizen:") and stage directions (a line inside
   brackets, or one that starts with Enter, Exit or Exeunt; this copy has none, other copies do).
2. **Letters and single spaces.** `seqlearn.text.letters_only` (lowercase; every run of non-letters, line breaks
   included, becomes one space), so each book is one stream such as "before we proceed any further hear me".
3. **Pieces of matched lengths, not the books' own lines.** A book's line breaks are typesetting: Wells's lines are
   wrapped at about 70 characters and start mid-sentence, Shakespeare's are verse that starts at a phrase. Kept,
   they would give the author away by length and by where a line starts. Instead one seeded draw of lengths
   L_1, L_2, ..., each uniform in [min_length, max_length], cuts **both** streams: Wells's stream, the shorter,
   is cut into consecutive pieces of lengths L_1, L_2, ... (the rest, shorter than a piece, is dropped), and
   Shakespeare's stream is divided into as many equal slots, slot i giving one piece of length L_i at a random
   place inside it, so his pieces cover every play. Piece i of each author has the same length: the two length
   distributions are identical, in every part of the split too, and both authors' pieces start and end anywhere,
   mid-word included. Pairs in which a piece repeats an earlier one (of either author) are dropped, so no text
   occurs twice and the classes stay balanced.

`authorship_split` cuts the pieces **contiguously, in each book's order**, into train, test and validation (80,
10, 10%): in the book, train comes first, then test, then validation (the last 10%), the order of
`seqlearn.splits.time_machine_char_split`, so The Time Machine's last stretch, on which chapter 5 made its
choices, is never a test. Why contiguous, not random: neighbouring pieces share names, topics and phrases ("the
time traveller", "weena"; a scene's characters), so a random split would score memory of the passage; a
contiguous one asks for new passages, and for Shakespeare, new plays. The seed draws the lengths and the
Shakespeare offsets, and shuffles each part, so a minibatch mixes the authors. Labels: 0 = Wells, 1 = Shakespeare.

A classifier's predicted labels are scored by `seqlearn.metrics.accuracy` and `confusion_matrix`.
"""

import copy
import re
from typing import NamedTuple

import numpy as np

from seqlearn.checks import check_count, check_positive_int, check_rng, check_text
from seqlearn.data import load_time_machine, load_tiny_shakespeare
from seqlearn.splits import check_fractions, cut_points
from seqlearn.text import letters_only

AUTHORS = ("wells", "shakespeare")  # label 0, label 1
HEADING = re.compile(r"[A-Z]+")  # a chapter heading of The Time Machine: "IV", "EPILOGUE"
STAGE_DIRECTION = re.compile(r"\[.*\]|\(.*\)|(Enter|Exit|Exeunt|Re-enter)\b.*")


def wells_prose(text):
    """The Time Machine's raw text -> its prose as one normalised stream (letters and single spaces, lowercase):
    without the title line (the first) and the chapter headings."""
    check_text("text", text)
    lines = text.splitlines()[1:]
    kept = [line for line in lines if not HEADING.fullmatch(line.strip())]
    return letters_only("\n".join(kept)).strip()


def shakespeare_speech(text):
    """tiny-shakespeare's raw text -> the spoken words as one normalised stream: without speaker lines ("First
    Citizen:" after a blank line or at the start) and stage directions."""
    check_text("text", text)
    kept, previous = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        speaker = previous == "" and stripped.endswith(":")
        if not speaker and not STAGE_DIRECTION.fullmatch(stripped):
            kept.append(line)
        previous = stripped
    return letters_only("\n".join(kept)).strip()


def _check_lengths(min_length, max_length):
    min_length = check_positive_int("min_length", min_length)
    return min_length, check_positive_int("max_length", max_length, minimum=min_length)


class AuthorLines(NamedTuple):
    """wells, shakespeare: lists of K distinct pieces each, in book order; len(wells[i]) == len(shakespeare[i])."""

    wells: list
    shakespeare: list


def cut_pieces(wells, shakespeare, rng, min_length=20, max_length=60):
    """Two normalised streams (str) -> AuthorLines, cut with one draw of lengths (the module's docstring, step 3).

    rng: a np.random.Generator. Lengths are uniform integers in [min_length, max_length]. Shakespeare's stream must
    be long enough to give each of Wells's K pieces a slot of at least max_length characters.
    """
    check_text("wells", wells)
    check_text("shakespeare", shakespeare)
    check_rng(rng)
    min_length, max_length = _check_lengths(min_length, max_length)
    draw = copy.deepcopy(rng)  # draw from a copy, handed back to rng only once every check has passed
    lengths = draw.integers(min_length, max_length + 1, size=len(wells) // min_length + 1)
    ends = np.cumsum(lengths)
    lengths, ends = lengths[ends <= len(wells)], ends[ends <= len(wells)]
    if len(lengths) == 0:
        raise ValueError(f"wells (the Wells stream, {len(wells)} characters) is shorter than one piece "
                         f"(min_length={min_length})")
    slot = len(shakespeare) // len(lengths)
    if slot < max_length:
        raise ValueError(f"shakespeare (the Shakespeare stream, {len(shakespeare)} characters) is too short for "
                         f"{len(lengths)} slots of at least max_length={max_length} characters each")
    starts = np.arange(len(lengths)) * slot + draw.integers(0, slot - lengths + 1)
    rng.bit_generator.state = draw.bit_generator.state
    pairs = [(wells[e - n:e], shakespeare[s:s + n]) for e, s, n in zip(ends, starts, lengths, strict=True)]
    seen, kept = set(), []
    for w, s in pairs:  # drop a pair if either piece repeats earlier text: no line can sit in two parts
        if w not in seen and s not in seen and w != s:
            kept.append((w, s))
        seen.update((w, s))
    return AuthorLines([w for w, _ in kept], [s for _, s in kept])


def author_lines(seed=0, min_length=20, max_length=60):
    """-> AuthorLines of both books, normalised and cut into pieces of matched lengths (the module's docstring).

    With the defaults, about 4,300 pieces per author, of 20 to 60 characters (40 on average, about a verse line).
    """
    check_count("seed", seed)
    _check_lengths(min_length, max_length)  # before the books are read
    rng = np.random.default_rng(seed)
    return cut_pieces(wells_prose(load_time_machine()), shakespeare_speech(load_tiny_shakespeare()), rng,
                      min_length, max_length)


class Labelled(NamedTuple):
    """lines: a list of M str; labels: int64 array (M,), 0 = Wells, 1 = Shakespeare."""

    lines: list
    labels: np.ndarray


class AuthorshipSplit(NamedTuple):
    train: Labelled
    val: Labelled
    test: Labelled


def authorship_split(seed=0, min_length=20, max_length=60, val_fraction=0.1, test_fraction=0.1):
    """-> AuthorshipSplit(train, val, test), each Labelled(lines, labels), balanced (as many lines per author).

    Cut contiguously in each book's order: train (first 80%), test, then val (each book's last 10%); each part is
    shuffled by `seed`. The same seed gives the same split; no piece occurs twice.
    """
    check_fractions(val_fraction, test_fraction)  # before the books are read
    check_count("seed", seed)
    wells, shakespeare = author_lines(seed, min_length, max_length)
    k = len(wells)
    train_end, val_start = cut_points(k, val_fraction, test_fraction, last="val")
    rng = np.random.default_rng([seed, 1])  # its own stream, apart from the one that drew the pieces

    def part(a, b):
        lines = wells[a:b] + shakespeare[a:b]
        labels = np.repeat(np.arange(2, dtype=np.int64), b - a)
        order = rng.permutation(len(lines))
        return Labelled([lines[i] for i in order], labels[order])

    return AuthorshipSplit(part(0, train_end), part(val_start, k), part(train_end, val_start))
