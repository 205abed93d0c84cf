"""The course in a real browser: headless Chromium, driven by Playwright.

1. JupyterLab serves a temporary copy of the chapters (never saved; the repository's notebooks are not
   touched); chapter 6 is opened and all its cells are run (Run › Run All Cells), waiting until the last has
   finished. The slider is dragged (the figure must stay while it is held, continuous_update=False, and change
   on release) and moved one step with the keyboard (the figure changes again); a screenshot of the cell is
   saved to build/browser/slider.png.
2. A slide deck and the site's index (`make slides site`, built first if missing) open from file:// with
   their titles and without a console error.
3. The site as a learner uses it, from file://: the search box on the index finds a word that only one chapter
   uses, and its one result opens that chapter; the chapter's math is rendered by the local MathJax; "next" opens
   the following chapter; no page logs a console error or asks for anything but a local file. A screenshot of
   the chapter is saved to build/site-screenshot.png.

Needs Debian's Chromium (/usr/bin/chromium) and the playwright package (its own browser download is not
used), and for part 2 Node.js and npm (the builds need them); without them these tests are skipped with what to
install. `.ci/run` installs them and sets SEQLEARN_REQUIRE_BROWSER=1 and SEQLEARN_REQUIRE_WEB=1, which turn
those skips into failures.
"""

import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = Path(os.environ.get("SEQLEARN_CHROMIUM", "/usr/bin/chromium"))
CHAPTER = "06_vanishing_gradients.ipynb"
SLIDER_CELL = "slider = widgets.FloatSlider("
SCREENSHOT = ROOT / "build" / "browser" / "slider.png"
TIMEOUT_MS = 60_000

pytestmark = pytest.mark.browser


