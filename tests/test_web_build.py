"""`make slides` and `make site`: the book's structure, and pages that load nothing from the network.

The builds themselves (nbconvert and Jupyter Book over every chapter, several seconds each) are not run here;
these tests check the rewriting and checking that make the pages open offline (tools/web_build.py), on small pieces
of the HTML nbconvert writes, the npm pins, the book's table of contents and its pages taken from README.md, and
that `make test` skips the two builds, saying so, where Node.js and npm are missing. None of them needs Node.js
(the Makefile is only asked what it would run). The last tests check the pages `make site` and `make slides`
wrote, which `make test` builds first; without them they are skipped.
"""

import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
BOOK = ROOT / "book"
README = (ROOT / "README.md").read_text(encoding="utf-8")

spec = importlib.util.spec_from_file_location("web_build", ROOT / "tools" / "web_build.py")
web_build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(web_build)

# what nbconvert 7's reveal and lab templates write, with the Makefile's flags
REVEAL_HEAD = """<title>x slides</title><script src="vendor/jquery.min.js"></script>
<script src="vendor/require.js"></script>
<script type="module">
  import mermaid from 'https://cdnjs.cloudflare.com/ajax/libs/mermaid/11.10.0/mermaid.esm.min.mjs';
  mermaid.initialize({ startOnLoad: true });
</script>
<link href="vendor/reveal.js/dist/reveal.css" rel="stylesheet"/>
<script src="vendor/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"> </script>
"""
LAB_MERMAID = """<script type="module">
  document.addEventListener("DOMContentLoaded", async () => {
    const diagrams = document.querySelectorAll(".jp-Mermaid > pre.mermaid");
    const mermaid = (await import("https://cdnjs.cloudflare.com/ajax/libs/mermaid/11.10.0/mermaid.esm.min.mjs")).default;
  });
</script>
"""


def test_make_offline_removes_the_mermaid_loaders_and_keeps_local_scripts():
    page, remote = web_build.make_offline(REVEAL_HEAD + LAB_MERMAID)
    assert remote == []
    assert "mermaid" not in page and "https://" not in page
    assert '<script src="vendor/require.js"></script>' in page
    assert 'href="vendor/reveal.js/dist/reveal.css"' in page


@pytest.mark.parametrize("load", [
    '<script src="https://unpkg.com/reveal.js@4.0.2/dist/reveal.js"></script>',
    '<link rel="stylesheet" href="https://cdnjs.cloudflare.com/ajax/libs/font-awesome/4.7.0/css/font-awesome.css">',
    "<script src='//cdn.example.org/require.min.js'></script>",
    '<img src="http://example.org/figure.png">',
    "@import url(https://fonts.googleapis.com/css?family=Lato:400,700);",
    "src: url('https://example.org/font.woff');",
])
def test_a_network_load_is_reported(load):
    assert web_build.make_offline(f"<html>{load}</html>")[1]


def test_links_and_prose_urls_are_not_loads():
    page = ('<a href="https://nbval.readthedocs.io">nbval</a> see https://revealjs.com '
            '<img src="data:image/png;base64,AA">')
    assert web_build.make_offline(page)[1] == []


def test_links_to_other_chapters_point_at_their_pages():
    page = '<a href="03_rnn_forward.ipynb">next</a> <a href="02_one_hot_encoding.ipynb#3.-The-vocabulary">v</a>'
    site, _ = web_build.make_offline(page, ".html")
    assert 'href="03_rnn_forward.html"' in site and 'href="02_one_hot_encoding.html#3.-The-vocabulary"' in site
    slides, _ = web_build.make_offline(page, ".slides.html")
    assert 'href="03_rnn_forward.slides.html"' in slides
    assert web_build.make_offline(site, ".html")[0] == site  # rewriting twice changes nothing


def test_offline_fails_on_a_missing_local_file_or_a_remote_load(tmp_path):
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "require.js").write_text("")
    (tmp_path / "ok.html").write_text('<script src="vendor/require.js"></script>')
    web_build.offline(tmp_path)
    (tmp_path / "missing.html").write_text('<script src="vendor/reveal.js/dist/reveal.js"></script>')
    with pytest.raises(SystemExit, match="missing"):
        web_build.offline(tmp_path)
    (tmp_path / "missing.html").unlink()
    (tmp_path / "vendor" / "theme.css").write_text("@import url(https://fonts.googleapis.com/css?family=Lato);")
    (tmp_path / "styled.html").write_text('<link rel="stylesheet" href="vendor/theme.css">')
    with pytest.raises(SystemExit, match="fonts.googleapis"):
        web_build.offline(tmp_path)


def test_the_book_shows_the_chapters_of_the_readme_in_order():
    """The sidebar and previous/next follow _toc.yml, whose chapters are book/notebooks/NN_* (notebooks/, by a
    link) in name order: the order and the chapters of README's table."""
    listed = re.findall(r"^\| *(\d+) *\| *\[`?(\w+)`?\]\(notebooks/\2\.ipynb\) *\|", README, re.MULTILINE)
    assert [stem for _, stem in listed] == [p.stem for p in CHAPTERS]
    assert [int(n) for n, _ in listed] == list(range(1, len(CHAPTERS) + 1))
    assert (BOOK / "notebooks").resolve() == ROOT / "notebooks"
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text(encoding="utf-8"))
    entries = [entry for part in toc["parts"] for entry in part["chapters"]]
    assert {"glob": "notebooks/[0-9][0-9]_*"} in entries
    assert sorted((BOOK / "notebooks").glob("[0-9][0-9]_*.ipynb")) == [BOOK / "notebooks" / p.name for p in CHAPTERS]
    assert toc["root"] == "index" and all((BOOK / f"{e['file']}.md").is_file() for e in entries if "file" in e)


