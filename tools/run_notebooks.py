"""Re-execute notebooks in place and store their outputs, reproducibly.

Usage: python tools/run_notebooks.py [--refresh-variable] notebooks/*.ipynb   (what `make notebooks` runs)

Why not `jupyter nbconvert --execute --inplace`? It records per-cell timestamps and the widgets' random
model ids, so two runs in a row would differ in `git diff` although every printed number is the same.
Here each notebook runs in the current environment's kernel with its own folder as working directory,
timings are not recorded, widget state is not saved, widget views (random ids, which nbval skips
anyway) are replaced by their stable text form, and adjacent prints are stored as one stream.

Cells tagged `nbval-ignore-output` print what truly varies from run to run (timings, for instance). Their
stored output is a sample, which nbval does not compare; it is kept as it is, so that regenerating leaves
`git diff` empty. `--refresh-variable` replaces those samples too (do it when such a cell's code changes).
"""

import argparse
import runpy
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
VARIABLE = "nbval-ignore-output"

# The kernels inherit this process's environment: the same CPU kernels on every x86-64 CPU, so float32 training
# prints the same digits whatever CPU model regenerates or tests the chapters (tools/cpu_pins.py says why).
runpy.run_path(str(Path(__file__).with_name("cpu_pins.py")))["pin"]()


def canonical_outputs(outputs):
    """Drop widget views (random model ids), keeping their text/plain form, and merge adjacent stream outputs.

    The kernel sends consecutive prints as one stream message or several, depending on timing; merged, the
    stored form is the same every run.
    """
    kept = []
    for out in outputs:
        if "data" in out:
            out["data"].pop(WIDGET_VIEW, None)
            if not out["data"]:
                continue  # the output was only a widget view
        if out.get("output_type") == "stream" and kept and kept[-1].get("output_type") == "stream" \
                and kept[-1]["name"] == out["name"]:
            kept[-1]["text"] += out["text"]
            continue
        kept.append(out)
    return kept


def run(path, refresh_variable=False):
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    stored = {c.id: c.outputs for c in nb.cells if c.cell_type == "code" and VARIABLE in c.metadata.get("tags", [])}
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=600,
        record_timing=False,
        # nbclient needs the widget state while it runs (interact's output widget writes into it);
        # it is dropped from the saved notebook below, since its model ids are random.
        store_widget_state=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = canonical_outputs(cell.outputs)
        if not refresh_variable and stored.get(cell.id):
            cell.outputs = stored[cell.id]
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--refresh-variable", action="store_true",
                        help=f"also replace the stored sample output of cells tagged {VARIABLE}")
    args = parser.parse_args()
    for p in args.notebooks:
        print(f"{p}: executed in {run(p, args.refresh_variable):.1f} s", flush=True)


if __name__ == "__main__":
    main()
