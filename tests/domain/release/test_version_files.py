from __future__ import annotations

import json

import pytest

from hotfix.domain.release.version_files import bump, matching


def test_pyproject_bumps_project_version_only() -> None:
    text = ('[build-system]\nversion = "9"\n\n[project]\nname = "x"\nversion = "1.1.0"  # v\n'
            '\n[tool.other]\nversion = "3"\n')
    result = bump("pyproject.toml", text, "1.1.1")
    assert result.old == "1.1.0"
    assert result.text == text.replace('"1.1.0"', '"1.1.1"')


def test_poetry_and_dynamic_pyproject() -> None:
    assert bump("pyproject.toml", "[tool.poetry]\nversion = '2.0.0'\n", "2.0.1").text == \
        "[tool.poetry]\nversion = '2.0.1'\n"
    dynamic = '[project]\nname = "x"\ndynamic = ["version"]\n'
    assert bump("pyproject.toml", dynamic, "1.0.1").old is None


def test_package_json_top_level_version() -> None:
    text = json.dumps({"name": "x", "version": "1.1.0", "deps": {"version": "1.1.0"}}, indent=2)
    result = bump("web/package.json", text, "1.1.1")
    assert json.loads(result.text)["version"] == "1.1.1"
    assert json.loads(result.text)["deps"]["version"] == "1.1.0"
    assert bump("package.json", "{not json", "1").old is None


@pytest.mark.parametrize(("path", "text", "expected"), [
    ("VERSION", "1.1.0\n", "1.1.1\n"),
    ("VERSION", "1.1.0", "1.1.1"),
    ("pkg/__init__.py", '"x"\n__version__ = "1.1.0"\n', '"x"\n__version__ = "1.1.1"\n'),
    ("pkg/_version.py", "__version__: str = '1.1.0'\n", "__version__: str = '1.1.1'\n"),
])
def test_plain_and_python(path: str, text: str, expected: str) -> None:
    result = bump(path, text, "1.1.1")
    assert result.text == expected
    assert result.old == "1.1.0"


def test_files_without_a_version_are_untouched() -> None:
    assert bump("pkg/__init__.py", "x = 1\n", "2").old is None
    assert bump("Makefile", "version = 1\n", "2").text == "version = 1\n"


def test_globs_stay_in_their_directory() -> None:
    paths = ["pyproject.toml", "a/__init__.py", "a/b/__init__.py", "src/c/_version.py", "VERSION"]
    assert matching(paths, ["*/__init__.py"]) == ["a/__init__.py"]
    assert matching(paths, ["**/__init__.py"]) == ["a/__init__.py", "a/b/__init__.py"]
    assert matching(paths, ["src/*/_version.py", "VERSION"]) == ["src/c/_version.py", "VERSION"]
