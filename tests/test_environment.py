"""The three places that name the environment agree: pyproject.toml, environment.yml, requirements.lock."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def name_of(requirement):
    return re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def pyproject_packages():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    return {name_of(r) for r in reqs}


def environment_packages():
    deps = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    names = set()
    for d in deps:
        for r in d["pip"] if isinstance(d, dict) else [d]:
            names.add(name_of(r))
    return names - {"python", "pip"}


def lock_pins():
    lines = [x for x in (ROOT / "requirements.lock").read_text().splitlines() if x and not x.startswith("#")]
    return {name_of(x): x.split("==", 1)[1] for x in lines}


def test_environment_yml_names_the_same_packages_as_pyproject():
    assert environment_packages() == pyproject_packages()


def test_lock_pins_every_package_exactly():
    pins = lock_pins()
    assert pyproject_packages() <= set(pins)
    assert pins["torch"] == "2.13.0"
