"""The CLI suite's second mode: every command acts through a real team server.

A module marked ``pytest.mark.both_modes`` runs each of its tests twice: once with the
record in the repository (``local``), once signed in to a team server (``client``) that a
test never sees. The server plays the team's admin:

- its settings for the project are the repository's ``hotfix.toml`` (an admin copies the
  team's policy to the server; when a test rewrites the file, the server is restarted on the
  same database, as after an admin's edit);
- who may approve is a role in its database, given to the people the repository's
  ``approvals.approvers`` (or ``HOTFIX_APPROVERS``) names, or to everyone when it names
  nobody (locally: anyone but the requester may approve);
- ``--as EMAIL`` on a command becomes EMAIL's own token (``--as`` itself is refused in client
  mode: who acts is the signed-in user); without ``--as``, the token of the repository's
  ``git config user.email``.

So one test asserts one behaviour, and the record being remote changes nothing a user sees
but where it is kept.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MODES = ("local", "client")
POLICY_FILES = ("hotfix.toml", "pyproject.toml")  # where a repository's settings are read
# the server's own background delivery and schedules are left to the tests' commands
# (hotfix notify run), so what a command delivers does not race a job's tick
QUIET_JOBS = {"jobs.deliver_every": 3600.0, "jobs.schedule_every": 3600.0}


@dataclass
class _Running:
    serving: Any  # tests.server.live.Serving
    parts: Any  # ServerParts

    @property
    def url(self) -> str:
        return str(self.serving.url)


@dataclass
class TeamServer:
    """A team server started on first use, restarted when the repository's policy changes."""

    directory: Path
    database_url: str
    running: _Running | None = None
    policy: dict[str, bytes] | None = None  # the repository's files the server started on
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)  # (email, role) → secret

    def sign_in(self, who: str | None, cwd: Path) -> dict[str, str]:
        """The environment that signs ``who`` (default: git's user.email in ``cwd``) in to
        the server, started or restarted on the policy of ``cwd``'s repository."""
        repo = _toplevel(cwd)
        policy = {name: (repo / name).read_bytes() for name in POLICY_FILES
                  if (repo / name).is_file()}
        if self.running is None or policy != self.policy:
            self._restart(policy)
        assert self.running is not None
        email = (who or _git_email(cwd) or "dev@example.com").strip().lower()
        role = "approver" if self._approves(repo, email) else "engineer"
        return {"HOTFIX_SERVER": self.running.url, "HOTFIX_TOKEN": self._token(email, role)}

    def _approves(self, repo: Path, email: str) -> bool:
        from hotfix.config import load_config
        from hotfix.errors import ConfigError

        try:
            named = [str(e).strip().lower()
                     for e in load_config(repo, dict(os.environ)).list("approvals.approvers")]
        except ConfigError:  # the command itself will say what is wrong with it
            named = []
        return not named or email in named

    def _token(self, email: str, role: str) -> str:
        from hotfix.services.identity.users import add_user

        assert self.running is not None
        key = (email, role)
        if key not in self.tokens:
            parts = self.running.parts
            self.tokens[key] = add_user(parts.identities, email, role, "*",
                                        parts.clock.now()).secret
        return self.tokens[key]

    def _restart(self, policy: dict[str, bytes]) -> None:
        from hotfix.errors import ConfigError
        from hotfix.services.identity.users import add_user
        from hotfix.wiring import open_server
        from tests.server.live import serve

        self.policy = policy
        self.directory.mkdir(parents=True, exist_ok=True)
        for name in POLICY_FILES:
            (self.directory / name).unlink(missing_ok=True)
            if name in policy:
                (self.directory / name).write_bytes(policy[name])
        try:
            settings, parts = open_server(  # the channels' secrets are the server's too
                self.directory, {**os.environ, "HOTFIX_DATABASE_URL": self.database_url},
                QUIET_JOBS)
        except ConfigError:  # a policy the server cannot read: it keeps the one it runs on
            if self.running is None:  # (or starts on the defaults); the CLI says what is wrong
                self._restart({})
            self.policy = policy
            return
        self.stop()
        if not self.tokens:  # an empty database refuses to serve until an admin exists
            self.tokens[("admin@team.example", "admin")] = add_user(
                parts.identities, "admin@team.example", "admin", "*", parts.clock.now()).secret
        self.running = _Running(serve(settings, parts), parts)

    def stop(self) -> None:
        if self.running is None:
            return
        self.running.serving.stop()
        self.running = None


class SignedRecords:
    """A test's direct writes to the record in client mode: each one signed in as its actor
    (the server takes who acts from the token, never from a parameter)."""

    def __init__(self, team: TeamServer, path: Path) -> None:
        self.team, self.path = team, path

    def _as(self, actor: str | None) -> Any:
        from hotfix.wiring import open_context
        from tests.contexts import kept

        return kept(open_context(self.path, self.team.sign_in(actor, self.path))).records

    def open(self, title: str, actor: str, *args: Any, **kwargs: Any) -> Any:
        return self._as(actor).open(title, actor, *args, **kwargs)

    def triage(self, key: str, actor: str, *args: Any, **kwargs: Any) -> Any:
        return self._as(actor).triage(key, actor, *args, **kwargs)

    def act(self, key: str, action: str, actor: str, *args: Any, **kwargs: Any) -> Any:
        return self._as(actor).act(key, action, actor, *args, **kwargs)

    def log_time(self, key: str, actor: str, *args: Any, **kwargs: Any) -> Any:
        return self._as(actor).log_time(key, actor, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:  # reading: as the repository's git user
        return getattr(self._as(None), name)


def _toplevel(cwd: Path) -> Path:
    done = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=cwd,
                          capture_output=True, text=True, check=False)
    return Path(done.stdout.strip()) if done.returncode == 0 else cwd


def _git_email(cwd: Path) -> str:
    done = subprocess.run(["git", "config", "user.email"], cwd=cwd, capture_output=True,
                          text=True, check=False)
    return done.stdout.strip()


def split_as(args: tuple[str, ...]) -> tuple[list[str], str | None]:
    """``args`` without ``--as EMAIL`` (or ``--as=EMAIL``), and EMAIL."""
    out: list[str] = []
    who: str | None = None
    items = iter(args)
    for arg in items:
        if arg == "--as":
            who = next(items, None)
        elif arg.startswith("--as="):
            who = arg.removeprefix("--as=")
        else:
            out.append(arg)
    return out, who
