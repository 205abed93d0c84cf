"""The committed language-model results: written by the benchmark's current recipe, and quoted faithfully.

benchmarks/results/lm_timemachine.json is what `python benchmarks/lm_timemachine.py` wrote. Chapter 5 reads it,
and the README quotes it; these tests fail when the benchmark's code and the file disagree (rerun the benchmark),
or when a stored output or the README shows figures the file does not hold.
"""

import ast
import importlib.util
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from seqlearn.ngram import NGramModel, total_sentence_probability
from seqlearn.text import tokenise_words
from seqlearn.vocab import BOS, EOS, PAD, Vocab

ROOT = Path(__file__).resolve().parent.parent
RESULTS = json.loads((ROOT / "benchmarks" / "results" / "lm_timemachine.json").read_text())
CHAPTER = json.loads((ROOT / "notebooks" / "05_language_modelling.ipynb").read_text())


def benchmark():
    if str(ROOT / "benchmarks") not in sys.path:  # the benchmark imports its sibling speed.py, as a script does
        sys.path.insert(0, str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location("lm_timemachine", ROOT / "benchmarks" / "lm_timemachine.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cell_containing(text):
    """(source, stored text output) of the chapter's one code cell whose source contains `text`."""
    cells = [c for c in CHAPTER["cells"] if c["cell_type"] == "code" and text in "".join(c["source"])]
    assert len(cells) == 1, f"expected one code cell with {text!r}, found {len(cells)}"
    out = "".join("".join(o.get("text", "")) for o in cells[0]["outputs"])
    return "".join(cells[0]["source"]), out


def test_the_file_was_written_by_this_recipe():
    code = benchmark()
    assert RESULTS["recipe"] == code.RECIPE and RESULTS["training"] == code.TRAINING
    assert RESULTS["epochs"] == code.EPOCHS and RESULTS["seeds"] == list(code.SEEDS)
    assert RESULTS["orders"] == list(code.ORDERS) and RESULTS["discounts"] == list(code.DISCOUNTS)
    assert RESULTS["protocol"]["context"] == code.CONTEXT
    assert sorted(RESULTS["recurrent"]) == sorted(m.upper() for m in code.MODELS)
    assert len(code.SEEDS) >= 3
    provenance = RESULTS["provenance"]
    assert re.fullmatch(r"[0-9a-f]{40}", provenance["commit"]) and provenance["threads"] == 2
    assert provenance["wall_seconds"] <= 20 * 60  # the budget on the 2-core machine


def test_the_file_is_consistent_with_itself():
    for name, r in RESULTS["recurrent"].items():
        runs = [run["test_ppl"] for run in r["runs"]]
        assert r["test_ppl"]["mean"] == pytest.approx(np.mean(runs)), name
        assert r["test_ppl"]["sd"] == pytest.approx(np.std(runs, ddof=1)), name
        assert all(0 <= run["best_epoch"] < RESULTS["epochs"] for run in r["runs"])
    chosen = min(RESULTS["recurrent"], key=lambda n: RESULTS["recurrent"][n]["val_ppl"]["mean"])
    assert RESULTS["best_recurrent"] == chosen  # chosen on validation, not on test
    best_row = min(RESULTS["ngram_table"], key=lambda row: row["val_ppl"])
    assert (best_row["order"], best_row["discount"]) == (RESULTS["ngram"]["order"], RESULTS["ngram"]["discount"])


def test_chapter_5_shows_the_files_figures():
    source, out = cell_containing('results = json.loads(Path("../benchmarks/results/lm_timemachine.json")')
    assert "lm_timemachine.json" in source
    assert f"{RESULTS['ngram']['test_ppl']:.3f}" in out
    for r in RESULTS["recurrent"].values():
        assert f"{r['test_ppl']['mean']:.3f} ± {r['test_ppl']['sd']:.3f}" in out
        for run in r["runs"]:
            assert f"{run['test_ppl']:.3f}" in out
    mixture = RESULTS["mixture"]["test_ppl"]
    assert f"{mixture['mean']:.3f} ± {mixture['sd']:.3f}" in out


def test_the_readme_quotes_the_file():
    readme = (ROOT / "README.md").read_text()
    best = RESULTS["best_recurrent"]
    lstm, mix = RESULTS["recurrent"][best]["test_ppl"], RESULTS["mixture"]["test_ppl"]
    quoted = [f"{RESULTS['ngram']['test_ppl']:.3f}", f"{lstm['mean']:.3f} ± {lstm['sd']:.3f}",
              f"{mix['mean']:.3f} ± {mix['sd']:.3f}", f"{best} (the best of",
              f"{RESULTS['protocol']['test_tokens']:,} characters", f"{RESULTS['epochs']} epochs",
              f"in {RESULTS['provenance']['wall_seconds'] / 60:.0f} minutes",
              f"Kneser–Ney {RESULTS['ngram']['order']}-gram"]
    for figure in quoted:
        assert figure in readme, f"the README should quote {figure} from the results file"
    assert "3.754" not in readme and "3.764" not in readme  # the old one-run figures


def chapter_bigram():
    """Chapter 5's toy bigram, rebuilt from the corpus written in its first code cell (read, not copied)."""
    source, _ = cell_containing("corpus = [")
    tree = ast.parse(source)
    corpus = next(ast.literal_eval(node.value) for node in tree.body
                  if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "corpus")
    sentences = [tokenise_words(s) for s in corpus]
    words = Vocab(sentences)
    model = NGramModel(2, len(words)).fit([words.encode([BOS] + s + [EOS]) for s in sentences])
    return model, words


def test_the_eos_total_is_what_chapter_5_says():
    model, words = chapter_bigram()
    bos, eos = words.token_to_id[BOS], words.token_to_id[EOS]
    content = [i for i, t in enumerate(words.id_to_token) if t not in (PAD, BOS, EOS)]
    # Independently of the package's solve: the sum over lengths k of (start) Q^k (end), term by term.
    P = np.array([model.next_distribution([s]) for s in range(len(words))])
    Q, r = P[np.ix_(content, content)], P[content, eos]
    total, term = P[bos, eos], P[bos, content]
    for _ in range(2000):
        total, term = total + term @ r, term @ Q
    assert total == pytest.approx(total_sentence_probability(model, bos, eos, content), abs=1e-12)
    assert total < 0.95  # the mass given to <pad> and <bos> as next tokens is lost
    _, out = cell_containing("total_sentence_probability(bigram")
    printed = re.search(r"1 or more words, solved exactly: ([0-9.]+)", out)
    assert printed and float(printed.group(1)) == pytest.approx(total - P[bos, eos], abs=5e-5)
    _, out = cell_containing("class WordsOrEnd")
    assert "solved exactly: 1.000000000000" in out
