"""JUnit XML (as pytest writes it with ``junit_family=xunit1``) → test cases."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from hotfix.domain.checks.testrun import Case


def parse_file(path: Path) -> list[Case]:
    if not path.is_file() or path.stat().st_size == 0:
        return []
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        return []
    return [_case(node) for node in root.iter("testcase")]


def parse_text(text: str | bytes) -> list[Case]:
    """The cases of one JUnit XML document (a CI system's report); [] when it is not one."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return []
    return [_case(node) for node in root.iter("testcase")]


def _case(node: ET.Element) -> Case:
    outcome, message = "passed", ""
    for tag in ("failure", "error", "skipped"):
        child = node.find(tag)
        if child is not None:
            outcome = {"failure": "failed"}.get(tag, tag)
            message = (child.get("message") or child.text or "").strip()[:2000]
            break
    return Case(nodeid(node.attrib), outcome, float(node.get("time") or 0.0), message)


def nodeid(attrs: dict[str, str]) -> str:
    """Rebuild pytest's node id from ``file``, ``classname`` and ``name``."""
    name, classname, file = attrs.get("name", ""), attrs.get("classname", ""), attrs.get("file")
    if not file:
        return f"{classname}::{name}" if classname else name
    module = file.removesuffix(".py").replace("/", ".")
    inner = classname[len(module) + 1:] if classname.startswith(module + ".") else ""
    parts = [file, *inner.split(".")] if inner else [file]
    return "::".join([*parts, name])
