"""The chapters' prose: every figure it quotes is computed by the same notebook, nothing is pasted twice, and no
stored output carries a progress bar's residue (issue: "every number true")."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NUMBER = re.compile(r"(?<![\w.^-])(\d+\.\d+(?:[eE][-+]?\d+)?|\d+(?:\.\d+)?[eE][-+]?\d+)(?![\w.])")


def parts(chapter):
    """(markdown text without math or references, code sources and stored outputs as one text)"""
    nb = json.loads(chapter.read_text())
    markdown, code = [], []
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            source = source.split("## References")[0]
            markdown.append(re.sub(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`", " ", source, flags=re.S))
        elif cell["cell_type"] == "code":
            code.append(source)
            for out in cell["outputs"]:
                code.append("".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", "")))
    return "\n".join(markdown), "\n".join(code)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_decimal_figure_in_the_prose_is_computed_by_the_notebook(chapter):
    """A decimal figure (3.755, 0.7, 1e-10) that the text quotes must occur in the notebook's code or in what the
    code printed: a figure pasted from another run, or left over from an earlier version, fails here."""
    markdown, code = parts(chapter)
    known = {float(m) for m in NUMBER.findall(code)}
    missing = sorted({m for m in NUMBER.findall(markdown) if m not in code and float(m) not in known})
    assert not missing, f"{chapter.name} quotes figures that no cell computes or prints: {missing}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_no_sentence_is_pasted_twice(chapter):
    markdown, _ = parts(chapter)
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", re.sub(r"\s+", " ", markdown)) if len(s.strip()) > 50]
    repeated = {s for s in sentences if sentences.count(s) > 1}
    assert not repeated, f"{chapter.name} repeats: {sorted(repeated)[:3]}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_no_progress_bar_residue_in_stored_outputs(chapter):
    _, code = parts(chapter)
    assert not re.search(r"\d+%\|", code), f"{chapter.name} stores a progress bar's text; pass progress=False"
