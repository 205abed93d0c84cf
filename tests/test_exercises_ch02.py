import numpy as np
import pytest

from seqlearn.exercises import WrongAnswer, ch02

# The reference answers, worked out by hand (not with the package).
TOKEN_IDS = {"sat": 8, "dog": 1}  # <pad> <unk> <bos> <eos> the cat mat on sat
ONE_HOT_BYTES = {"one_hot": 35 * 32 * 10_000 * 4, "ids": 35 * 32 * 8}
MASK = np.array([[True, True, True], [True, False, True], [True, False, False]])
DECODED = ["w", "o", "r", "l", "d", "<eos>"]  # l=4 o=5 ' '=6 d=7 e=8 h=9 r=10 w=11


def test_token_ids(capsys):
    ch02.check_token_ids(TOKEN_IDS)
    assert capsys.readouterr().out.startswith("Correct:")
    with pytest.raises(WrongAnswer, match="'sat' -> 7"):
        ch02.check_token_ids({"sat": 7, "dog": 1})
    with pytest.raises(WrongAnswer, match="where do unknowns go"):
        ch02.check_token_ids({"sat": 8, "dog": 9})


def test_one_hot_bytes():
    ch02.check_one_hot_bytes(ONE_HOT_BYTES)
    with pytest.raises(WrongAnswer, match="one_hot: 89600000 bytes is not right"):
        ch02.check_one_hot_bytes({**ONE_HOT_BYTES, "one_hot": 35 * 32 * 10_000 * 8})  # float64 by mistake


def test_padding_mask():
    ch02.check_padding_mask(MASK)
    with pytest.raises(WrongAnswer, match=r"expected shape \(T_max, N\) = \(3, 3\)"):
        ch02.check_padding_mask(MASK[:, :2])
    with pytest.raises(WrongAnswer, match="some entries are not"):
        ch02.check_padding_mask(MASK.T)  # batch-major by mistake
    with pytest.raises(WrongAnswer, match="boolean mask"):
        ch02.check_padding_mask(MASK.astype(int))


def test_decode():
    ch02.check_decode(DECODED)
    with pytest.raises(WrongAnswer, match="is not right"):
        ch02.check_decode(["w", "o", "r", "l", "d"])
    with pytest.raises(WrongAnswer, match="expected a list of tokens, got str"):
        ch02.check_decode("world<eos>")
