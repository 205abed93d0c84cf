"""Re-execute notebooks in place and store their outputs, reproducibly.

Usage: python tools/run_notebooks.py notebooks/*.ipynb   (what `make notebooks` runs)

Why not `jupyter nbconvert --execute --inplace`? It records per-cell timestamps and the widgets' random
model ids, so two runs in a row would differ in `git diff` although every printed number is the same.
Here each notebook runs in the current environment's kernel with its own folder as working directory,
timings are not recorded, widget state is not stored, and widget views (random ids, which nbval skips
anyway) are replaced by their stable text form.
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def strip_widget_views(nb):
    """Drop widget views (random model ids) from outputs, keeping their text/plain form."""
    for cell in nb.cells:
        kept = []
        for out in cell.get("outputs", []):
            if "data" in out:
                out["data"].pop(WIDGET_VIEW, None)
                if not out["data"]:
                    continue  # the output was only a widget view
            kept.append(out)
        if cell.cell_type == "code":
            cell.outputs = kept
    nb.metadata.pop("widgets", None)


def run(path):
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=600,
        record_timing=False,
        store_widget_state=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    strip_widget_views(nb)
    nbformat.write(nb, path)
    return seconds


def main(paths):
    if not paths:
        sys.exit("usage: python tools/run_notebooks.py NOTEBOOK.ipynb [...]")
    for p in paths:
        print(f"{p}: executed in {run(p):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
