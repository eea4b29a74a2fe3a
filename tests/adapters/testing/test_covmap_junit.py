"""The coverage map's storage and the JUnit reader, on real files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from hotfix.adapters.testing import covmap, junit
from hotfix.domain.checks.testrun import RunResult
from tests.services.checks import repo_builder as rb


@given(st.sets(st.integers(min_value=1, max_value=5000), max_size=200))
def test_line_ranges_round_trip(lines: set[int]) -> None:
    assert covmap.unpack(covmap.pack(lines)) == lines


def test_pack_is_compact() -> None:
    assert covmap.pack([7, 1, 2, 3, 9, 10]) == "1-3,7,9-10"


def test_save_load_reads_only_the_files_asked_for(tmp_path: Path) -> None:
    path = covmap.map_path(tmp_path, "a" * 40)
    covmap.save(path, "a" * 40, {"t.py::a": (0.1, "passed"), "t.py::b": (0.2, "failed")},
                {"m.py": {"t.py::a": [1, 2, 3], "t.py::b": [3]}, "n.py": {"t.py::b": [5]}},
                "2024-01-01T00:00:00+00:00")
    loaded = covmap.load(path, ["m.py", "missing.py"])
    assert loaded.commit == "a" * 40
    assert set(loaded.tests) == {"t.py::a", "t.py::b"}
    assert loaded.files == {"m.py": {"t.py::a": frozenset({1, 2, 3}),
                                     "t.py::b": frozenset({3})}}
    (info,) = covmap.available(tmp_path)
    assert (info.commit, info.tests) == ("a" * 40, 2)
    assert covmap.durations(path) == {"t.py::a": 0.1, "t.py::b": 0.2}


JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="4">
<testcase classname="tests.test_a" name="test_ok[1]" file="tests/test_a.py" line="3" time="0.01"/>
<testcase classname="tests.test_a.TestC" name="test_bad" file="tests/test_a.py" time="0.5">
  <failure message="assert 1 == 2">long text</failure></testcase>
<testcase classname="tests.test_b" name="test_skip" file="tests/test_b.py" time="0">
  <skipped message="no db"/></testcase>
<testcase classname="tests.test_c" name="tests.test_c" time="0">
  <error message="collection failure"/></testcase>
</testsuite></testsuites>
"""


def test_junit_cases_with_node_ids(tmp_path: Path) -> None:
    path = tmp_path / "j.xml"
    path.write_text(JUNIT)
    cases = junit.parse_file(path)
    assert [(c.nodeid, c.outcome) for c in cases] == [
        ("tests/test_a.py::test_ok[1]", "passed"),
        ("tests/test_a.py::TestC::test_bad", "failed"),
        ("tests/test_b.py::test_skip", "skipped"),
        ("tests.test_c::tests.test_c", "error"),
    ]
    assert cases[1].message == "assert 1 == 2"
    assert junit.parse_file(tmp_path / "absent.xml") == []


def test_a_collection_error_is_the_file_with_the_error_it_hit(tmp_path: Path) -> None:
    rb.write(tmp_path, {"tests/test_x.py": "import no_such_module_here\n",
                        "tests/test_y.py": "def test_y():\n    pass\n"})
    xml = tmp_path / "j.xml"
    subprocess.run([sys.executable, "-m", "pytest", "-q", f"--junitxml={xml}",
                    "-o", "junit_family=xunit1", "-p", "no:randomly"],
                   cwd=tmp_path, capture_output=True, check=False)
    (case,) = junit.parse_file(xml)
    assert (case.nodeid, case.outcome) == ("tests/test_x.py", "error")
    assert case.message == ("collection failure: ModuleNotFoundError: "
                            "No module named 'no_such_module_here'")
    run = RunResult("full", ("pytest",), 2, 0.1, (case,))
    assert run.diagnosis == "1 file(s) could not be collected (import errors)"
