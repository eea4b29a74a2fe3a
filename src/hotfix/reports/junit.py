"""JUnit XML for CI systems, and GitHub Actions annotations: findings as every CI shows them.

``hotfix policy --junit FILE`` writes one testcase per finding (a failure each; one passing
"within scope" case when there are none); ``hotfix audit --junit FILE`` one testcase per
release line, failing with the commits missing from the mainline. GitHub's workflow
commands (``::error file=…,title=…::message``) put a policy finding on the file it names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree import ElementTree as ET


@dataclass(frozen=True)
class Case:
    name: str
    classname: str
    failure: str | None = None  # None: passed
    file: str | None = None


def junit_xml(suite: str, cases: Sequence[Case]) -> str:
    failures = sum(1 for c in cases if c.failure is not None)
    root = ET.Element("testsuites", tests=str(len(cases)), failures=str(failures))
    node = ET.SubElement(root, "testsuite", name=suite, tests=str(len(cases)),
                         failures=str(failures), errors="0", skipped="0")
    for case in cases:
        attrs = {"name": case.name, "classname": case.classname, "time": "0"}
        if case.file:
            attrs["file"] = case.file
        element = ET.SubElement(node, "testcase", attrs)
        if case.failure is not None:
            ET.SubElement(element, "failure", message=case.failure.splitlines()[0]
                          ).text = case.failure
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def github_error(message: str, *, file: str | None = None, line: int | None = None,
                 title: str | None = None) -> str:
    """One ``::error`` workflow command (properties and message escaped as GitHub asks)."""
    props = [f"{k}={_escape(v, prop=True)}" for k, v in
             (("file", file), ("line", None if line is None else str(line)), ("title", title))
             if v is not None]
    return f"::error {','.join(props)}::{_escape(message)}" if props else \
        f"::error::{_escape(message)}"


def _escape(value: str, *, prop: bool = False) -> str:
    out = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return out.replace(":", "%3A").replace(",", "%2C") if prop else out
