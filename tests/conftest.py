import os
from pathlib import Path

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

from seqlearn.data import DATA_DIR_VARIABLE, NAMES, TIME_MACHINE, TINY_SHAKESPEARE

# Tests draw figures without a screen.
matplotlib.use("Agg")

# CI runs on 2 shared cores: a slow example is not a failure, so no per-example deadline.
settings.register_profile("course", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("course")


def pytest_configure(config):
    config.addinivalue_line("markers", "corpora: needs the course corpora in $SEQLEARN_DATA_DIR (skipped otherwise)")
    config.addinivalue_line("markers", "browser: drives headless Chromium with Playwright (skipped without them)")


def pytest_collection_modifyitems(config, items):
    """Tests marked `corpora` read the real files; without them (no network here) they are skipped, with why."""
    folder = os.environ.get(DATA_DIR_VARIABLE)
    if folder and all(Path(folder, c.filename).is_file() for c in (NAMES, TIME_MACHINE, TINY_SHAKESPEARE)):
        return
    skip = pytest.mark.skip(reason=f"set {DATA_DIR_VARIABLE} to a directory holding the course corpora")
    for item in items:
        if "corpora" in item.keywords:
            item.add_marker(skip)
