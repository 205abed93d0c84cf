"""The learner's workspace: their own copy of every chapter, made once and never overwritten.

Usage: python tools/workspace.py              copy every chapter missing from workspace/ (`make lab` runs it first)
       python tools/workspace.py --fresh 05   a fresh copy of one chapter, by number or file name
                                              (`make fresh CHAPTER=05`); the old copy is moved aside to
                                              workspace/05_language_modelling.ipynb.bak-<timestamp>

notebooks/ is the instructor edition: solved, with its outputs. workspace/ (ignored by git) holds the student
edition of each chapter, built in memory by tools/student_edition.py: the exercises' solutions replaced by
placeholders, the outputs cleared. A chapter already in workspace/ is left exactly as it is, byte for byte, so
neither a rebuild nor a git pull touches the learner's work; only --fresh replaces one, and it keeps the old one.
"""

import argparse
import runpy
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
student_notebook = runpy.run_path(str(Path(__file__).with_name("student_edition.py")))["student_notebook"]


class UnknownChapter(ValueError):
    """--fresh was given a chapter that does not exist; the message names those that do."""


def chapters(root=ROOT):
    """The instructor notebooks, in order."""
    return sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def find(chapter, root=ROOT):
    """The notebook named by `chapter`: its number ("05" or "5") or its file name, with or without .ipynb."""
    name = Path(chapter).name.removesuffix(".ipynb")
    for path in chapters(root):
        if name == path.stem or (name.isdigit() and int(name) == int(path.stem[:2])):
            return path
    known = ", ".join(path.stem for path in chapters(root))
    raise UnknownChapter(f"no chapter {chapter!r}; the chapters are {known} (give a number, e.g. 05, or a name)")


def write_copy(chapter, target):
    """Write the student edition of `chapter` to `target`, which must not exist yet."""
    with open(target, "x", encoding="utf-8") as file:
        nbformat.write(student_notebook(nbformat.read(chapter, as_version=4)), file)


def set_up(root=ROOT, workspace=None):
    """Copy every chapter missing from `workspace` (root/workspace by default); return {name: what was done}."""
    workspace = workspace or root / "workspace"
    workspace.mkdir(parents=True, exist_ok=True)
    done = {}
    for chapter in chapters(root):
        target = workspace / chapter.name
        if target.exists():
            done[chapter.name] = "kept"
        else:
            write_copy(chapter, target)
            done[chapter.name] = "created"
        print(f"{done[chapter.name]:9} {workspace.name}/{chapter.name}")
    if "kept" in done.values():
        print(f"Your copies in {workspace.name}/ are kept as they are; `make fresh CHAPTER=05` replaces one "
              "with a fresh copy and keeps the old one.")
    return done


def fresh(chapter, root=ROOT, workspace=None):
    """Replace the workspace's copy of one chapter with a fresh one; return where the old one went (or None)."""
    chapter = find(chapter, root)
    workspace = workspace or root / "workspace"
    workspace.mkdir(parents=True, exist_ok=True)
    target, old = workspace / chapter.name, None
    if target.exists():
        stamp = time.strftime("%Y%m%d-%H%M%S")
        old = target.with_name(f"{target.name}.bak-{stamp}")
        count = 1
        while old.exists():
            count += 1
            old = target.with_name(f"{target.name}.bak-{stamp}-{count}")
        target.rename(old)
    write_copy(chapter, target)
    print(f"refreshed {workspace.name}/{chapter.name} (your old copy: {workspace.name}/{old.name})" if old
          else f"created   {workspace.name}/{chapter.name}")
    return old


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", metavar="CHAPTER", help="replace this chapter's copy (e.g. 05) with a fresh one")
    args = parser.parse_args()
    if args.fresh is None:
        set_up()
        return
    try:
        fresh(args.fresh)
    except UnknownChapter as error:
        parser.error(str(error))


if __name__ == "__main__":
    main()
