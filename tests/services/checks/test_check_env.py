"""The check runs in the project's environment, not hotfix's: real repos, real virtualenvs.

The two projects of the issue's "done when" are built here as tiny real projects: one
pinned to an older pytest on CPython 3.8, one versioned by setuptools_scm on CPython 3.13
(both from pyenv), each with a test using the ``cache`` fixture. Each check must pass
exactly when the project's own CI (a fresh venv, its install steps, pytest) passes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hotfix.adapters.clock import SystemClock
from hotfix.adapters.git.repo import Git
from hotfix.adapters.testing import venv
from hotfix.adapters.testing.declared import declared
from hotfix.config import load_config
from hotfix.errors import UsageError
from hotfix.services.checks.coverage_map import record_map
from hotfix.services.checks.pipeline import CheckOutcome, run_pipeline
from hotfix.services.checks.policy import resolve_range
from tests.services.checks import repo_builder as rb

PYENV = Path(os.environ.get("PYENV_ROOT", "/root/.pyenv")) / "versions"
CACHE_TEST = '''

def test_cache_fixture(cache):
    cache.set("project/seen", [1, 2])
    assert cache.get("project/seen", None) == [1, 2]
'''
ISOLATED = '''
import importlib.util


def test_sees_none_of_hotfixs_packages():
    for name in ("numpy", "click", "typer", "hotfix", "pytest_timeout", "hypothesis"):
        assert importlib.util.find_spec(name) is None, name
'''


def pyenv(version: str) -> Path:
    python = PYENV / version / "bin" / "python"
    if not python.is_file():
        pytest.skip(f"pyenv has no CPython {version} here (`pyenv install {version}`)")
    return python


def run(root: Path, override: dict[str, str] | None = None) -> CheckOutcome:
    git = Git(root)
    return run_pipeline(git, load_config(root), resolve_range(git, None, None),
                        clock=SystemClock(), override=override)


def own_ci(root: Path, branch: str, python: Path, install: list[str]) -> int:
    """What the project's CI says of ``branch``: a fresh venv, its install, pytest."""
    work = root.parent / f"ci-{branch.replace('/', '-')}"
    subprocess.run(["git", "clone", "-q", "--branch", branch, str(root), str(work)], check=True)
    subprocess.run([str(python), "-m", "venv", str(work / ".ci-venv")], check=True)
    ci_python = str(work / ".ci-venv" / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run([ci_python, "-m", "pip", "install", "-q", *install], cwd=work, env=env,
                   check=True, capture_output=True)
    return subprocess.run([ci_python, "-m", "pytest", "-q"], cwd=work, env=env,
                          capture_output=True, check=False).returncode


def project(root: Path, files: dict[str, str], config: str) -> Path:
    root.mkdir(parents=True)
    rb.git(root, "init", "-q", "-b", "main")
    rb.commit(root, "v1", {".gitignore": ".hotfix/\n__pycache__/\n.pytest_cache/\n"
                                         "*.egg-info/\n_version.py\nhotfix.toml\n", **files})
    rb.git(root, "tag", "v1.0.0")
    rb.configure(root, config)
    return root


OLD = {
    "requirements-dev.txt": "pytest==7.4.4\n",
    "oldlib/__init__.py": "def add(a, b):\n    return a + b\n",
    "tests/test_oldlib.py": '''\
import sys

import pytest

from oldlib import add


def test_add():
    assert add(2, 3) == 5


def test_runs_on_the_projects_own_pins():
    assert pytest.__version__ == "7.4.4"
    assert sys.version_info[:2] == (3, 8)
''' + CACHE_TEST,
    "tests/test_isolated.py": ISOLATED,
}


@pytest.mark.slow
def test_a_project_pinned_to_an_older_pytest_on_python_38(tmp_path: Path) -> None:
    python = pyenv("3.8.18")
    root = project(tmp_path / "oldlib", OLD, f'[check]\npython = "{python}"\n')
    rb.git(root, "checkout", "-q", "-b", "hotfix/add", "v1.0.0")
    rb.commit(root, "fix: add keeps ints", {
        "oldlib/__init__.py": "def add(a, b):\n    return int(a) + int(b)\n",
        "tests/test_oldlib.py": OLD["tests/test_oldlib.py"] +
        "\n\ndef test_add_strings():\n    assert add('2', '3') == 5\n"})
    outcome = run(root)
    assert outcome.passed, outcome.to_payload()
    env = outcome.to_payload()["environment"]
    assert env["packages"]["pytest"] == "7.4.4"
    assert "numpy" not in env["packages"]
    assert env["source"] == "built"
    full = outcome.runs[-1]
    assert full.counts()["passed"] == 5
    assert own_ci(root, "hotfix/add", python, ["-r", "requirements-dev.txt"]) == 0

    rb.git(root, "checkout", "-q", "-b", "hotfix/bad", "v1.0.0")
    rb.commit(root, "fix: add, broken", {
        "oldlib/__init__.py": "def add(a, b):\n    return a - b\n",
        "tests/test_oldlib.py": OLD["tests/test_oldlib.py"] + "\n"})
    bad = run(root)
    assert not bad.passed
    assert bad.env is not None
    assert bad.env.base is not None
    assert bad.env.base.reused
    assert {c.nodeid for c in bad.runs[0].failures} == {"tests/test_oldlib.py::test_add"}
    assert own_ci(root, "hotfix/bad", python, ["-r", "requirements-dev.txt"]) != 0


SCM = {
    "pyproject.toml": '''\
[build-system]
requires = ["setuptools>=64", "setuptools_scm>=8"]
build-backend = "setuptools.build_meta"

[project]
name = "scmlib"
dynamic = ["version"]
requires-python = ">=3.8"

[project.optional-dependencies]
test = ["pytest"]

[tool.setuptools_scm]
version_file = "src/scmlib/_version.py"
''',
    "src/scmlib/__init__.py": "from ._version import version as __version__\n\n\n"
                              "def greet(name):\n    return 'hello ' + name\n",
    "tests/test_scmlib.py": '''\
from importlib.metadata import version

import scmlib


def test_version_comes_from_git():
    assert scmlib.__version__.startswith("1.0.")
    assert version("scmlib") == scmlib.__version__


def test_greet():
    assert scmlib.greet("ada") == "hello ada"
''' + CACHE_TEST,
}


@pytest.mark.slow
def test_a_setuptools_scm_project_on_python_313_is_installed_as_its_ci_does(
        tmp_path: Path) -> None:
    python = pyenv("3.13.0")
    root = project(tmp_path / "scmlib", SCM, f'[check]\npython = "{python}"\n')
    rb.git(root, "checkout", "-q", "-b", "hotfix/greet", "v1.0.0")
    rb.commit(root, "fix: greet says hi", {
        "src/scmlib/__init__.py": SCM["src/scmlib/__init__.py"].replace("hello", "hi"),
        "tests/test_scmlib.py": SCM["tests/test_scmlib.py"].replace("hello ada", "hi ada")})
    outcome = run(root)
    assert outcome.passed, outcome.to_payload()
    assert outcome.runs[-1].counts()["passed"] == 3
    payload = outcome.to_payload()["environment"]
    assert payload["project_install"] == "editable"
    assert payload["packages"]["scmlib"].startswith("1.0.")
    assert own_ci(root, "hotfix/greet", python, ["-e", ".[test]"]) == 0
    # the cached environment never holds the project: each check installs its own commit
    base = venv.packages(Path(payload["python"]))
    assert "scmlib" not in base

    rb.git(root, "checkout", "-q", "-b", "hotfix/nover", "v1.0.0")
    rb.commit(root, "drop the version file", {
        "pyproject.toml": SCM["pyproject.toml"].replace(
            '[tool.setuptools_scm]\nversion_file = "src/scmlib/_version.py"\n', ""),
        "tests/test_scmlib.py": SCM["tests/test_scmlib.py"] + "\n"})
    broken = run(root)
    assert not broken.passed
    assert broken.problem is not None
    assert "could not be collected" in broken.problem
    assert own_ci(root, "hotfix/nover", python, ["-e", ".[test]"]) != 0


def test_the_lock_file_is_installed_and_pip_runs_only_when_it_changes(tmp_path: Path) -> None:
    lock = '''\
version = 1

[[package]]
name = "iniconfig"
version = "2.0.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "locked"
version = "0.1.0"
source = { virtual = "." }
'''
    files = {"pyproject.toml": '[project]\nname = "locked"\nversion = "0.1.0"\n'
                               'dependencies = ["iniconfig"]\n',
             "uv.lock": lock, "locked/__init__.py": "",
             "tests/test_locked.py": "from importlib.metadata import version\n\n\n"
                                     "def test_pinned():\n"
                                     "    assert version('iniconfig') == '2.0.0'\n"
                                     + ISOLATED + CACHE_TEST}
    root = project(tmp_path / "locked", files, "")
    rb.git(root, "checkout", "-q", "-b", "hotfix/x", "v1.0.0")
    rb.commit(root, "fix", {"locked/__init__.py": "X = 1\n",
                            "tests/test_locked.py": files["tests/test_locked.py"] + "\n"})
    first = run(root)
    assert first.passed, first.to_payload()
    assert first.env is not None
    assert first.env.base is not None
    assert first.env.packages["iniconfig"] == "2.0.0"
    again = run(root)
    assert again.env is not None
    assert again.env.base is not None
    assert (again.env.base.reused, again.env.base.key) == (True, first.env.base.key)

    repinned = declared(root, [], [])
    assert repinned.pins == ("iniconfig==2.0.0",)
    rb.commit(root, "bump", {"uv.lock": lock.replace('"2.0.0"', '"2.1.0"'),
                             "tests/test_locked.py": files["tests/test_locked.py"]
                             .replace("2.0.0", "2.1.0")})
    bumped = run(root, override={"by": "lee@example.com", "reason": "a lock file bump"})
    assert bumped.passed, bumped.to_payload()
    assert bumped.env is not None
    assert bumped.env.base is not None
    assert not bumped.env.base.reused
    assert bumped.env.base.key != first.env.base.key


def test_other_lock_files_become_pins_or_requirements(tmp_path: Path) -> None:
    rb.write(tmp_path, {
        "poetry.lock": '[[package]]\nname = "Attrs"\nversion = "23.1.0"\n\n'
                       '[[package]]\nname = "mine"\nversion = "0.1.0"\n'
                       '[package.source]\ntype = "directory"\nurl = "../mine"\n',
        "pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.8"\nattrs = "^23"\n'
                          '[tool.poetry.group.dev.dependencies]\npytest = "^7"\n'})
    poetry = declared(tmp_path, ["dev"], [])
    assert poetry.pins == ("attrs==23.1.0",)
    assert poetry.requirements == ("attrs", "pytest")
    assert (poetry.lock, poetry.builds) == ("poetry.lock", False)
    (tmp_path / "poetry.lock").unlink()
    (tmp_path / "pyproject.toml").unlink()
    rb.write(tmp_path, {"Pipfile.lock": '{"default": {"six": {"version": "==1.16.0"}}, '
                                        '"develop": {"pytest": {"version": "==7.4.4", '
                                        '"markers": "python_version >= \'3.7\'"}, '
                                        '"mine": {"editable": true, "path": "."}}}'})
    pipenv = declared(tmp_path, [], [])
    assert pipenv.requirements == ("six==1.16.0", "pytest==7.4.4; python_version >= '3.7'")
    assert pipenv.pins == ()


def test_the_projects_own_venv_is_used_and_never_changed(tmp_path: Path) -> None:
    shop = rb.shop_repo(tmp_path / "shop")
    rb.fix_vat(shop)
    own = tmp_path / "own-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(own)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(own / "bin" / "python"),
                    "install", "-q", "pytest"], check=True, capture_output=True)
    before = snapshot(own)
    rb.configure(shop, f'[check]\nvenv = "{own}"\n')
    outcome = run(shop)
    assert outcome.passed, outcome.to_payload()
    assert outcome.to_payload()["environment"]["source"] == "venv"
    recorded = record_map(Git(shop), load_config(shop), "v1.0.0")
    assert recorded.tests == 9
    assert snapshot(own) == before  # coverage went into the overlay, not the project's venv
    assert "coverage" not in venv.packages(own / "bin" / "python")
    assert not list((shop / ".hotfix" / "venvs").glob("*.run-*"))


