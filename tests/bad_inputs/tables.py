"""Collects the entries of every `table_*.py` beside this file (one per group of modules)."""

import importlib
import pkgutil
from pathlib import Path


def all_entries():
    entries = []
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if info.name.startswith("table_"):
            entries += importlib.import_module(f"bad_inputs.{info.name}").ENTRIES
    return entries
