"""Every figure the chapters store has alt text (tools/alt_text.py, notebooks/alt_text.yml), and the slides carry it.

The site's <img> tags are checked in tests/test_web_build.py, on the built site.
"""

import base64
import importlib.util
import json
import logging
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert import SlidesExporter

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TEMPLATE = ROOT / "tools" / "slides.html.j2"

spec = importlib.util.spec_from_file_location("alt_text", ROOT / "tools" / "alt_text.py")
alt_text = importlib.util.module_from_spec(spec)
spec.loader.exec_module(alt_text)
TEXTS = alt_text.load_texts()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_stored_figure_has_its_alt_text(chapter):
    """Each code cell with an image output carries the text that notebooks/alt_text.yml gives it, and the file
    names no cell without a figure: rerunning tools/alt_text.py would change nothing."""
    nb = json.loads(chapter.read_text(encoding="utf-8"))
    changed, problems = alt_text.apply(nb, TEXTS.get(chapter.stem, {}))
    assert problems == []
    assert not changed, f"stale alt text: run `python tools/alt_text.py {chapter.relative_to(ROOT)}`"
    for cell in alt_text.figure_cells(nb):
        assert cell["metadata"]["mystnb"]["image"]["alt"] == TEXTS[chapter.stem][cell["id"]]


def test_the_texts_are_short_descriptions_of_existing_chapters():
    assert set(TEXTS) <= {p.stem for p in CHAPTERS}
    for chapter, texts in TEXTS.items():
        for cid, text in texts.items():
            assert 40 <= len(text) <= 600, (chapter, cid, len(text))
            assert "\n" not in text and not text.lower().startswith(("image of", "figure", "picture")), (chapter, cid)


def figure_notebook(alt=None):
    """A one-cell notebook that stores a figure (a 1x1 PNG), with `alt` in its cell metadata if given."""
    png = base64.b64encode(bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005"
        "0001ff5f8f0d6b0000000049454e44ae426082")).decode()
    metadata = {"mystnb": {"image": {"alt": alt}}} if alt else {}
    cell = nbformat.v4.new_code_cell("plt.show()", id="fig1", metadata=metadata)
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})]
    return nbformat.v4.new_notebook(cells=[cell])


def test_apply_writes_the_text_once_and_reports_what_is_missing():
    nb = figure_notebook()
    assert alt_text.apply(nb, {}) == (False, ["cell fig1 draws a figure and has no alt text in alt_text.yml"])
    assert alt_text.apply(nb, {"fig1": "a line"}) == (True, [])
    assert alt_text.apply(nb, {"fig1": "a line"}) == (False, [])  # twice changes nothing
    assert nb.cells[0].metadata["mystnb"]["image"]["alt"] == "a line"
    assert alt_text.apply(nb, {"fig1": "a line", "gone": "x"})[1] == [
        "cell gone has an alt text in alt_text.yml but draws no figure"]


@pytest.mark.parametrize("alt", ['Loss against epoch: it falls, "quoted" <b>', None])
def test_the_slides_template_writes_the_alt_text(alt, caplog):
    """nbconvert's own reveal template writes no alt text and warns; ours writes the cell's."""
    exporter = SlidesExporter(template_file=str(TEMPLATE))
    with caplog.at_level(logging.WARNING):
        html, _ = exporter.from_notebook_node(figure_notebook(alt))
    image = BeautifulSoup(html, "html.parser").find("img")
    missing = "Alternative text is missing" in caplog.text
    if alt:
        assert image["alt"] == alt and not missing
    else:
        assert missing  # the case the texts prevent


def test_the_built_slides_have_no_missing_alt_text():
    slides = ROOT / "build" / "slides"
    if not list(slides.glob("*.slides.html")):
        pytest.skip("the slides are not built: run `make slides` (make test builds them first)")
    for page in slides.glob("*.slides.html"):
        assert "No description has been provided for this image" not in page.read_text(encoding="utf-8"), page.name