def snapshot(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def test_check_setup_runs_in_the_worktree_and_its_failure_is_shown(shop_fixed: Path) -> None:
    rb.configure(shop_fixed, '[check]\nsetup = ["python", "-c", '
                             '"open(\'shop/generated.py\', \'w\').write(\'X = 42\\\\n\')"]\n')
    rb.commit(shop_fixed, "uses generated code", {
        "tests/test_generated.py": "from shop.generated import X\n\n\n"
                                   "def test_generated():\n    assert X == 42\n"})
    outcome = run(shop_fixed)
    assert outcome.passed, outcome.to_payload()
    assert outcome.to_payload()["environment"]["setup"][0] == "python"
    rb.configure(shop_fixed, '[check]\nsetup = ["python", "-c", '
                             '"import sys; print(\'no compiler here\'); sys.exit(3)"]\n')
    with pytest.raises(UsageError, match=r"(?s)failed \(exit 3\).*no compiler here"):
        run(shop_fixed)


@pytest.fixture
def shop_fixed(tmp_path: Path) -> Path:
    shop = rb.shop_repo(tmp_path / "shop")
    rb.fix_vat(shop)
    return shop


def test_the_projects_own_command_runs_without_a_hotfix_environment(
        shop_fixed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / "tox-like"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(own)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(own / "bin" / "python"),
                    "install", "-q", "pytest"], check=True, capture_output=True)
    monkeypatch.setenv("SHOP_TEST_PYTHON", str(own / "bin" / "python"))
    script = tmp_path / "run-tests.sh"  # as tox or make would run it
    script.write_text('junit="$1"; shift\n'
                      'exec "$SHOP_TEST_PYTHON" -m pytest -q --junitxml "$junit" "$@"\n')
    rb.configure(shop_fixed, f'[check]\ntest_command = ["sh", "{script}", "{{junitxml}}", '
                             '"{tests}"]\n')
    outcome = run(shop_fixed)
    assert outcome.passed, outcome.to_payload()
    assert [r.stage for r in outcome.runs] == ["targeted", "full"]
    assert outcome.runs[0].counts()["passed"] == 6
    assert outcome.to_payload()["environment"]["source"] == "command"
    assert not (shop_fixed / ".hotfix" / "venvs").exists()


