"""The install is reproducible: every dependency is pinned, with hashes, in requirements/."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)")


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def pins(lock: str) -> dict[str, str]:
    """Name → pinned version of a requirements file, failing on any unhashed pin."""
    text = (ROOT / "requirements" / lock).read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    found = {}
    for block in blocks:
        match = PIN.match(block)
        if match:
            assert "--hash=sha256:" in block, f"{lock}: {match[1]} has no hash"
            found[canonicalize_name(match[1])] = match[2]
    return found


def declared(*extras: str) -> list[Requirement]:
    project = pyproject()["project"]
    names = list(project["dependencies"])
    for extra in extras:
        names += project["optional-dependencies"][extra]
    return [Requirement(name) for name in names]


def test_every_declared_dependency_is_pinned_within_its_bounds():
    for lock, extras in (("app.txt", ()), ("test.txt", ("test", "prod"))):
        locked = pins(lock)
        for requirement in declared(*extras):
            version = locked.get(canonicalize_name(requirement.name))
            assert version, f"{requirement.name} is not pinned in requirements/{lock}"
            assert requirement.specifier.contains(version, prereleases=True), (
                f"requirements/{lock} pins {requirement.name}=={version}, outside {requirement}"
            )


def test_app_and_test_locks_agree_on_shared_versions():
    app, test = pins("app.txt"), pins("test.txt")
    assert {name: app[name] for name in app} == {name: test[name] for name in app}


def test_linter_and_browser_driver_are_pinned():
    test = pins("test.txt")
    assert "ruff" in test and "playwright" in test


def test_the_install_scripts_install_from_the_locks():
    installer = (ROOT / "scripts" / "install-python").read_text()
    assert "--require-hashes" in installer and "--no-deps" in installer
    assert "requirements/test.txt" in (ROOT / "scripts" / "test").read_text()
    assert "requirements/app.txt" in (ROOT / "scripts" / "run").read_text()
    assert pins("build.txt").keys() >= {"pip", "setuptools", "wheel"}


def test_the_licence_is_an_spdx_expression():
    # A TOML table here is deprecated by setuptools and prints a warning on every install.
    assert pyproject()["project"]["license"] == "Apache-2.0"
