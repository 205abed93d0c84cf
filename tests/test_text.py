import pytest
from hypothesis import given
from hypothesis import strategies as st

from seqlearn.text import letters_only, normalise, tokenise_chars, tokenise_words


def test_word_examples():
    assert tokenise_words("Don't go, O'er the hills!") == ["don't", "go", ",", "o'er", "the", "hills", "!"]
    assert tokenise_words("Hello  world", lowercase=False) == ["Hello", "world"]
    assert tokenise_words("") == []


def test_char_examples():
    assert tokenise_chars("Hi!") == ["H", "i", "!"]
    assert tokenise_chars("Hi", lowercase=True) == ["h", "i"]
    # NFC: 'e' + combining acute is one character
    assert tokenise_chars("e\u0301") == ["\u00e9"]


def test_letters_only_matches_d2l_preprocessing():
    assert letters_only("It's 1895. The Time-Machine!") == "it s the time machine "


@given(st.text())
def test_chars_round_trip(text):
    assert "".join(tokenise_chars(text)) == normalise(text)


@given(st.text(), st.booleans())
def test_words_keep_every_non_space_character_in_order(text, lowercase):
    tokens = tokenise_words(text, lowercase=lowercase)
    assert "".join(tokens) == "".join(normalise(text, lowercase).split())
    assert all(t and not any(c.isspace() for c in t) for t in tokens)


@given(st.text())
def test_words_are_stable_under_rejoining(text):
    tokens = tokenise_words(text)
    assert tokenise_words(" ".join(tokens)) == tokens


@pytest.mark.parametrize("fn", [tokenise_chars, tokenise_words, letters_only, normalise])
def test_non_text_is_refused(fn):
    with pytest.raises(TypeError, match="text must be a str, got list"):
        fn(["a", "b"])
