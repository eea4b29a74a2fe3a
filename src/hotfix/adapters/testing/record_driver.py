"""Run pytest under coverage.py with one dynamic context per test (its node id).

Executed as a script by the check environment's Python (it must not import hotfix):

    python record_driver.py DATA_FILE TESTS_JSON SOURCE_DIR [pytest args...]

Writes the coverage data (contexts = node ids; "" = collection/import time) to DATA_FILE
and every test's node id, outcome and duration to TESTS_JSON, and the node ids pytest could
not collect to TESTS_JSON.collect. Exits with pytest's code.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Generator
from typing import Any

import coverage
import pytest


class ContextPlugin:
    def __init__(self, cov: coverage.Coverage) -> None:
        self.cov = cov
        self.tests: dict[str, dict[str, Any]] = {}
        self.collection_errors: list[str] = []

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, None, None]:
        self.cov.switch_context(item.nodeid)
        yield
        self.cov.switch_context("")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            self.tests.setdefault(item.nodeid, {"seconds": 0.0, "outcome": "not run"})

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append(report.nodeid)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self.tests.setdefault(report.nodeid, {"seconds": 0.0, "outcome": "not run"})
        entry["seconds"] += report.duration
        if report.when == "call" or report.outcome != "passed":
            entry["outcome"] = report.outcome


def main(argv: list[str]) -> int:
    data_file, tests_json, source, *args = argv
    cov = coverage.Coverage(data_file=data_file, source=[source], config_file=False)
    plugin = ContextPlugin(cov)
    cov.start()
    try:
        code = pytest.main(args, plugins=[plugin])
    finally:
        cov.stop()
        cov.save()
    with open(tests_json, "w", encoding="utf-8") as out:
        json.dump(plugin.tests, out)
    with open(tests_json + ".collect", "w", encoding="utf-8") as out:
        json.dump(plugin.collection_errors, out)
    return int(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
