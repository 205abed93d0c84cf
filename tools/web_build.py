"""Helpers behind `make slides` and `make site`: local JavaScript, an offline check, and the site's index page.

Usage (the Makefile runs these; nbconvert itself is run by the Makefile):
    python tools/web_build.py assets DIR        copy require.js and MathJax into DIR/vendor
    python tools/web_build.py slide-assets DIR  the same, and reveal.js and jQuery (the slides need them)
    python tools/web_build.py offline DIR       drop CDN loaders, point chapter links at pages; fail if a page
                                                still loads from the network or misses a local file
    python tools/web_build.py index DIR         write DIR/index.html: the chapter table of README.md, linked

The JavaScript comes from npm packages with pinned versions (package.json and package-lock.json at the root),
installed once into build/vendor by `make` (`npm ci --prefix build/vendor`); nothing is fetched from a CDN when a
page is opened. The Makefile tells nbconvert where the local copies are (`--SlidesExporter.reveal_url_prefix`,
`--HTMLExporter.require_js_url`, `...jquery_url`, `...mathjax_url`). One thing it cannot be told: the templates
import mermaid from a CDN in a `<script type="module">`; no chapter has a mermaid diagram, so `offline` removes
that script. URLs in comments and in links the reader clicks are not loads, and are kept.
"""

import html
import json
import re
import shutil
import sys
from pathlib import Path

import mistune
import nbformat

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "build" / "vendor" / "node_modules"
PACKAGE_JSON = ROOT / "package.json"  # the npm packages and their exact versions: the one place they are pinned

# What each page needs, relative to node_modules -> relative to DIR/vendor. MathJax 2 is pruned to the
# TeX input and CommonHTML output with their web fonts (about 5 MB instead of 70).
SLIDE_ASSETS = {
    "reveal.js/dist": "reveal.js/dist",
    "reveal.js/plugin/notes": "reveal.js/plugin/notes",
    "jquery/dist/jquery.min.js": "jquery.min.js",
}
ASSETS = {
    "requirejs/require.js": "require.js",
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

# the templates' mermaid loaders: module scripts that import mermaid from a CDN
MERMAID_SCRIPT = re.compile(r"<script type=\"module\">(?:(?!</script>).)*?mermaid(?:(?!</script>).)*</script>\s*",
                            re.DOTALL)
# a URL the browser loads: src=/href= of <script>/<link>/<img>, a JavaScript import, a CSS @import or url()
LOADED_URL = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)\s*=\s*["']?(https?:)?//"""
                        r"""|\bimport\s*(?:\w+\s+from\s*)?\(?\s*["'](https?:)?//"""
                        r"""|@import\s+(?:url\()?["']?(https?:)?//|\burl\(\s*["']?(https?:)?//""", re.IGNORECASE)


def npm_packages():
    """{package: exact version} of the JavaScript the pages load, as package.json pins it."""
    return json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))["dependencies"]


def copy_assets(dest, assets=ASSETS):
    """Copy the local JavaScript (see ASSETS) into dest/vendor."""
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


CHAPTER_LINK = re.compile(r'href="(\d\d_\w+)\.ipynb(#[^"]*)?"')
# a local file a page loads (not an anchor, a data: URI or a network URL), without its ?query
LOCAL_REF = re.compile(r"""<(?:script|link|img)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"'#:]+?)(?:\?[^"']*)?["']""",
                       re.IGNORECASE)


def make_offline(page, suffix=".html"):
    """`page` (HTML) without the CDN mermaid loaders, its links to other chapters' notebooks pointing at their
    pages (`02_x.ipynb` -> `02_x{suffix}`); returns (new page, the network URLs it still loads)."""
    page = MERMAID_SCRIPT.sub("", page)
    page = CHAPTER_LINK.sub(lambda m: f'href="{m.group(1)}{suffix}{m.group(2) or ""}"', page)
    return page, remote_urls(page)


