import keyword
import tokenize

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from seqlearn.code_tags import (
    STDLIB_FILES,
    TAG_LETTERS,
    TAGS,
    code_tagging_split,
    label_characters,
    stdlib_files,
    tags_to_letters,
    truncate,
)
from seqlearn.tagging_baselines import fit_majority, predict_majority, tag_scores, windows

# Each line of a hand-made source beside its tags, one letter per character (TAG_LETTERS: _ SPACE, n NAME,
# k KEYWORD, o OP, d NUMBER, s STRING, c COMMENT). It has every tag, a multi-line string (its newlines are
# STRING), a comment (its newline is SPACE), an f-string (one STRING in 3.11), indentation and a dedent, and a
# soft keyword (`match`), which tokenize leaves a NAME.
HAND_MADE = [
    ("def f(x=1.5):  # add\n", "kkk_nonodddoo__ccccc_"),
    ('    """Doc\n', "____sssssss"),
    ('    two"""\n', "ssssssssss_"),
    ("    if x is None:\n", "____kk_n_kk_kkkko_"),
    ("        return f\"{x!r}\" + 'a'\n", "________kkkkkk_ssssssss_o_sss_"),
    ("    return x[0]\n", "____kkkkkk_nodo_"),
    ("match = -0x1F\n", "nnnnn_o_odddd_"),
]
SOURCE = "".join(line for line, _ in HAND_MADE)
EXPECTED = "".join(tags for _, tags in HAND_MADE)


def test_hand_made_source_is_tagged_character_by_character():
    assert all(len(line) == len(tags) for line, tags in HAND_MADE)
    text, tags = label_characters(SOURCE)
    got = tags_to_letters(tags)
    wrong = [(i, SOURCE[i], EXPECTED[i], got[i]) for i in range(len(SOURCE)) if got[i] != EXPECTED[i]]
    assert wrong == [], "(offset, character, expected tag, got tag)"
    assert set(got) == set(TAG_LETTERS) and len(TAG_LETTERS) == len(TAGS)


def test_labeller_agrees_with_tokenize_token_by_token():
    """Each token's characters carry its type, found independently by walking the lines (3.11 tokens)."""
    text, tags = label_characters(SOURCE)
    lines = SOURCE.splitlines(keepends=True)
    offset = [sum(len(line) for line in lines[:r]) for r in range(len(lines) + 1)]
    kinds = {tokenize.OP: "OP", tokenize.NUMBER: "NUMBER", tokenize.STRING: "STRING", tokenize.COMMENT: "COMMENT"}
    for tok in tokenize.generate_tokens(iter(lines).__next__):
        if tok.type in kinds or tok.type == tokenize.NAME:
            a, b = offset[tok.start[0] - 1] + tok.start[1], offset[tok.end[0] - 1] + tok.end[1]
            kind = kinds.get(tok.type, "KEYWORD" if keyword.iskeyword(tok.string) else "NAME")
            assert {TAGS[t] for t in tags[a:b]} == {kind}, tok


def test_text_round_trips_and_every_character_gets_one_tag():
    for source in ("", "x", "x = 1", "x = 1 \\\n  + 2\n", "\tif a:\r\n\t\tpass\r\n"[1:], "x = 1\n\x0c\ny\n"):
        text, tags = label_characters(source)
        assert text == source and tags.shape == (len(source),) and tags.dtype == np.int64
    assert tags_to_letters(label_characters("x = 1 \\\n  + 2\n")[1]) == "n_o_d_____o_d_"  # the `\` is SPACE
    assert tags_to_letters(label_characters("x = 1\n\x0c\ny\n")[1]) == "n_o_d___n_"  # a form feed is no line end


def test_every_stdlib_file_round_trips_with_one_tag_per_character():
    for path in stdlib_files():
        source = path.read_text(encoding="utf-8")
        text, tags = label_characters(source)
        assert text == source and len(tags) == len(text)
        assert ((tags >= 0) & (tags < len(TAGS))).all()


@pytest.mark.parametrize("source, message", [
    ("a = $\n", "line 1, column 4: unexpected '\\$'"),
    ("s = 'abc\n", "line 1, column 4: unexpected \"'\""),
    ('x = 1\ny = """abc\n', "line 2, column 4: EOF in multi-line string"),
    ("if x:\n    y\n  z\n", "line 3, column 2: unindent does not match any outer indentation level"),
    ("f(\n", "line 2, column 0: EOF in multi-line statement"),
])
def test_untokenizable_source_is_refused_saying_where(source, message):
    with pytest.raises(ValueError, match="source does not tokenize at " + message):
        label_characters(source)