def missing(reason, required_by="SEQLEARN_REQUIRE_BROWSER"):
    """Skip these tests (at import: all of them; in a fixture: those that use it), saying what to install. Where
    CI sets `required_by`=1 it is a failure."""
    if os.environ.get(required_by) == "1":
        pytest.fail(f"{reason} ({required_by}=1: these tests must run)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


try:
    from playwright import sync_api
except ImportError:
    missing("needs the playwright package: pip install playwright==1.65.2 (pinned in requirements.lock)")
if not CHROMIUM.is_file():
    missing(f"needs Chromium at {CHROMIUM}: apt-get install chromium (Debian), or set SEQLEARN_CHROMIUM")

# Chromium as root in a container, on a machine without a network: no sandbox, no GPU, no calls home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A page that records console errors and uncaught exceptions in page.errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(f"console: {m.text} ({m.location})"))
    page.on("pageerror", lambda e: page.errors.append(f"pageerror: {e}"))
    yield page
    context.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a free port, serving a temporary copy of notebooks/, with settings of its own."""
    tmp = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", tmp / "notebooks")
    settings = tmp / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # every cell rendered (no virtual scrolling), so the slider's cell is in the page wherever it is
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    (settings.parent / "apputils-extension").mkdir()  # no "get notified about Jupyter news?" toast
    (settings.parent / "apputils-extension" / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    port, token = free_port(), secrets.token_hex(16)
    env = os.environ | {"JUPYTER_CONFIG_DIR": str(tmp / "config"), "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
                        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces")}
    command = [str(BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp / 'notebooks'}",
               f"--LabApp.user_settings_dir={tmp / 'settings'}", "--ServerApp.port_retries=0",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = (tmp / "lab.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start:\n{(tmp / 'lab.log').read_text()[-3000:]}")
                time.sleep(0.25)
        yield url, token, tmp / "notebooks"
    finally:  # the server shuts its kernel down; if it hangs, its process group (it and the kernel) is killed
        try:
            shutdown = urllib.request.Request(f"{url}/api/shutdown", method="POST",
                                              headers={"Authorization": f"token {token}"})
            urllib.request.urlopen(shutdown, timeout=10).close()
        except OSError:
            server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def wait_for_new_figure(page, cell, old):
    """The src of the cell's figure once it differs from old (a PNG, base64 in a data: URL)."""
    page.wait_for_function(
        "([el, old]) => { const img = el.querySelector('.jp-OutputArea-output img'); return img && img.src !== old; }",
        arg=[cell.element_handle(), old], timeout=60_000)
    src = cell.locator(".jp-OutputArea-output img").get_attribute("src")
    assert src.startswith("data:image/png;base64,")
    return src


def test_the_spectral_radius_slider_redraws_its_figure(lab, page):
    url, token, _ = lab
    before = digest(ROOT / "notebooks" / CHAPTER)
    page.goto(f"{url}/lab/tree/{CHAPTER}?token={token}")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for()  # the kernel is up

    cells = page.locator(".jp-Notebook .jp-Cell")
    cell = page.locator(".jp-Notebook .jp-CodeCell", has_text=SLIDER_CELL)
    cell.wait_for()  # exactly one such cell, once the notebook is rendered
    cell.locator(".jp-InputArea-prompt").click()  # command mode
    # Run › Run All Cells, as a learner would.
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Run All Cells$")).click()
    # Wait until every cell has run (no "[*]" prompt is left and the last code cell has its number), so that
    # nothing re-lays out the page while the slider is dragged.
    last_prompt = page.locator(".jp-Notebook .jp-CodeCell .jp-InputArea-prompt").last
    page.wait_for_function(
        """(last) => /\\[\\d+\\]/.test(last.textContent)
                     && !Array.from(document.querySelectorAll('.jp-InputArea-prompt'))
                             .some((p) => p.textContent.includes('*'))""",
        arg=last_prompt.element_handle(), timeout=180_000)
    cell.scroll_into_view_if_needed()

    handle = cell.locator(".widget-slider .noUi-handle")
    handle.wait_for(timeout=120_000)
    image = cell.locator(".jp-OutputArea-output img")
    image.wait_for(timeout=120_000)
    first = image.get_attribute("src")
    assert first.startswith("data:image/png;base64,")
    readout = cell.locator(".widget-readout")
    assert readout.inner_text().strip() == "1.00"

    # Drag the handle: while it is held the readout follows but, continuous_update=False, the figure does not;
    # on release it is redrawn once.
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 30, y, steps=10)
    page.wait_for_timeout(1000)  # time enough for a redraw, had one been asked for
    held = readout.inner_text().strip()
    assert held != "1.00" and image.get_attribute("src") == first, "the figure was redrawn while the slider was held"
    page.mouse.up()
    dragged = wait_for_new_figure(page, cell, first)
    assert readout.inner_text().strip() == held

    # The keyboard: one arrow press is one step (0.05) and one redraw.
    handle.focus()
    page.keyboard.press("ArrowRight")
    wait_for_new_figure(page, cell, dragged)
    assert float(readout.inner_text()) == pytest.approx(float(held) + 0.05)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    cell.screenshot(path=SCREENSHOT)

    assert page.locator(".jp-Notebook .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")\
        .count() == 0, "a cell wrote to stderr"
    assert cells.count() > 17
    assert digest(ROOT / "notebooks" / CHAPTER) == before  # only the temporary copy was opened


README_TITLE = re.search(r"^# (.+)$", (ROOT / "README.md").read_text(encoding="utf-8"), re.MULTILINE).group(1)
PAGES = [
    ("build/slides/01_notation.slides.html", "01_notation slides"),
    ("build/site/index.html", f"{README_TITLE} — seqlearn"),  # the book's page titles end with its title
]
SITE = ROOT / "build" / "site"
SITE_SCREENSHOT = ROOT / "build" / "site-screenshot.png"
SEARCHED = "Hopfield"  # in one chapter only (01_notation's history), checked below


