"""The docs are true: generated references are current, and the README's commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from hotfix.cli.main import app
from hotfix.docgen import CLI_PAGE, CONFIG_PAGE, cli_markdown, configuration_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_configuration_reference_is_current() -> None:
    page = (ROOT / CONFIG_PAGE).read_text(encoding="utf-8")
    assert page == configuration_markdown(), "run: python scripts/gen_docs.py"


def test_cli_reference_is_current() -> None:
    page = (ROOT / CLI_PAGE).read_text(encoding="utf-8")
    assert page == cli_markdown(app), "run: python scripts/gen_docs.py"


def test_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:sh|bash)\n(.*?)```", readme, re.S)
    assert "hotfix demo" in blocks[0]
    assert "pytest" in blocks[1] or "scripts/test" in blocks[1]


def test_every_command_in_docs_exists() -> None:
    known = set(re.findall(r"^## hotfix (\S+)", cli_markdown(app), re.M))
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for used in re.findall(r"`hotfix ([a-z][a-z-]*)", page.read_text(encoding="utf-8")):
            assert used in known, f"{page.name} mentions `hotfix {used}`, which does not exist"


def test_each_settings_section_is_one_block_of_the_catalog() -> None:
    """``hotfix init`` writes the catalog in order: a section split in two would be declared
    twice in the hotfix.toml it writes, which TOML refuses."""
    from hotfix.settings_catalog import CATALOG

    order = [s.key.split(".")[0] for s in CATALOG]
    blocks = [section for i, section in enumerate(order) if i == 0 or order[i - 1] != section]
    assert len(blocks) == len(set(blocks)), f"split sections: {blocks}"
