"""Regenerate docs/configuration.md and docs/cli.md from the registries."""

from __future__ import annotations

from pathlib import Path

from hotfix.cli.main import app
from hotfix.docgen import CLI_PAGE, CONFIG_PAGE, cli_markdown, configuration_markdown

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    (ROOT / CONFIG_PAGE).write_text(configuration_markdown(), encoding="utf-8")
    (ROOT / CLI_PAGE).write_text(cli_markdown(app), encoding="utf-8")
    print(f"wrote {CONFIG_PAGE} and {CLI_PAGE}")
