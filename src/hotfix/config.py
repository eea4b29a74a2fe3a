"""The settings registry and the only reader of configuration files and the environment.

Every setting is declared once in ``SETTINGS`` with its default, its environment variable
(if any) and its help text. ``hotfix init`` writes a commented ``hotfix.toml`` from the
registry and ``docs/configuration.md`` is checked against it by ``tests/test_docs.py``.

Precedence: CLI overrides > environment > file (``hotfix.toml`` or ``[tool.hotfix]`` in
``pyproject.toml``) > default. The environment is passed in, never read globally.
"""

from __future__ import annotations

import builtins
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hotfix.errors import ConfigError
from hotfix.settings_catalog import CATALOG, STARTER, Setting

SETTINGS: dict[str, Setting] = {s.key: s for s in CATALOG}
CONFIG_FILE = "hotfix.toml"


@dataclass(frozen=True)
class Config:
    """Resolved settings: every registered key has a value and a source."""

    root: Path
    values: Mapping[builtins.str, Any]
    sources: Mapping[builtins.str, builtins.str] = field(default_factory=dict)
    path: Path | None = None

    def get(self, key: builtins.str) -> Any:
        if key not in SETTINGS:
            raise KeyError(f"unregistered setting {key!r}")
        return self.values[key]

    def int(self, key: builtins.str) -> builtins.int:
        value = self.get(key)
        assert isinstance(value, int)
        return value

    def float(self, key: builtins.str) -> builtins.float:
        return float(self.get(key))

    def str(self, key: builtins.str) -> builtins.str:
        return str(self.get(key))

    def bool(self, key: builtins.str) -> builtins.bool:
        return bool(self.get(key))

    def list(self, key: builtins.str) -> builtins.list[Any]:
        value = self.get(key)
        assert isinstance(value, list)
        return value

    def table(self, key: builtins.str) -> builtins.dict[builtins.str, Any]:
        value = self.get(key)
        assert isinstance(value, dict)
        return value

    def source(self, key: builtins.str) -> builtins.str:
        return self.sources.get(key, "default")


class _Later(Mapping[str, Any]):
    """Settings values where some are computed on first use (see ``resolved_later``)."""

    def __init__(self, values: Mapping[str, Any],
                 later: Mapping[str, Callable[[], Any]]) -> None:
        self._values, self._later = values, later
        self._done: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key in self._later:
            if key not in self._done:
                self._done[key] = self._later[key]()
            return self._done[key]
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def resolved_later(cfg: Config, key: str, compute: Callable[[], Any], source: str) -> Config:
    """``cfg`` where ``key`` is computed by ``compute`` the first time it is read (e.g. the
    mainline from git, only by the commands that need it), its source named ``source``."""
    return Config(root=cfg.root, values=_Later(cfg.values, {key: compute}),
                  sources={**cfg.sources, key: source}, path=cfg.path)


def load_config(
    root: Path,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """Resolve every setting for the repository at ``root``."""
    environ = environ or {}
    path, text, data = _read_file(root)
    values: dict[str, Any] = {k: s.default for k, s in SETTINGS.items()}
    sources: dict[str, str] = {}
    for key, value in _flatten(data, text).items():
        values[key] = _checked(SETTINGS[key], value, text, origin=str(path))
        sources[key] = "file"
    for setting in SETTINGS.values():
        if setting.env and setting.env in environ:
            values[setting.key] = _from_env(setting, environ[setting.env])
            sources[setting.key] = "env"
    for key, value in (overrides or {}).items():
        if key not in SETTINGS:
            raise ConfigError(f"unknown setting {key!r}", hint="see `hotfix config --list`")
        values[key] = _checked(SETTINGS[key], value, "", origin="the command line")
        sources[key] = "cli"
    return Config(root=root, values=values, sources=sources, path=path)


def _read_file(root: Path) -> tuple[Path | None, str, dict[str, Any]]:
    own = root / CONFIG_FILE
    if own.is_file():
        text = _read_text(own)
        return own, text, _parse(own, text)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        text = _read_text(pyproject)
        tool = _parse(pyproject, text).get("tool", {})
        section = tool.get("hotfix") if isinstance(tool, dict) else None
        if isinstance(section, dict):
            return pyproject, text, section
    return None, "", {}


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start:exc.start + 1]
        name = path.name
        raise ConfigError(
            f"{name} is not UTF-8 text (byte {bad!r} at offset {exc.start})",
            hint=f"save {path} as UTF-8, as TOML requires, e.g. iconv -f latin1 -t utf-8 "
            f"{name} > {name}.utf8 && mv {name}.utf8 {name}",
        ) from None


