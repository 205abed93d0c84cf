import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from seqlearn.text import tokenise_chars
from seqlearn.vocab import RESERVED, UNK, Vocab


def test_order_is_reserved_then_frequency_then_alphabetical():
    v = Vocab(list("bbaacd" + "a"))
    assert v.id_to_token == list(RESERVED) + ["a", "b", "c", "d"]
    assert [v.token_to_id[t] for t in "abcd"] == [4, 5, 6, 7]


def test_min_freq_and_max_size_cut_rare_tokens():
    tokens = list("aaabbc")
    assert Vocab(tokens, min_freq=2).id_to_token[len(RESERVED):] == ["a", "b"]
    assert Vocab(tokens, max_size=len(RESERVED) + 1).id_to_token[len(RESERVED):] == ["a"]


def test_unknown_tokens_map_to_unk_and_len_in():
    v = Vocab(["the", "cat"], reserved=[UNK])
    assert len(v) == 3 and "cat" in v and "dog" not in v
    assert v.decode(v.encode(["the", "dog"])) == ["the", UNK]


def test_nested_token_lists_are_flattened():
    assert Vocab([["a", "b"], ["b"]]).counts == {"a": 1, "b": 2}


def test_decode_accepts_integer_arrays():
    v = Vocab(list("ab"))
    assert v.decode(np.array([[4], [5]])) == ["a", "b"]


@given(st.text())
def test_encode_decode_round_trip_on_arbitrary_text(text):
    tokens = tokenise_chars(text)
    v = Vocab(tokens)
    assert v.decode(v.encode(tokens)) == tokens


@given(st.lists(st.text(max_size=3), max_size=30), st.lists(st.text(max_size=3), max_size=10),
       st.integers(1, 3))
def test_ids_are_a_bijection_and_unknowns_go_to_unk(corpus, queries, min_freq):
    v = Vocab(corpus, min_freq=min_freq)
    assert len(set(v.id_to_token)) == len(v)
    assert all(v.token_to_id[t] == i for i, t in enumerate(v.id_to_token))
    for q, i in zip(queries, v.encode(queries), strict=True):
        assert v.id_to_token[i] == (q if q in v else UNK)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"tokens": "hello"}, TypeError, "got a str; tokenise it first"),
        ({"tokens": [1, 2]}, TypeError, "tokens must be str .* got int 1"),
        ({"tokens": ["a"], "min_freq": 0}, ValueError, "min_freq must be at least 1, got 0"),
        ({"tokens": ["a"], "min_freq": 1.5}, TypeError, "min_freq must be an int, got float"),
        ({"tokens": ["a"], "reserved": ["<pad>"]}, ValueError, "must include '<unk>'"),
        ({"tokens": ["a"], "reserved": ["<unk>", "<unk>"]}, ValueError, "must be distinct"),
        ({"tokens": ["a"], "max_size": 2}, ValueError, "room for the 4 reserved tokens, got 2"),
    ],
)
def test_bad_construction(kwargs, error, message):
    with pytest.raises(error, match=message):
        Vocab(**kwargs)


def test_bad_decode():
    v = Vocab(list("ab"))
    with pytest.raises(ValueError, match=r"ids must be ids in \[0, 5\] \(vocab_size=6\); got 6 at position \(1,\)"):
        v.decode([0, 6])
    with pytest.raises(TypeError, match="ids must hold integers, got dtype float64"):
        v.decode([0.0, 1.0])
    with pytest.raises(TypeError, match="got a str"):
        v.encode("ab")
