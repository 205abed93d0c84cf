import os
from pathlib import Path

import numpy as np
import pytest

from seqlearn.data import DATA_DIR_VARIABLE
from seqlearn.splits import time_machine_char_split


@pytest.mark.skipif(not os.environ.get(DATA_DIR_VARIABLE) or
                    not Path(os.environ[DATA_DIR_VARIABLE], "timemachine.txt").is_file(),
                    reason=f"set {DATA_DIR_VARIABLE} to a directory holding the course corpora")
def test_time_machine_split():
    vocab, train, val = time_machine_char_split()
    assert len(vocab) == 28  # <unk>, space and 26 letters
    assert len(val) == pytest.approx(0.1 * (len(train) + len(val)), abs=1)
    assert train.dtype == val.dtype == np.int64 and val.max() < len(vocab)
    assert "".join(vocab.decode(val[:20])) == "".join(vocab.decode(val[:20])).lower()


def test_bad_fraction():
    with pytest.raises(ValueError, match=r"val_fraction must be in \(0, 1\), got 1.5"):
        time_machine_char_split(1.5)
