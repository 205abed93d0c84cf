"""The course holds together: every chapter is listed, follows the notebook rules, and links to its neighbours."""

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def load(path):
    return json.loads(path.read_text())


def test_chapters_are_numbered_without_gaps():
    numbers = [int(p.name[:2]) for p in CHAPTERS]
    assert numbers == list(range(1, len(CHAPTERS) + 1))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_listed_in_the_readme(chapter):
    assert f"(notebooks/{chapter.name})" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_notebook_rules(chapter):
    nb = load(chapter)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "".join(code[0]["source"]).startswith("%matplotlib inline")  # before anything that plots
    assert any(c["outputs"] for c in code), "no stored outputs: run `make notebooks` and commit the result"
    text = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    for heading in ("What you will be able to do", "## Summary", "## Exercises", "## References"):
        assert heading in text, f"{chapter.name} has no '{heading}'"
    assert any("solution" in c["metadata"].get("tags", []) for c in code), "exercise solutions are not tagged"


@pytest.mark.parametrize("index", range(len(CHAPTERS)), ids=lambda i: CHAPTERS[i].stem)
def test_links_to_previous_and_next_chapter(index):
    text = "".join("".join(c["source"]) for c in load(CHAPTERS[index])["cells"] if c["cell_type"] == "markdown")
    links = set(re.findall(r"\]\((\d\d_[a-z0-9_]+\.ipynb)\)", text))
    if index > 0:
        assert CHAPTERS[index - 1].name in links
    if index + 1 < len(CHAPTERS):
        assert CHAPTERS[index + 1].name in links


def test_make_notebooks_regenerates_every_chapter():
    """`make notebooks` must re-execute every chapter: its command's arguments, globbed, cover them all."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^notebooks:.*\n((?:\t.*\n?)+)", makefile, re.MULTILINE)
    assert recipe, "the Makefile has no `notebooks` target"
    command = next((line for line in recipe.group(1).splitlines() if "run_notebooks.py" in line), None)
    assert command, "the `notebooks` target does not run tools/run_notebooks.py"
    arguments = [a for a in command.split("run_notebooks.py", 1)[1].split() if not a.startswith("-")]
    covered = {path.resolve() for argument in arguments for path in ROOT.glob(argument)}
    missing = [chapter.name for chapter in CHAPTERS if chapter.resolve() not in covered]
    assert not missing, f"`make notebooks` ({command.strip()}) does not regenerate {missing}"


SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_slideshow_metadata(chapter):
    """Every cell has a slide type; the title and each `## ` section start a slide (tools/slides_metadata.py)."""
    cells = load(chapter)["cells"]
    for index, cell in enumerate(cells):
        kind = cell["metadata"].get("slideshow", {}).get("slide_type")
        assert kind in SLIDE_TYPES, f"cell {index} has no slide type: run `python tools/slides_metadata.py {chapter}`"
        text = "".join(cell["source"])
        if index == 0 or (cell["cell_type"] == "markdown" and re.search(r"^## ", text, re.MULTILINE)):
            assert kind == "slide", f"cell {index} ({text[:40]!r}) should start a slide"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_slideshow_metadata_is_what_the_tool_writes(chapter):
    """The metadata is up to date with the cells: rerunning tools/slides_metadata.py would change nothing."""
    spec = importlib.util.spec_from_file_location("slides_metadata", ROOT / "tools" / "slides_metadata.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    nb = load(chapter)
    assert not tool.apply(nb), f"stale slideshow metadata: run `python tools/slides_metadata.py {chapter}`"
    assert tool.dumps(nb) == chapter.read_text(encoding="utf-8")  # the tool writes nbformat's own layout
