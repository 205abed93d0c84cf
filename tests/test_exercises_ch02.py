import numpy as np
import pytest
from build_it import assert_build_it

from seqlearn.exercises import WrongAnswer, ch02

# The reference answers, worked out by hand (not with the package).
TOKEN_IDS = {"sat": 8, "dog": 1}  # <pad> <unk> <bos> <eos> the(2) cat mat on sat (ties in sort order)
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


def test_batch_bytes():
    assert ch02.reference_batch_bytes(35, 32, 10_000) == {"one_hot": 35 * 32 * 10_000 * 8, "ids": 35 * 32 * 4}

    def batch_bytes(T, N, V):
        return {"one_hot": T * N * V * 8, "ids": T * N * 4}  # float64 and int32, by hand

    assert_build_it(ch02.check_batch_bytes, batch_bytes, ch02.reference_batch_bytes, ch02.BYTES_CASES,
                    ch02.BYTES_MISTAKES)
    with pytest.raises(WrongAnswer, match="differs at 1 of 1 entries"):
        ch02.check_batch_bytes(lambda T, N, V: {"one_hot": T * N * V * 8 + 1, "ids": T * N * 4})
    with pytest.raises(WrongAnswer, match="has dtype float64, expected integers"):
        ch02.check_batch_bytes(lambda T, N, V: {"one_hot": T * N * V * 8.0, "ids": T * N * 4})
    with pytest.raises(WrongAnswer, match="the parts"):
        ch02.check_batch_bytes(lambda T, N, V: T * N * V * 8)


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


def embedding_forward(ids, W):
    return W[ids]


def embedding_backward(dout, ids, V):
    dW = np.zeros((V, dout.shape[-1]))
    np.add.at(dW, ids, dout)
    return dW


def test_embedding_references():
    rng = np.random.default_rng(0)
    ids, W, dout = rng.integers(0, 3, size=(4, 5)), rng.normal(size=(3, 2)), rng.normal(size=(4, 5, 2))
    assert np.array_equal(ch02.reference_embedding_forward(ids, W), W[ids])
    assert np.allclose(ch02.reference_embedding_backward(dout, ids, 3), embedding_backward(dout, ids, 3))
    dW = ch02.reference_embedding_backward(dout, ids, 5)  # tokens 3 and 4 never occur: zero rows
    assert dW.shape == (5, 2) and not dW[3:].any()
    assert np.allclose(dW[0], dout[ids == 0].sum(axis=0))


def test_every_backward_case_repeats_an_id():
    rng = np.random.default_rng(0)
    for case in ch02.BACKWARD_CASES:
        ids = case.make(rng)["ids"]
        assert len(np.unique(ids)) < ids.size, case.label
    assert any(case.make(rng)["ids"].shape[0] == 1 for case in ch02.BACKWARD_CASES)
    assert any(case.make(rng)["ids"].shape[1] == 1 for case in ch02.BACKWARD_CASES)


def test_build_it_embedding_forward():
    assert_build_it(ch02.check_embedding_forward, embedding_forward, ch02.reference_embedding_forward,
                    ch02.FORWARD_CASES, ch02.FORWARD_MISTAKES)
    ch02.check_embedding_forward(lambda ids, W: ch02.one_hot(ids, len(W)) @ W)  # the chapter's other route


def test_build_it_embedding_backward():
    assert_build_it(ch02.check_embedding_backward, embedding_backward, ch02.reference_embedding_backward,
                    ch02.BACKWARD_CASES, ch02.BACKWARD_MISTAKES)


def test_embedding_backward_is_gradient_checked():
    ch02.gradient_check_embedding(embedding_backward)
    with pytest.raises(WrongAnswer, match="fails the finite-difference check: the gradient of W is off"):
        ch02.gradient_check_embedding(lambda dout, ids, V: 2 * embedding_backward(dout, ids, V))
    with pytest.raises(WrongAnswer, match="dW has shape"):
        ch02.gradient_check_embedding(lambda dout, ids, V: embedding_backward(dout, ids, V).T)