@pytest.fixture(scope="module")
def built():
    """The pages of `make slides site`, built first if missing. Without Node.js and npm `make test` skipped those
    builds, and a page left from an earlier build may be stale: the tests are skipped. Module-scoped and named
    first, it runs before the browser starts."""
    if not (shutil.which("node") and shutil.which("npm")):
        missing("needs Node.js and npm on PATH to build the slides and the site (`make slides site`): install "
                "them (https://nodejs.org, or apt-get install nodejs npm)", required_by="SEQLEARN_REQUIRE_WEB")
    if not all((ROOT / path).is_file() for path, _ in PAGES):
        subprocess.run(["make", "slides", "site"], cwd=ROOT, check=True)


@pytest.mark.parametrize(("page_path", "title"), PAGES)
def test_a_built_page_opens_offline_without_errors(built, page, page_path, title):
    page.goto((ROOT / page_path).as_uri())
    page.wait_for_load_state("load")
    assert page.title() == title
    page.wait_for_timeout(500)  # scripts that run after load (reveal.js, MathJax) report their errors too
    assert page.errors == []


def chapter_title(stem):
    """A chapter's first heading, which the book uses as its page's title."""
    cells = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8"))["cells"]
    return re.search(r"^# (.+)$", "".join(cells[0]["source"]), re.MULTILINE).group(1)


def test_the_site_searches_renders_math_and_leads_to_the_next_chapter(built, page):
    chapters = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    using = [stem for stem in chapters if SEARCHED.lower() in (ROOT / "notebooks" / f"{stem}.ipynb").read_text(
        encoding="utf-8").lower()]
    assert len(using) == 1 and SEARCHED.lower() not in (ROOT / "README.md").read_text(encoding="utf-8").lower(), \
        f"{SEARCHED!r} must occur in one chapter only (it is in {using}): pick another word"
    chapter, following = using[0], chapters[chapters.index(using[0]) + 1]
    requests = []
    page.on("request", lambda r: r.url.startswith("file:") or r.url.startswith("data:") or requests.append(r.url))

    # The index, as a learner finds it: the search box (Ctrl+K), a word, Enter.
    page.goto((SITE / "index.html").as_uri())
    page.keyboard.press("Control+k")
    box = page.locator("#pst-search-dialog input[name='q']")
    box.wait_for()
    box.fill(SEARCHED)
    box.press("Enter")
    page.wait_for_url("**/search.html?q=*")
    results = page.locator("ul.search li a")
    results.first.wait_for()
    page.wait_for_timeout(500)  # the results are added one by one
    assert results.count() == 1, [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert results.first.get_attribute("href").startswith(f"notebooks/{chapter}.html")
    results.first.click()
    page.wait_for_url(f"**/notebooks/{chapter}.html*")
    assert page.title() == f"{chapter_title(chapter)} — seqlearn"

    # The sidebar lists the chapters in order; the page's own contents list its sections.
    titles = [chapter_title(stem) for stem in chapters]
    sidebar = [text.strip() for text in page.locator("nav.bd-docs-nav a").all_inner_texts()]
    assert [text for text in sidebar if text in titles] == titles
    assert page.locator("nav.page-toc a").count() >= 5

    # Math: MathJax (the local copy) typesets the chapter's formulas, without an error.
    page.locator(".MathJax_CHTML").first.wait_for()
    page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 "
                           "&& document.querySelectorAll('.MathJax_Processing, .MathJax_Preview:not(:empty)')"
                           ".length === 0")
    assert page.locator(".MathJax_CHTML").count() > 10
    assert page.evaluate("() => MathJax.Hub.getAllJax().filter((jax) => jax.texError).length") == 0
    SITE_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SITE_SCREENSHOT)

    # Next: the following chapter.
    page.locator("a.right-next").click()
    page.wait_for_url(f"**/notebooks/{following}.html")
    assert page.title() == f"{chapter_title(following)} — seqlearn"
    page.wait_for_timeout(500)
    assert page.errors == [] and requests == []
