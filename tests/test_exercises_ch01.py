import pytest

from seqlearn.exercises import WrongAnswer, ch01

SHAPES = {"W_xh": (32, 10), "W_hh": (32, 32), "b_h": (32,), "W_hy": (5, 32), "b_y": (5,)}
TASKS = {
    "sentiment classification": "many-to-one",
    "music generation": "one-to-many",
    "machine translation": "many-to-many-unequal",
    "named-entity recognition": "many-to-many-equal",
    "video activity recognition": "many-to-one",
}


def test_parameter_shapes(capsys):
    ch01.check_parameter_shapes(SHAPES)
    assert capsys.readouterr().out.startswith("Correct:")
    with pytest.raises(WrongAnswer, match=r"W_hh: \(32, 10\) is not right"):
        ch01.check_parameter_shapes({**SHAPES, "W_hh": (32, 10)})  # the circulating mistake
    with pytest.raises(WrongAnswer, match="expected the names"):
        ch01.check_parameter_shapes({"W_xh": (32, 10)})


def test_architectures():
    assert set(ch01.TASKS) == set(TASKS)
    ch01.check_architectures(TASKS)
    with pytest.raises(WrongAnswer, match="machine translation: not many-to-many-equal"):
        ch01.check_architectures({**TASKS, "machine translation": "many-to-many-equal"})
    with pytest.raises(WrongAnswer, match="'seq2seq' is not one of"):
        ch01.check_architectures({**TASKS, "machine translation": "seq2seq"})


def test_parameter_count():
    ch01.check_parameter_count(lambda D, H, O: H * D + H * H + H + O * H + O)
    with pytest.raises(WrongAnswer, match=r"count\(1, 1, 1\) returned 6"):
        ch01.check_parameter_count(lambda D, H, O: H * D + H * H + 2 * H + O * H + O)  # PyTorch's two biases


def test_batched_shapes():
    ch01.check_batched_shapes({"x": (20, 16, 50), "h_t": (16, 64), "h": (20, 16, 64)})
    with pytest.raises(WrongAnswer, match=r"x: \(16, 20, 50\) is not right; time-major"):
        ch01.check_batched_shapes({"x": (16, 20, 50), "h_t": (16, 64), "h": (20, 16, 64)})