def test_most_of_the_suite_selected_skips_the_targeted_stage(shop_fixed: Path) -> None:
    rb.configure(shop_fixed, "[check]\ntargeted_max_share = 0.5\n")
    outcome = run(shop_fixed)
    assert outcome.passed, outcome.to_payload()
    assert [r.stage for r in outcome.runs] == ["full"]
    assert outcome.targeted_skipped == (
        "impact selected 6 of 10 tests (60%, more than check.targeted_max_share = 50%): "
        "the full suite runs them")
    assert outcome.to_payload()["targeted_skipped"] == outcome.targeted_skipped


def test_a_usage_error_says_so_with_pytests_own_words(shop_fixed: Path) -> None:
    rb.commit(shop_fixed, "bad ini", {"pytest.ini": "[pytest]\naddopts = --no-such-flag\n"})
    outcome = run(shop_fixed)
    assert not outcome.passed
    run_ = outcome.runs[-1]
    assert run_.counts() == {"passed": 0, "failed": 0, "error": 0, "skipped": 0}
    assert run_.exit_code == 4
    assert outcome.problem is not None
    assert "pytest refused its command line" in outcome.problem
    assert "--no-such-flag" in run_.output_tail


def test_an_unknown_interpreter_or_venv_is_a_clear_error(shop_fixed: Path) -> None:
    rb.configure(shop_fixed, '[check]\npython = "python2.5"\n')
    with pytest.raises(UsageError, match=r"check\.python 'python2\.5' is not an interpreter"):
        run(shop_fixed)
    rb.configure(shop_fixed, '[check]\nvenv = "no/such/venv"\n')
    with pytest.raises(UsageError, match="is not a virtualenv"):
        run(shop_fixed)
    rb.configure(shop_fixed, f'[check]\npython = "{PYENV / "3.6.15" / "bin" / "python"}"\n')
    if (PYENV / "3.6.15").is_dir():
        with pytest.raises(UsageError, match=r"supports Python 3\.7 to 3\.13"):
            run(shop_fixed)