def test_wrong_inputs_are_refused():
    with pytest.raises(TypeError, match="source must be a str of Python code, got bytes"):
        label_characters(b"x = 1\n")
    with pytest.raises(ValueError, match=r"tags must be ids in \[0, 6\]"):
        tags_to_letters(np.array([0, 7]))
    with pytest.raises(FileNotFoundError, match=r"1 file\(s\) not in the standard library folder .*'nope.py'"):
        stdlib_files(["abc.py", "nope.py"])
    with pytest.raises(TypeError, match="names must be a list of file names"):
        stdlib_files("abc.py")


def test_truncate_cuts_at_a_line_end_and_keeps_the_whole_file_tags():
    text, tags = label_characters('x = 1\ns = """a\nb"""\n')
    cut, cut_tags = truncate(text, tags, 16)
    assert cut == 'x = 1\ns = """a\n' and (cut_tags == tags[:len(cut)]).all()  # the open string stays STRING
    assert truncate("abcdef", np.zeros(6, np.int64), 4)[0] == "abcd"  # no line end: cut mid-line
    with pytest.raises(ValueError, match="one id per character of text: 3 characters, got 2 tags"):
        truncate("abc", np.zeros(2, np.int64), 2)


def test_split_is_by_file_deterministic_and_follows_the_rule():
    split = code_tagging_split()
    names = [name for part in ("train", "val", "test") for name in split.files[part]]
    assert sorted(names) == sorted(STDLIB_FILES) and len(set(names)) == len(names)  # each file in one part
    assert [len(split.files[p]) for p in ("train", "val", "test")] == [32, 4, 4]
    assert split.files["val"] == sorted(STDLIB_FILES)[8::10] and split.files["test"] == sorted(STDLIB_FILES)[9::10]
    again = code_tagging_split()
    assert again.files == split.files
    for part in ("train", "val", "test"):
        for (t1, g1), (t2, g2) in zip(getattr(split, part), getattr(again, part), strict=True):
            assert t1 == t2 and (g1 == g2).all()
    short = code_tagging_split(max_chars=4000)
    assert short.files == split.files
    for (text, tags), (cut, cut_tags) in zip(split.train, short.train, strict=True):
        assert len(cut) <= 4000 and text.startswith(cut) and (cut_tags == tags[:len(cut)]).all()
        assert cut == text or cut.endswith("\n")


def test_split_of_a_folder_of_my_own(tmp_path):
    for i in range(11):
        (tmp_path / f"m{i:02d}.py").write_text(f"x{i} = {i}\n")
    split = code_tagging_split([f"m{i:02d}.py" for i in range(11)], stdlib=tmp_path)
    assert split.files == {"train": [f"m{i:02d}.py" for i in (0, 1, 2, 3, 4, 5, 6, 7, 10)],
                           "val": ["m08.py"], "test": ["m09.py"]}
    assert split.val == [("x8 = 8\n", split.val[0][1])] and tags_to_letters(split.val[0][1]) == "nn_o_d_"
    with pytest.raises(ValueError, match="needs at least 10 files"):
        code_tagging_split(["m00.py"], stdlib=tmp_path)
    (tmp_path / "m10.py").write_text("x = $\n")
    with pytest.raises(ValueError, match="m10.py: source does not tokenize at line 1, column 4"):
        code_tagging_split([f"m{i:02d}.py" for i in range(11)], stdlib=tmp_path)


def test_scores_match_a_hand_computation():
    # gold 0 0 1 1 2 2, pred 0 1 1 1 0 0, four classes: class 2 is never predicted, class 3 is in neither.
    gold, pred = [0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 0, 0]
    s = tag_scores(gold, pred, num_classes=4)
    assert s.confusion.tolist() == [[1, 1, 0, 0], [0, 2, 0, 0], [2, 0, 0, 0], [0, 0, 0, 0]]
    np.testing.assert_allclose(s.precision, [1 / 3, 2 / 3, 0, 0])  # never predicted: precision 0
    np.testing.assert_allclose(s.recall, [1 / 2, 1, 0, 0])
    np.testing.assert_allclose(s.f1, [0.4, 0.8, 0, 0])  # 2PR/(P+R): (1/3)/(5/6) and (4/3)/(5/3)
    assert s.support.tolist() == [2, 2, 2, 0]
    assert s.macro_f1 == pytest.approx((0.4 + 0.8 + 0) / 3)  # over the classes in gold: 0, 1, 2, not 3
    assert s.accuracy == pytest.approx(0.5)