def test_the_pages_take_their_text_from_the_readme():
    """The landing, start and instructors pages include README.md's sections, each found by a heading that must
    occur exactly once (Sphinx fails on a missing one; a repeated one would include the wrong part)."""
    includes = 0
    for page in BOOK.glob("*.md"):
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r"```\{include\} \.\./README\.md\n(.*?)```", text, re.DOTALL):
            includes += 1
            for marker in re.findall(r'^:(?:start-after|end-before): "(.+)"$', block, re.MULTILINE):
                assert README.count(marker) == 1, f"{page.name}: {marker!r} occurs {README.count(marker)} times"
    assert includes >= 4


def test_the_book_renders_stored_outputs_and_a_local_mathjax():
    config = yaml.safe_load((BOOK / "_config.yml").read_text(encoding="utf-8"))
    assert config["execute"]["execute_notebooks"] == "off"
    sphinx = config["sphinx"]["config"]
    assert "://" not in sphinx["mathjax_path"] and sphinx["mathjax_path"].startswith("vendor/mathjax/MathJax.js")
    assert "sphinx_thebe" not in sphinx["extensions"]  # it would load thebe from a CDN


def test_the_pinned_npm_packages_provide_every_asset():
    packages = web_build.npm_packages()
    assert web_build.MATHJAX.items() <= web_build.SLIDE_ASSETS.items()
    for source in web_build.SLIDE_ASSETS:
        assert source.split("/", 1)[0] in packages


def test_the_lock_file_pins_what_package_json_names():
    """`npm ci` installs package-lock.json; it must hold each package of package.json at that exact version."""
    pinned = web_build.npm_packages()
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    assert lock[""]["dependencies"] == pinned, "package-lock.json is stale: run `npm install --package-lock-only`"
    for name, version in pinned.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name}: {version!r} is not one exact version"
        locked = lock.get(f"node_modules/{name}", {})
        assert locked.get("version") == version and locked.get("integrity"), f"{name}@{version} is not locked"


needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def make_n_test(tmp_path, programs=(), **env):
    """What `make -n -B test` (every target out of date) prints, with a PATH that has `make` and, for each of
    `programs`, a stand-in (never run: -n only prints the commands), and nothing else."""
    folder = tmp_path / "bin"
    folder.mkdir(parents=True)
    (folder / "make").symlink_to(shutil.which("make"))
    for name in programs:
        (folder / name).write_text("#!/bin/sh\nexit 1\n")
        (folder / name).chmod(0o755)
    return subprocess.run(["make", "-n", "-B", "test"], cwd=ROOT, capture_output=True, text=True,
                          env={"PATH": str(folder)} | env)


@needs_make
@pytest.mark.parametrize("programs", [(), ("node",), ("npm",)], ids=["neither", "only-node", "only-npm"])
def test_make_test_skips_the_web_builds_without_node_and_npm(tmp_path, programs):
    made = make_n_test(tmp_path, programs)
    assert made.returncode == 0, made.stderr
    assert "skipping make slides and make site" in made.stdout and "install them" in made.stdout
    for command in ["npm ci", "nbconvert", "jupyter-book", "web_build.py"]:
        assert command not in made.stdout
    assert "tools/student_edition.py" in made.stdout and "pytest" in made.stdout  # the rest still runs


@needs_make
def test_make_test_builds_the_slides_and_the_site_with_node_and_npm(tmp_path):
    made = make_n_test(tmp_path, ("node", "npm"))
    assert made.returncode == 0, made.stderr
    assert "skipping" not in made.stdout
    for command in ["npm ci --prefix build/vendor", "--to slides", "jupyter-book build",
                    "web_build.py offline build/site"]:
        assert command in made.stdout


@needs_make
def test_ci_makes_a_missing_npm_a_failure(tmp_path):
    made = make_n_test(tmp_path, SEQLEARN_REQUIRE_WEB="1")
    assert made.returncode != 0 and "SEQLEARN_REQUIRE_WEB=1" in made.stderr
    assert "SEQLEARN_REQUIRE_WEB=1" in (ROOT / ".ci" / "run").read_text()


def built(path):
    """A page `make test` built before pytest (`make site`, `make slides`); skipped if missing, unless CI
    (SEQLEARN_REQUIRE_WEB=1) requires the builds."""
    if not (ROOT / path).is_file():
        if os.environ.get("SEQLEARN_REQUIRE_WEB") == "1":
            pytest.fail(f"{path} is missing: `make test` builds it first (SEQLEARN_REQUIRE_WEB=1)")
        pytest.skip(f"{path} is not built: run `make slides site`")
    return (ROOT / path).parent


@pytest.mark.parametrize("page", ["build/site/index.html", "build/slides/01_notation.slides.html"])
def test_no_built_page_loads_from_the_network(page):
    """No script, style sheet or font from http:// or https:// (web_build.network_loads), no missing local file."""
    folder = built(page)
    assert web_build.pages(folder)
    assert web_build.network_loads(folder) == []


def test_the_site_has_every_chapter_and_its_figures_alt_text():
    site = built("build/site/index.html")
    for chapter in CHAPTERS:
        page = (site / "notebooks" / f"{chapter.stem}.html").read_text(encoding="utf-8")
        figures = sum(1 for cell in json.loads(chapter.read_text(encoding="utf-8"))["cells"]
                      for out in cell.get("outputs", []) if "image/png" in out.get("data", {}))
        images = re.findall(r"<img\b[^>]*>", page)
        assert len(images) == figures, chapter.stem
        assert all(re.search(r'\balt="[^"]{20,}"', image) for image in images), chapter.stem
    assert (site / "search.html").is_file() and (site / "searchindex.js").is_file()
