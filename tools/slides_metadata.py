"""Set every chapter cell's slideshow metadata (RISE, `jupyter nbconvert --to slides`) from the cell's contents.

Usage: python tools/slides_metadata.py [--check] notebooks/[0-9][0-9]_*.ipynb

The slide type of a cell depends only on the cells themselves, so running the tool twice changes nothing:

    slide      the title cell, and every markdown cell with a `## ` section heading
    subslide   a markdown cell that opens with a `### ` heading, and an exercise's question (the markdown cell
               just before a cell tagged `solution`)
    fragment   an exercise's solution: it appears on the next click, after the question
    skip       the setup cell (the first code cell: imports and settings) and code cells longer than
               LONG_CODE lines, which do not fit on a slide (read them in the notebook)
    -          everything else: it continues the current slide

Only `cell.metadata.slideshow` is written; sources, outputs and all other metadata are kept, and the file is
read and written with nbformat (as `make notebooks` does), so `git diff` shows only the metadata.
`--check` changes nothing and exits 1 if some notebook's metadata is not what this tool would write.
"""

import argparse
import re
import sys
from pathlib import Path

import nbformat

LONG_CODE = 30  # lines; a longer code cell is skipped in the slides
SECTION = re.compile(r"^## ", re.MULTILINE)


def source(cell):
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def slide_types(cells):
    """The slide type of each cell, in order."""
    first_code = next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), None)
    types = []
    for i, cell in enumerate(cells):
        text = source(cell)
        nxt = cells[i + 1] if i + 1 < len(cells) else None
        if cell["cell_type"] == "markdown":
            if i == 0 or SECTION.search(text):
                kind = "slide"
            elif text.lstrip().startswith("### "):
                kind = "subslide"
            elif nxt is not None and "solution" in nxt.get("metadata", {}).get("tags", []):
                kind = "subslide"
            else:
                kind = "-"
        elif cell["cell_type"] == "code":
            if i == first_code or len(text.splitlines()) > LONG_CODE:
                kind = "skip"
            elif "solution" in cell.get("metadata", {}).get("tags", []):
                kind = "fragment"
            else:
                kind = "-"
        else:  # raw cells
            kind = "skip"
        types.append(kind)
    return types


def apply(nb):
    """Set the slideshow metadata of every cell of `nb` (as nbformat.read or json.load gives it); True if it
    changed."""
    changed = False
    for cell, kind in zip(nb["cells"], slide_types(nb["cells"]), strict=True):
        meta = cell.setdefault("metadata", {})
        if meta.get("slideshow") != {"slide_type": kind}:
            meta["slideshow"] = {"slide_type": kind}
            changed = True
    return changed


def dumps(nb):
    """`nb` (a notebook, or a dict as json.load gives it) as nbformat.write writes it: with a final newline."""
    return nbformat.writes(nbformat.from_dict(nb)) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook is not up to date")
    args = parser.parse_args()
    stale = []
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        if apply(nb):
            stale.append(path)
            if not args.check:
                nbformat.write(nb, path)
        print(f"{path}: {'stale' if args.check and path in stale else 'updated' if path in stale else 'up to date'}")
    if args.check and stale:
        sys.exit(1)


if __name__ == "__main__":
    main()
