"""The course holds together: every chapter is listed, follows the notebook rules, and links to its neighbours."""

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
    links = set(re.findall(r"\]\((\d\d_[a-z_]+\.ipynb)\)", text))
    if index > 0:
        assert CHAPTERS[index - 1].name in links
    if index + 1 < len(CHAPTERS):
        assert CHAPTERS[index + 1].name in links
