"""The bug's own check for ``hotfix verify``: which one runs, and how.

Given by the caller (the command line, at this run), a check runs as given. Kept on the
record, a name is looked up again in the repository's configuration
(``[verify.bug_checks.NAME]``, committed) and a request is sent again, to production only;
a command read from the record is never run: whoever can write the shared database could
have put it there. Such a check fails with the way to run it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from hotfix.adapters.deploy.checks import CheckResult, command_check, http_check
from hotfix.domain.rollout.bug_check import HTTP_KEYS, named_problem
from hotfix.domain.rollout.check_paths import PATH_HINT, path_problem
from hotfix.errors import ConfigError, UsageError
from hotfix.services.context import Context

_EXAMPLE = '[verify.bug_checks.eu-checkout] command = ["pytest", "tests/test_eu_checkout.py"]'


def run_bug_check(ctx: Context, key: str, check: Mapping[str, Any], *, given: bool, url: str,
                  timeout: float, env: Mapping[str, str] | None = None
                  ) -> tuple[CheckResult, dict[str, Any]]:
    """Run ``check`` (``given`` at this run, else read from the record): the result, and
    what the ``verify`` event says of it (its name, the command as run). A command also
    sees ``env``."""
    name = str(check["name"]) if "name" in check else None
    spec = spec_of(ctx, check, given=given)
    said: dict[str, Any] = {"name": name, "from": "config" if name else
                            "command line" if given else "record"}
    if "command" in spec:
        said["command"] = spec["command"]
        if name is None and not given:
            return _not_rerun(key, spec["command"]), {**said, "ran": False}
        result = command_check(ctx.root, spec, url, timeout, env)
    else:
        result = http_check(url, spec, "bug", timeout)
    if name is not None:
        result = replace(result, name=f"{name}: {result.name}")
    return result, {**said, "ran": True}


def spec_of(ctx: Context, check: Mapping[str, Any], *, given: bool) -> dict[str, Any]:
    """The check ``check`` stands for: a name looked up in the configuration, a request
    checked (``UsageError`` when ``given`` at this run, else ``ConfigError``); nothing runs."""
    name = str(check["name"]) if "name" in check else None
    spec = named(ctx, name) if name is not None else dict(check)
    if "command" in spec:
        return spec
    where = f"verify.bug_checks.{name}" if name else "the bug check"
    return http_spec(spec, where, UsageError if given else ConfigError)


def named(ctx: Context, name: str) -> dict[str, Any]:
    """``[verify.bug_checks.NAME]`` of the configuration."""
    table = ctx.cfg.table("verify.bug_checks")
    if name not in table:
        known = ", ".join(sorted(table)) or "none yet"
        raise ConfigError(f"no bug check named {name!r} in verify.bug_checks (known: {known})",
                          hint=f"add it to hotfix.toml and commit it: {_EXAMPLE}")
    problem = named_problem(name, table[name])
    if problem is not None:
        raise ConfigError(problem, hint=f"e.g. {_EXAMPLE}, or path = \"/checkout\"")
    return dict(table[name])


def http_spec(item: Any, where: str, error: type[UsageError] = ConfigError) -> dict[str, Any]:
    """A smoke or bug request, checked: known keys, a path on production."""
    if not isinstance(item, Mapping) or "path" not in item:
        raise error(f"{where} must be a table with at least a path, got {item!r}",
                    hint='e.g. { method = "GET", path = "/health", status = 200 }')
    unknown = sorted(set(item) - set(HTTP_KEYS))
    if unknown:
        raise error(f"{where}: unknown key {unknown[0]!r}; known: {', '.join(HTTP_KEYS)}")
    problem = path_problem(item["path"])
    if problem is not None:
        raise error(f"{where}: {problem}", hint=PATH_HINT)
    return {"method": "GET", "status": 200, "match": "", **item}


def _not_rerun(key: str, command: Any) -> CheckResult:
    shown = command if isinstance(command, str) else " ".join(str(a) for a in command)
    return CheckResult(shown, "bug", False,
                       "not run: a command read from the record is never run again; name it "
                       f"in hotfix.toml ({_EXAMPLE}) and run hotfix verify {key} --bug-check "
                       f"eu-checkout, or give it again: hotfix verify {key} --bug-command "
                       "'...'", 0.0)