def remote_urls(text):
    """The network URLs that `text` (HTML or CSS) makes a browser load, each with what follows it on its line."""
    remote = []
    for match in LOADED_URL.finditer(text):
        line_end = text.find("\n", match.end())
        remote.append(text[match.start():line_end if line_end >= 0 else None][:160])
    return remote


def offline(directory):
    """Rewrite every page in `directory` with make_offline; fail if a page (or a style sheet it loads) still loads
    something from the network, or loads a local file that is not there."""
    problems = []
    for path in sorted(Path(directory).glob("*.html")):
        suffix = ".slides.html" if path.name.endswith(".slides.html") else ".html"
        page, remote = make_offline(path.read_text(encoding="utf-8"), suffix)
        path.write_text(page, encoding="utf-8")
        problems += [f"{path}: {url}" for url in remote]
        for ref in sorted(set(LOCAL_REF.findall(page)) - {""}):
            local = path.parent / ref
            if not local.is_file():
                problems.append(f"{path}: {ref} is missing")
            elif local.suffix == ".css":
                problems += [f"{local}: {url}" for url in remote_urls(local.read_text(encoding="utf-8"))]
    if problems:
        sys.exit("these pages are not self-contained:\n" + "\n".join(problems))
    print(f"{directory}: every page loads only local files")


def chapters(readme):
    """(number, notebook stem, promise as markdown) for each row of README's chapter table."""
    rows = re.findall(r"^\| *(\d+) *\| *\[`?([\w]+)`?\]\(notebooks/\2\.ipynb\) *\| *(.+?) *\|$", readme, re.MULTILINE)
    return [(int(n), stem, promise) for n, stem, promise in rows]


def index_page(readme, titles=None, suffix=".html"):
    """The course's front page: title, introduction and the chapter table, each chapter linked to its page
    (the link text is titles[stem] if given, else the notebook's name)."""
    titles = titles or {}
    title = re.search(r"^# (.+)$", readme, re.MULTILINE).group(1)
    intro = readme.split("\n\n", 2)[1]  # the paragraph after the title
    rows = "\n".join(
        f'<tr><td>{n}</td><td><a href="{stem}{suffix}">{html.escape(titles.get(stem, stem))}</a></td>'
        f"<td>{mistune.html(promise).strip().removeprefix('<p>').removesuffix('</p>')}</td></tr>"
        for n, stem, promise in chapters(readme))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
table {{ border-collapse: collapse; }} td, th {{ border-bottom: 1px solid #ddd; padding: .5rem; vertical-align: top; }}
code {{ background: #f4f4f4; padding: 0 .2em; }}
</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
{mistune.html(intro)}
<table>
<tr><th>#</th><th>chapter</th><th>after it you can</th></tr>
{rows}
</table>
<p>Each chapter is shown with the outputs stored in its notebook. To run it, <code>make lab</code> opens
JupyterLab on your own copies in workspace/, with the worked chapters in notebooks/.</p>
</body>
</html>
"""


def notebook_title(path):
    """A chapter's title: its first heading without the "Chapter N · " prefix ("Notation: how to talk ...")."""
    first = nbformat.read(path, as_version=4).cells[0].source
    heading = re.search(r"^# (.+)$", first, re.MULTILINE)
    return re.sub(r"^Chapter \d+ · ", "", heading.group(1)) if heading else path.stem


def write_index(directory):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = {p.stem for p in Path(directory).glob("[0-9][0-9]_*.html")}
    listed = {stem for _, stem, _ in chapters(readme)}
    if found != listed:
        sys.exit(f"README's chapter table ({sorted(listed)}) and the pages ({sorted(found)}) disagree")
    titles = {stem: notebook_title(ROOT / "notebooks" / f"{stem}.ipynb") for stem in listed}
    (Path(directory) / "index.html").write_text(index_page(readme, titles), encoding="utf-8")
    print(f"{directory}/index.html: {len(listed)} chapters")


def main():
    commands = {"assets": copy_assets, "slide-assets": lambda d: copy_assets(d, ASSETS | SLIDE_ASSETS),
                "offline": offline, "index": write_index}
    if len(sys.argv) != 3 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2])


if __name__ == "__main__":
    main()
