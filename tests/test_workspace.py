"""tools/workspace.py, behind `make lab` and `make fresh`: the learner's own copies of the chapters in workspace/.

Every test works on a copy of notebooks/ in a temporary folder, never on the real workspace/.
"""

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

spec = importlib.util.spec_from_file_location("workspace", ROOT / "tools" / "workspace.py")
workspace = importlib.util.module_from_spec(spec)
spec.loader.exec_module(workspace)


@pytest.fixture
def root(tmp_path):
    """A course folder holding a copy of the chapters, and no workspace yet."""
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    return tmp_path


def files(folder):
    """{name: bytes} of every file in `folder`."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def learner_edit(path):
    """What a learner's work does to a copy: an answer typed in, saved in another layout than nbformat's."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("answer = 42  # mine"))
    path.write_text(nbformat.writes(nb, version=4).replace("\n ", "\n  ") + "\n", encoding="utf-8")
    return path.read_bytes()


def test_set_up_copies_every_chapter_once_and_never_overwrites(root):
    assert workspace.set_up(root) == {chapter.name: "created" for chapter in CHAPTERS}
    folder = root / "workspace"
    assert sorted(files(folder)) == [chapter.name for chapter in CHAPTERS]
    for chapter in CHAPTERS:  # each copy is the student edition: no solution, no output
        copy = nbformat.read(folder / chapter.name, as_version=4)
        assert copy == workspace.student_notebook(nbformat.read(chapter, as_version=4))
        assert not any("solution" in cell.metadata.get("tags", []) for cell in copy.cells)

    first, last = CHAPTERS[0].name, CHAPTERS[-1].name
    edited = learner_edit(folder / last)
    (folder / first).unlink()  # a learner who deleted a chapter gets it back
    before = files(folder)
    assert workspace.set_up(root) == {chapter.name: "kept" for chapter in CHAPTERS} | {first: "created"}
    after = files(folder)
    assert sorted(after) == [chapter.name for chapter in CHAPTERS]
    assert after[last] == edited, "the learner's edit did not survive byte for byte"
    assert {n: b for n, b in after.items() if n != first} == before


def test_fresh_replaces_exactly_one_chapter_and_keeps_the_old_copy(root):
    workspace.set_up(root)
    folder = root / "workspace"
    chapter = CHAPTERS[4]
    edited = learner_edit(folder / chapter.name)
    learner_edit(folder / CHAPTERS[2].name)
    before = files(folder)

    old = workspace.fresh(chapter.stem[:2], root)
    assert old.name.startswith(f"{chapter.name}.bak-") and old.read_bytes() == edited
    after = files(folder)
    assert set(after) == set(before) | {old.name}
    assert {n: b for n, b in after.items() if n not in (chapter.name, old.name)} == {
        n: b for n, b in before.items() if n != chapter.name}, "another chapter changed"
    fresh_copy = nbformat.read(folder / chapter.name, as_version=4)
    assert fresh_copy == workspace.student_notebook(nbformat.read(chapter, as_version=4))

    again = workspace.fresh(chapter.name, root)  # by file name; twice in one second keeps both old copies
    assert again != old and old.exists() and again.exists()
    (folder / chapter.name).unlink()
    assert workspace.fresh(chapter.stem, root) is None and (folder / chapter.name).exists()


@pytest.mark.parametrize("chapter", ["99", "00", "language_modelling", "notebooks/99_nothing.ipynb", ""])
def test_an_unknown_chapter_is_refused_naming_the_chapters(root, chapter):
    with pytest.raises(workspace.UnknownChapter) as error:
        workspace.fresh(chapter, root)
    for known in CHAPTERS:
        assert known.stem in str(error.value)
    assert not (root / "workspace").exists()


def test_the_command_line_refuses_an_unknown_chapter():
    """Nothing is written: the chapter is looked up first."""
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "workspace.py"), "--fresh", "99"],
                         capture_output=True, text=True)
    assert run.returncode == 2 and "no chapter '99'" in run.stderr and CHAPTERS[0].stem in run.stderr


needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def make_n(*arguments):
    return subprocess.run(["make", "-n", *arguments], cwd=ROOT, capture_output=True, text=True)


@needs_make
def test_make_lab_sets_up_the_workspace_before_jupyter():
    made = make_n("lab")
    assert made.returncode == 0, made.stderr
    lines = made.stdout.splitlines()
    setup = next(i for i, line in enumerate(lines) if line.endswith("tools/workspace.py"))
    lab = next(i for i, line in enumerate(lines) if "jupyter lab" in line)
    assert setup < lab
    assert "cpu_pins.py" in lines[lab] and "--LabApp.default_url=/lab/tree/workspace" in made.stdout
    assert not lines[lab].rstrip(" \\").endswith("notebooks/"), "JupyterLab must start at the root"


@needs_make
def test_make_fresh_needs_a_chapter():
    assert "tools/workspace.py --fresh 05" in make_n("fresh", "CHAPTER=05").stdout
    made = make_n("fresh")
    assert made.returncode != 0 and "make fresh CHAPTER=05" in made.stderr
