"""What `make slides` and `make site` need beyond nbconvert and Jupyter Book: local JavaScript and an offline check.

Usage (the Makefile runs these, after nbconvert or Jupyter Book):
    python tools/web_build.py mathjax DIR       copy MathJax into DIR/vendor (the site: DIR is build/site/_static)
    python tools/web_build.py slide-assets DIR  the same, and reveal.js, require.js and jQuery (the slides)
    python tools/web_build.py offline DIR       drop CDN loaders, point chapter links at pages; fail if a page
                                                still loads from the network or misses a local file

The JavaScript comes from npm packages with pinned versions (package.json and package-lock.json at the root),
installed once into build/vendor by `make` (`npm ci --prefix build/vendor`); nothing is fetched from a CDN when a
page is opened. nbconvert and Sphinx are told where the local copies are (the Makefile's flags; `mathjax_path` in
book/_config.yml), but neither copies them, and neither fails when a page loads from the network: that is what
is left here. Everything else of the site (index, sidebar, search, previous/next) is Jupyter Book's.
"""

import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "build" / "vendor" / "node_modules"
PACKAGE_JSON = ROOT / "package.json"  # the npm packages and their exact versions: the one place they are pinned

# What each page needs, relative to node_modules -> relative to DIR/vendor. MathJax 2 is pruned to the
# TeX input and CommonHTML output with their web fonts (about 5 MB instead of 70).
MATHJAX = {
    "mathjax/MathJax.js": "mathjax/MathJax.js",
    "mathjax/config/TeX-AMS_CHTML-full.js": "mathjax/config/TeX-AMS_CHTML-full.js",
    "mathjax/config/Safe.js": "mathjax/config/Safe.js",
    "mathjax/extensions": "mathjax/extensions",
    "mathjax/jax/input/TeX": "mathjax/jax/input/TeX",
    "mathjax/jax/output/CommonHTML": "mathjax/jax/output/CommonHTML",
    "mathjax/jax/output/PreviewHTML": "mathjax/jax/output/PreviewHTML",
    "mathjax/jax/element": "mathjax/jax/element",
    "mathjax/fonts/HTML-CSS/TeX/woff": "mathjax/fonts/HTML-CSS/TeX/woff",
}
SLIDE_ASSETS = MATHJAX | {
    "requirejs/require.js": "require.js",
    "reveal.js/dist": "reveal.js/dist",
    "reveal.js/plugin/notes": "reveal.js/plugin/notes",
    "jquery/dist/jquery.min.js": "jquery.min.js",
}

# nbconvert's templates import mermaid from a CDN in a `<script type="module">` (it cannot be told otherwise);
# no chapter has a mermaid diagram, so `offline` removes that script
MERMAID_SCRIPT = re.compile(r"<script type=\"module\">(?:(?!</script>).)*?mermaid(?:(?!</script>).)*</script>\s*",
                            re.DOTALL)
# a URL the browser loads: src=/href= of <script>/<link>/<img>, a JavaScript import, a CSS @import or url().
# URLs in comments and in links the reader clicks are not loads.
LOADED_URL = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)\s*=\s*["']?(https?:)?//"""
                        r"""|\bimport\s*(?:\w+\s+from\s*)?\(?\s*["'](https?:)?//"""
                        r"""|@import\s+(?:url\()?["']?(https?:)?//|\burl\(\s*["']?(https?:)?//""", re.IGNORECASE)
# nbconvert keeps a link to another chapter's notebook as it is; the slide deck links to that chapter's deck
CHAPTER_LINK = re.compile(r'href="(\d\d_\w+)\.ipynb(#[^"]*)?"')
# a local file a page loads (not an anchor, a data: URI or a network URL), without its ?query
LOCAL_REF = re.compile(r"""<(?:script|link|img)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"'#:]+?)(?:\?[^"']*)?["']""",
                       re.IGNORECASE)
THIRD_PARTY = {"vendor", "_static"}  # folders of copied packages and themes: their files are not pages


def npm_packages():
    """{package: exact version} of the JavaScript the pages load, as package.json pins it: what to tell a reader
    whose build/vendor lacks a file (neither nbconvert nor Jupyter Book knows of npm)."""
    return json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))["dependencies"]


def copy_assets(dest, assets=MATHJAX):
    """Copy the local JavaScript (see MATHJAX, SLIDE_ASSETS) into dest/vendor: neither nbconvert nor Sphinx copies
    a script it is pointed at."""
    missing = [src for src in assets if not (NODE_MODULES / src).exists()]
    if missing:
        sys.exit(f"missing {missing} in {NODE_MODULES}: run `make slides` or `make site`, which install "
                 f"{' '.join(f'{name}@{version}' for name, version in npm_packages().items())} with npm ci")
    for src, target in assets.items():
        src, target = NODE_MODULES / src, Path(dest) / "vendor" / target
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, target, dirs_exist_ok=True)
        else:
            shutil.copy2(src, target)


def make_offline(page, suffix=".html"):
    """`page` (HTML) without the CDN mermaid loaders, its links to other chapters' notebooks pointing at their
    pages (`02_x.ipynb` -> `02_x{suffix}`); returns (new page, the network URLs it still loads). For nbconvert's
    slides, which it cannot tell to do either; on the site's pages (Jupyter Book links chapters itself) it finds
    nothing to change."""
    page = MERMAID_SCRIPT.sub("", page)
    page = CHAPTER_LINK.sub(lambda m: f'href="{m.group(1)}{suffix}{m.group(2) or ""}"', page)
    return page, remote_urls(page)


def remote_urls(text):
    """The network URLs that `text` (HTML or CSS) makes a browser load, each with what follows it on its line: the
    check that neither nbconvert nor Sphinx makes."""
    remote = []
    for match in LOADED_URL.finditer(text):
        line_end = text.find("\n", match.end())
        remote.append(text[match.start():line_end if line_end >= 0 else None][:160])
    return remote


def pages(directory):
    """The HTML pages under `directory`, not the files of the packages and themes copied there."""
    return [path for path in sorted(Path(directory).rglob("*.html"))
            if not THIRD_PARTY & set(path.relative_to(directory).parts)]


def network_loads(directory):
    """What the pages under `directory`, or the style sheets they load, load from the network, and the local
    files they load that are not there: a browser loads such a page without a word, and neither nbconvert nor
    Sphinx checks."""
    problems = []
    for path in pages(directory):
        page = path.read_text(encoding="utf-8")
        problems += [f"{path}: {url}" for url in remote_urls(page)]
        for ref in sorted(set(LOCAL_REF.findall(page)) - {""}):
            local = path.parent / ref
            if not local.is_file():
                problems.append(f"{path}: {ref} is missing")
            elif local.suffix == ".css":
                problems += [f"{local}: {url}" for url in remote_urls(local.read_text(encoding="utf-8"))]
    return problems


def offline(directory):
    """Rewrite every page under `directory` with make_offline; fail if one still loads from the network or misses a
    local file (network_loads)."""
    for path in pages(directory):
        suffix = ".slides.html" if path.name.endswith(".slides.html") else ".html"
        path.write_text(make_offline(path.read_text(encoding="utf-8"), suffix)[0], encoding="utf-8")
    if problems := network_loads(directory):
        sys.exit("these pages are not self-contained:\n" + "\n".join(problems))
    print(f"{directory}: every page loads only local files")


def main():
    commands = {"mathjax": copy_assets, "slide-assets": lambda d: copy_assets(d, SLIDE_ASSETS), "offline": offline}
    if len(sys.argv) != 3 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2])


if __name__ == "__main__":
    main()
