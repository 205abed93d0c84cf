import numpy as np
import pytest

from seqlearn.exercises import WrongAnswer, ch02

# The reference answers, worked out by hand (not with the package).
TOKEN_IDS = {"sat": 8, "dog": 1}  # <pad> <unk> <bos> <eos> the(2) cat mat on sat (ties in sort order)
ONE_HOT_BYTES = {"one_hot": 35 * 32 * 10_000 * 4, "ids": 35 * 32 * 8}
MASK = np.array([[True, True, True], [True, False, True], [True, False, False]])
DECODED = ["w", "o", "r", "l", "d", "<eos>"]  # l=4 o=5 ' '=6 d=7 e=8 h=9 r=10 w=11


def test_token_ids(capsys):
    ch02.check_token_ids(TOKEN_IDS)
    assert capsys.readouterr().out == "Correct: 'sat' is 8 and 'dog' becomes <unk> (1).\n"
    ch02.check_token_ids({"sat": np.int64(8), "dog": np.int64(1)})  # NumPy integers are integers too
    with pytest.raises(WrongAnswer, match="'sat' -> 7"):
        ch02.check_token_ids({"sat": 7, "dog": 1})  # counted from 1, or forgot a reserved token
    with pytest.raises(WrongAnswer, match="where do unknown tokens go"):
        ch02.check_token_ids({"sat": 8, "dog": 9})
    with pytest.raises(WrongAnswer, match="ids are integers"):
        ch02.check_token_ids({"sat": 8, "dog": True})  # True == 1, but it is not an id
    with pytest.raises(WrongAnswer, match="expected a dict with the keys 'sat' and 'dog'"):
        ch02.check_token_ids([8, 1])


def test_one_hot_bytes(capsys):
    ch02.check_one_hot_bytes(ONE_HOT_BYTES)
    assert capsys.readouterr().out.startswith("Correct: 44,800,000 bytes against 8,960")
    with pytest.raises(WrongAnswer, match="one_hot: 89600000 bytes is not right"):
        ch02.check_one_hot_bytes({**ONE_HOT_BYTES, "one_hot": 35 * 32 * 10_000 * 8})  # float64 by mistake
    with pytest.raises(WrongAnswer, match="ids: 4480 bytes is not right"):
        ch02.check_one_hot_bytes({**ONE_HOT_BYTES, "ids": 35 * 32 * 4})  # int32 by mistake
    with pytest.raises(WrongAnswer, match="is an integer"):
        ch02.check_one_hot_bytes({**ONE_HOT_BYTES, "one_hot": 44.8e6})


def test_padding_mask(capsys):
    ch02.check_padding_mask(MASK)
    assert capsys.readouterr().out.startswith("Correct:")
    with pytest.raises(WrongAnswer, match=r"expected shape \(T_max, N\) = \(3, 3\)"):
        ch02.check_padding_mask(MASK[:, :2])
    with pytest.raises(WrongAnswer, match="some entries are not"):
        ch02.check_padding_mask(MASK.T)  # batch-major by mistake
    with pytest.raises(WrongAnswer, match="boolean mask"):
        ch02.check_padding_mask(MASK.astype(int))


def test_decode(capsys):
    ch02.check_decode(DECODED)
    assert capsys.readouterr().out == "Correct: 'world', then the end-of-sequence token.\n"
    with pytest.raises(WrongAnswer, match="is not right"):
        ch02.check_decode(["w", "o", "r", "l", "d"])
    with pytest.raises(WrongAnswer, match="is not right"):
        ch02.check_decode([" ", "o", "w", "l", "e", "<eos>"])  # the space sorted after the letters
    with pytest.raises(WrongAnswer, match="expected a list of tokens, got str"):
        ch02.check_decode("world<eos>")
