import numpy as np
import pytest

from seqlearn.splits import time_machine_char_split


@pytest.mark.corpora
def test_time_machine_split():
    vocab, train, val = time_machine_char_split()
    assert len(vocab) == 28  # <unk>, space and 26 letters
    assert len(val) == pytest.approx(0.1 * (len(train) + len(val)), abs=1)
    assert train.dtype == val.dtype == np.int64 and val.max() < len(vocab)
    assert "".join(vocab.decode(val[:20])) == "".join(vocab.decode(val[:20])).lower()


def test_bad_fraction():
    with pytest.raises(ValueError, match=r"val_fraction must be in \(0, 1\), got 1.5"):
        time_machine_char_split(1.5)