@given(st.integers(1, 6).flatmap(lambda c: st.tuples(
    st.just(c), st.lists(st.tuples(st.integers(0, c - 1), st.integers(0, c - 1)), min_size=1, max_size=40))))
def test_score_invariants(case):
    c, pairs = case
    gold, pred = np.array(pairs).T
    s = tag_scores(gold, pred, c)
    assert s.confusion.sum() == len(gold)
    assert (s.confusion.sum(axis=1) == np.bincount(gold, minlength=c)).all()
    assert (s.confusion.sum(axis=0) == np.bincount(pred, minlength=c)).all()
    for scores in (s.precision, s.recall, s.f1):
        assert ((scores >= 0) & (scores <= 1)).all()
    assert 0 <= s.macro_f1 <= 1 and s.accuracy == np.mean(gold == pred)
    perfect = tag_scores(gold, gold, c)
    assert perfect.macro_f1 == 1 and perfect.accuracy == 1
    reordered = tag_scores(gold[::-1], pred[::-1], c)  # positions carry no order
    assert reordered.macro_f1 == s.macro_f1 and (reordered.confusion == s.confusion).all()


@pytest.mark.parametrize("gold, pred, error, message", [
    ([0, 1], [0], ValueError, "same length, got 2 and 1"),
    ([], [], ValueError, "at least one position"),
    ([0, 3], [0, 0], ValueError, r"gold must hold ids in \[0, 2\] \(num_classes = 3\), got 3"),
    ([0, 1], [0.0, 1.0], TypeError, "pred must hold integers, got dtype float64"),
])
def test_scores_refuse_bad_input(gold, pred, error, message):
    with pytest.raises(error, match=message):
        tag_scores(gold, pred, num_classes=3)


def test_baselines_on_a_tiny_corpus_with_known_answers():
    # 'a' is tag 1 after 'b' and tag 0 after 'c' or 'd'; b, c, d are tag 2.
    train = [("ba", [2, 1]), ("ca", [2, 0]), ("da", [2, 0])]
    by_char = fit_majority(train)
    assert by_char.by_char == {"a": 0, "b": 2, "c": 2, "d": 2} and by_char.default == 2
    assert predict_majority(by_char, "ba").tolist() == [2, 0]  # blind to the 'b'
    left = fit_majority(train, left=1)
    assert predict_majority(left, "ba").tolist() == [2, 1]
    assert predict_majority(left, "ea").tolist() == [2, 0]  # 'e' never seen: default; "ea" unseen: 'a' backs off
    # 'a' is tag 1 before 'b': only a window that sees the right context gets it.
    train = [("ab", [1, 2]), ("ac", [0, 2]), ("ac", [0, 2])]
    assert predict_majority(fit_majority(train, left=1), "ab").tolist() == [0, 2]
    assert predict_majority(fit_majority(train, left=1, right=1), "ab").tolist() == [1, 2]
    assert fit_majority([("a", [1]), ("a", [0])]).by_char == {"a": 0}  # a tie goes to the smaller id
    assert windows("ab", 1, 1) == ["\0ab", "ab\0"]


def test_baselines_refuse_bad_corpora():
    with pytest.raises(TypeError, match="pairs must be a non-empty list of"):
        fit_majority("abc")
    with pytest.raises(ValueError, match=r"pairs\[0\] needs one tag per character: 2 characters, got 1 tags"):
        fit_majority([("ab", [0])])
    with pytest.raises(ValueError, match="left must be at least 0, got -1"):
        fit_majority([("ab", [0, 0])], left=-1)
    with pytest.raises(TypeError, match="model must be a MajorityTagger"):
        predict_majority({}, "ab")


def test_a_centred_window_beats_the_per_character_majority_on_validation():
    split = code_tagging_split(max_chars=4000)
    gold = np.concatenate([tags for _, tags in split.val])
    macro = {}
    for left, right in ((0, 0), (2, 2)):
        model = fit_majority(split.train, left, right)
        pred = np.concatenate([predict_majority(model, text) for text, _ in split.val])
        macro[left, right] = tag_scores(gold, pred, len(TAGS)).macro_f1
    assert macro[2, 2] > macro[0, 0] + 0.1