@pytest.mark.slow
@pytest.mark.parametrize("version", ["3.8.18", "3.13.0"])
def test_a_recording_runs_in_the_projects_interpreter(tmp_path: Path, version: str) -> None:
    python = pyenv(version)
    shop = rb.shop_repo(tmp_path / "shop")
    rb.configure(shop, f'[check]\npython = "{python}"\n')
    rb.commit(shop, "a test of the stdlib's venv", {  # hotfix's own venv.py must not shadow it
        "tests/test_stdlib.py": "import venv\n\n\ndef test_venv():\n"
                                "    assert hasattr(venv, 'EnvBuilder')\n"})
    recorded = record_map(Git(shop), load_config(shop), "HEAD")
    assert (recorded.tests, recorded.exit_code) == (10, 0)
    again = record_map(Git(shop), load_config(shop), "HEAD")
    assert again.tests == 10
    venvs = shop / ".hotfix" / "venvs"
    (tools,) = venvs.glob("tools-*")  # coverage, installed once for this interpreter
    assert list(tools.glob("coverage-*.dist-info"))
    (built,) = (p.parent for p in venvs.glob("*/hotfix-env.json"))
    seen = venv.probe(built / "bin" / "python")
    assert seen["version"][:2] == [int(x) for x in version.split(".")[:2]]
    assert "coverage" not in seen["packages"]  # coverage went into the overlay only
    assert "pytest" in seen["packages"]
