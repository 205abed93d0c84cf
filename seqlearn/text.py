"""Tokenisers: text -> a list of tokens, by character or by word.

Normalisation policy (the same for both tokenisers, so a learner can predict every token):
1. Unicode NFC: a letter with an accent is one character however it was typed.
2. Optional lowercasing (`lowercase=`): on by default for words, off for characters.
Nothing else is removed or replaced. In particular no character is dropped, so:
- `"".join(tokenise_chars(text)) == normalise(text)`, and
- `"".join(tokenise_words(text)) == "".join(normalise(text).split())`: every non-space character
  lands in exactly one word token, in order; only whitespace separates tokens.

A word token is a run of letters, digits or underscores, with inner apostrophes kept ("don't", "o'er");
every other non-space character (punctuation, symbols) is a token of its own.
`letters_only` is the cruder preprocessing d2l uses for The Time Machine (chapter 5 uses it).
"""

import re
import unicodedata

from seqlearn.checks import check_flag, check_text

WORD = re.compile(r"\w+(?:'\w+)*|[^\w\s]")


def normalise(text, lowercase=False):
    """NFC-normalise `text` and optionally lowercase it (`lowercase` is True or False, nothing else)."""
    check_text("text", text)
    lowercase = check_flag("lowercase", lowercase)
    text = unicodedata.normalize("NFC", text)
    # Lowercasing can produce decomposed characters (e.g. 'İ' -> 'i' + combining dot), so normalise again.
    return unicodedata.normalize("NFC", text.lower()) if lowercase else text


def tokenise_chars(text, lowercase=False):
    """Split text into characters: `tokenise_chars("Hi!") == ['H', 'i', '!']`."""
    return list(normalise(text, lowercase))


def tokenise_words(text, lowercase=True):
    """Split text into words and punctuation: `tokenise_words("Don't go!") == ["don't", 'go', '!']`."""
    return WORD.findall(normalise(text, lowercase))


def letters_only(text):
    """d2l's Time Machine preprocessing: every run of non-letters becomes one space, then lowercase.

    `letters_only("It's 1895.") == 'it s '`. ASCII letters only, as d2l does.
    """
    check_text("text", text)
    return re.sub("[^A-Za-z]+", " ", text).lower()
