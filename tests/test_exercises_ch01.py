import pytest

from seqlearn.exercises import WrongAnswer, ch01

# The reference answers, worked out by hand from the column-vector convention.
SHAPES = {"W_xh": (32, 10), "W_hh": (32, 32), "b_h": (32,), "W_hy": (5, 32), "b_y": (5,)}
TASKS = {
    "sentiment classification": "many-to-one",
    "music generation": "one-to-many",
    "machine translation": "many-to-many-unequal",
    "named-entity recognition": "many-to-many-equal",
    "video activity recognition": "many-to-one",
}
WRONG_SHAPE = {"name": "W_hy", "shape": (3, 16)}
BATCHED = {"x": (20, 16, 50), "h_t": (16, 64), "h": (20, 16, 64)}


def test_parameter_shapes(capsys):
    ch01.check_parameter_shapes(SHAPES)
    assert capsys.readouterr().out.startswith("Correct:")
    ch01.check_parameter_shapes({**SHAPES, "b_h": [32, 1], "b_y": (5, 1)})  # column biases, a list: also right
    with pytest.raises(WrongAnswer, match=r"W_hh: \(32, 10\) is not right"):
        ch01.check_parameter_shapes({**SHAPES, "W_hh": (32, 10)})  # the circulating mistake
    with pytest.raises(WrongAnswer, match=r"W_xh: \(10, 32\) is not right"):
        ch01.check_parameter_shapes({**SHAPES, "W_xh": (10, 32)})  # d2l's row form
    with pytest.raises(WrongAnswer, match="expected the names"):
        ch01.check_parameter_shapes({"W_xh": (32, 10)})
    with pytest.raises(WrongAnswer, match="expected a dict"):
        ch01.check_parameter_shapes([(32, 10)])


def test_architectures(capsys):
    assert set(ch01.TASKS) == set(TASKS)
    ch01.check_architectures(TASKS)
    assert capsys.readouterr().out.startswith("Correct:")
    with pytest.raises(WrongAnswer, match="machine translation: not many-to-many-equal"):
        ch01.check_architectures({**TASKS, "machine translation": "many-to-many-equal"})
    with pytest.raises(WrongAnswer, match="'seq2seq' is not one of"):
        ch01.check_architectures({**TASKS, "machine translation": "seq2seq"})


def test_parameter_count(capsys):
    ch01.check_parameter_count(lambda D, H, O: H * D + H * H + H + O * H + O)
    assert capsys.readouterr().out.startswith("Correct:")
    with pytest.raises(WrongAnswer, match=r"count\(1, 1, 1\) returned 6"):
        ch01.check_parameter_count(lambda D, H, O: H * D + H * H + 2 * H + O * H + O)  # PyTorch's two biases
    with pytest.raises(WrongAnswer, match="expected a function"):
        ch01.check_parameter_count(42)


def test_wrong_shape(capsys):
    assert ch01.CIRCULATING_NOTE["W_hy"] == (16, 3)
    ch01.check_wrong_shape(WRONG_SHAPE)
    assert capsys.readouterr().out.startswith("Correct:")
    ch01.check_wrong_shape({"name": "W_hy", "shape": [3, 16]})
    with pytest.raises(WrongAnswer, match=r"W_hh \(16, 16\) is right"):
        ch01.check_wrong_shape({"name": "W_hh", "shape": (16, 8)})
    with pytest.raises(WrongAnswer, match=r"W_hy: \(16, 3\) is not right either"):
        ch01.check_wrong_shape({"name": "W_hy", "shape": (16, 3)})
    with pytest.raises(WrongAnswer, match="'W_ya' is not in the note"):
        ch01.check_wrong_shape({"name": "W_ya", "shape": (3, 16)})
    with pytest.raises(WrongAnswer, match="keys 'name' and 'shape'"):
        ch01.check_wrong_shape("W_hy")


def test_batched_shapes(capsys):
    ch01.check_batched_shapes(BATCHED)
    assert capsys.readouterr().out.startswith("Correct:")
    with pytest.raises(WrongAnswer, match=r"x: \(16, 20, 50\) is not right; time-major"):
        ch01.check_batched_shapes({**BATCHED, "x": (16, 20, 50)})  # batch-first by mistake
    with pytest.raises(WrongAnswer, match="h_t: 64 is not right"):
        ch01.check_batched_shapes({**BATCHED, "h_t": 64})