def _parse(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path.name} is not valid TOML: {exc}",
            hint=f"fix the line named above in {path}, or move the file away and run `hotfix init`",
        ) from None


def _flatten(data: Mapping[str, Any], text: str, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in data.items():
        key = f"{prefix}{name}"
        if key in SETTINGS:
            out[key] = value
        elif isinstance(value, dict) and any(k.startswith(key + ".") for k in SETTINGS):
            out.update(_flatten(value, text, key + "."))
        else:
            raise ConfigError(
                f"unknown setting {key!r}{_at_line(text, key)}",
                hint=_closest_hint(key),
            )
    return out


def _checked(setting: Setting, value: Any, text: str, *, origin: str) -> Any:
    if _fits(setting.kind, value):
        return float(value) if setting.kind is float else value
    raise ConfigError(
        f"setting {setting.key!r}{_at_line(text, setting.key)} in {origin} must be "
        f"{setting.kind.__name__}, got {type(value).__name__} {value!r}",
        hint=f"{setting.key}: {setting.help} (default {setting.default!r})",
    )


def _fits(kind: type, value: Any) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, kind)


def _from_env(setting: Setting, raw: str) -> Any:
    try:
        if setting.kind is bool:
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if setting.kind in (int, float):
            return setting.kind(raw)
        if setting.kind is list:
            return [part.strip() for part in raw.split(",") if part.strip()]
    except ValueError:
        raise ConfigError(
            f"environment variable {setting.env}={raw!r} is not a {setting.kind.__name__}",
            hint=f"unset {setting.env} or give it a {setting.kind.__name__}",
        ) from None
    if setting.kind is not str:
        raise ConfigError(f"{setting.env} cannot set the {setting.kind.__name__} {setting.key}")
    return raw


def _at_line(text: str, key: str) -> str:
    leaf = re.escape(key.rsplit(".", 1)[-1])
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*(\[+\s*)?([\w.]*\.)?{leaf}\s*(=|\])", line):
            return f" (line {number})"
    return ""


def _closest_hint(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(SETTINGS), n=1)
    if close:
        return f"did you mean {close[0]!r}? `hotfix config --list` shows every setting"
    return "`hotfix config --list` shows every setting"


def by_section(settings: Iterable[Setting]) -> Iterator[tuple[Setting, bool]]:
    """Each setting, and whether it opens a new ``[section]``: grouped by section, in the
    order sections first appear (a TOML table may be declared only once)."""
    listed = list(settings)
    first: dict[str, int] = {}
    for n, setting in enumerate(listed):
        first.setdefault(setting.key.rpartition(".")[0], n)
    section = None
    for setting in sorted(listed, key=lambda s: first[s.key.rpartition(".")[0]]):
        head = setting.key.rpartition(".")[0]
        yield setting, head != section
        section = head


def render_toml_value(value: Any) -> str:
    """TOML for a default value (inline tables, one per line in arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dict):
        inner = ", ".join(f"{_toml_key(k)} = {render_toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            rows = "".join(f"    {render_toml_value(v)},\n" for v in value)
            return "[\n" + rows + "]"
        return "[" + ", ".join(render_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot render {value!r} as TOML")


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else render_toml_value(key)


def commented_template() -> str:
    """The text ``hotfix init`` writes: every setting, commented out at its default."""
    lines = [
        "# hotfix configuration. Every key is optional; the value shown is the default.",
        "# Uncomment a key to change it. Reference: docs/configuration.md",
        "",
    ]
    for setting, new_section in by_section(CATALOG):
        head, _, leaf = setting.key.rpartition(".")
        if new_section:
            lines += ["", f"[{head}]"]
        lines += [f"# {line}" for line in setting.help.splitlines()]
        if setting.env:
            lines.append(f"# environment: {setting.env}")
        rendered = f"{leaf} = {render_toml_value(setting.default)}"
        lines += [f"# {line}" for line in rendered.splitlines()]
        if setting.key in STARTER:
            lines += ["# a new project starts with:",
                      *f"{leaf} = {render_toml_value(STARTER[setting.key])}".splitlines()]
    return "\n".join(lines) + "\n"
