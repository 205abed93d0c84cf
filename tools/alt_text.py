"""Give every figure the chapters store its alt text, from notebooks/alt_text.yml.

Usage: python tools/alt_text.py [--check] notebooks/[0-9][0-9]_*.ipynb

notebooks/alt_text.yml holds a short description of each figure, keyed by chapter and by the id of the code
cell that draws it. This tool writes each into its cell's metadata as `mystnb: {image: {alt: ...}}`: myst-nb
gives it to the site's <img> (Jupyter Book), and tools/slides.html.j2 to the slides' (nbconvert's own templates
read no alt text, and warn "Alternative text is missing"). Cell metadata survives re-execution (`make notebooks`),
so the texts stay after the outputs are regenerated; run this again after adding a figure, or after a change
that gives a figure's cell a new id.

Only `cell.metadata.mystnb.image.alt` is written; sources, outputs and all other metadata are kept, and the file
is read and written with nbformat (as `make notebooks` does). Running it twice changes nothing. It fails, naming
them, on a figure without a text and on a text whose cell draws no figure. `--check` changes nothing and exits 1
if some notebook is not what this tool would write.
"""

import argparse
import sys
from pathlib import Path

import nbformat
import yaml

TEXTS = Path(__file__).resolve().parents[1] / "notebooks" / "alt_text.yml"


def load_texts(path=TEXTS):
    """{chapter stem: {cell id: alt text}}."""
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def figure_cells(nb):
    """The code cells of `nb` whose stored outputs hold an image."""
    return [cell for cell in nb["cells"] if cell["cell_type"] == "code"
            and any(mime.startswith("image/") for out in cell.get("outputs", []) for mime in out.get("data", {}))]


def apply(nb, texts):
    """Set the alt text of every figure cell of `nb` from `texts` ({cell id: text}, this chapter's); returns
    (changed, problems): whether a cell changed, and what is missing or left over."""
    figures = {cell["id"]: cell for cell in figure_cells(nb)}
    problems = [f"cell {cid} draws a figure and has no alt text in {TEXTS.name}" for cid in figures
                if not texts.get(cid)]
    problems += [f"cell {cid} has an alt text in {TEXTS.name} but draws no figure" for cid in texts
                 if cid not in figures]
    changed = False
    for cid, cell in figures.items():
        if texts.get(cid) and cell["metadata"].get("mystnb", {}).get("image", {}).get("alt") != texts[cid]:
            cell["metadata"].setdefault("mystnb", {}).setdefault("image", {})["alt"] = texts[cid]
            changed = True
    return changed, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook is not up to date")
    args = parser.parse_args()
    texts = load_texts()
    failed = [f"{TEXTS}: there is no notebooks/{stem}.ipynb" for stem in sorted(texts)
              if not (TEXTS.parent / f"{stem}.ipynb").is_file()]
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        changed, problems = apply(nb, texts.get(path.stem, {}))
        failed += [f"{path}: {problem}" for problem in problems]
        if changed and not args.check:
            nbformat.write(nb, path)
        stale = changed and args.check
        failed += [f"{path}: its alt texts are not those of {TEXTS.name}: run `python tools/alt_text.py {path}`"
                   ] if stale else []
        print(f"{path}: {'stale' if stale else 'updated' if changed else 'up to date'}")
    if failed:
        sys.exit("\n".join(failed))


if __name__ == "__main__":
    main()
