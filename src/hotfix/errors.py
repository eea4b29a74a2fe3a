"""One error tree for the whole of hotfix.

Every failure a user can meet is a ``HotfixError`` carrying the process exit code and a
hint: the exact command or change that fixes it. Adapters translate low-level failures
(``CalledProcessError``, database errors) into these at their boundary; the CLI and the API
each have one handler that renders them.

    HotfixError                exit 1   refused or user error
    ├── NotFound               exit 1   an unknown HF id, tag, commit, file
    ├── GuardRefused           exit 1   the lifecycle forbids this transition now
    ├── PolicyViolation        exit 1   scope, template or approval policy says no
    ├── ChainBroken            exit 1   the timeline's hash chain does not verify
    ├── GitError               exit 1   git refused; shows command, code and stderr
    ├── StoreError             exit 1   the database refused or is unreachable
    │   └── SchemaTooNew       exit 1   the database was written by a newer hotfix
    ├── ConflictError          exit 1   a cherry-pick or backport stopped on a conflict
    │   └── ZoneChanged        exit 1   a content zone changed since the change was drafted:
    │                                   names the record it shows now (HTTP 409)
    ├── NotConfigured          exit 1   a step needs a setting that is empty, or names a
    │                                   program that is not installed
    ├── DeployCommandFailed    exit 1   the team's deploy script failed
    │                                   (hotfix.adapters.deploy.command)
    ├── UnhealthyInstance      exit 1   an instance failed its health check and got no traffic
    │                                   (hotfix.adapters.deploy.local)
    ├── RouterError            exit 1   the router refused a change or is not running
    │                                   (hotfix.adapters.routers)
    ├── NotAuthenticated       exit 1   no, an unknown, expired or revoked token (HTTP 401)
    ├── Forbidden              exit 1   the user's roles do not allow it (HTTP 403)
    ├── ServerUnavailable      exit 1   the team server cannot be reached or failed
    ├── LoginRequired          exit 1   a dashboard page without a session (a redirect to
    │                                   sign in)
    ├── CIError                exit 1   the team's CI failed or answered unusably
    │                                   (hotfix.adapters.ci)
    ├── MetricsQueryError      exit 1   the team's monitoring (Prometheus, Datadog, New Relic)
    │                                   failed or answered unusably (hotfix.adapters.metrics)
    ├── RollbackFailed         exit 1   the release to return to did not start or take the
    │                                   traffic; production stayed
    │                                   (hotfix.services.rollout.roll_back)
    ├── BackupFailed           exit 1   the backup before a deploy failed; the deploy did not
    │                                   start (hotfix.services.rollout.backup)
    ├── DeliveryFailed         exit 1   a notification channel did not take a notice: retried
    │                                   later, or a dead letter when ``permanent``
    │                                   (hotfix.adapters.notify)
    └── UsageError             exit 2   bad arguments or input
        └── ConfigError        exit 2   hotfix.toml is malformed (names key and line)

Two exits are the CLI's own, not represented here: any other exception is a bug in hotfix
(exit 3, error ``internal_error``, with the path of a crash log to attach), and Ctrl-C
exits 130.
"""

from __future__ import annotations


class HotfixError(Exception):
    """A failure the user can act on. ``hint`` says how."""

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    @property
    def kind(self) -> str:
        """A stable, machine-readable name for the error (used by --json and the API)."""
        name = type(self).__name__
        return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")

    def to_dict(self) -> dict[str, object]:
        return {"error": self.kind, "message": self.message, "hint": self.hint}


class NotFound(HotfixError):
    pass


class GuardRefused(HotfixError):
    pass


class PolicyViolation(HotfixError):
    pass


class ChainBroken(HotfixError):
    """The timeline was changed after it was written: its hash chain does not verify."""


class GitError(HotfixError):
    pass


class StoreError(HotfixError):
    pass


class SchemaTooNew(StoreError):
    pass


class ConflictError(HotfixError):
    pass


class ZoneChanged(ConflictError):
    """Another publish (or a revert) moved the zone first: the message names what it shows
    now; nothing of this change was published."""


class NotConfigured(HotfixError):
    """A step needs a setting that is empty, or that names a program that is not installed;
    the message names the setting, the hint the line that sets it."""


class NotAuthenticated(HotfixError):
    """The team server does not know who is asking: no token, or one it does not accept."""


class Forbidden(HotfixError):
    """The user is known but none of their roles allows the action; the message names the
    roles that would."""


class ServerUnavailable(HotfixError):
    """The team server is unreachable, went away mid-request, or failed (HTTP 5xx)."""


class DeliveryFailed(HotfixError):
    """A channel did not take a notice. ``permanent``: retrying the same notice cannot help
    (the receiver refused it), so it becomes a dead letter; else it is retried later, not
    before ``retry_after`` seconds when the receiver said so (HTTP ``Retry-After``)."""

    def __init__(self, message: str, *, hint: str | None = None, permanent: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(message, hint=hint)
        self.permanent = permanent
        self.retry_after = retry_after


class UsageError(HotfixError):
    exit_code = 2


class ConfigError(UsageError):
    pass


class LoginRequired(HotfixError):
    """No valid dashboard session: the page redirects to the sign-in form."""


class CIError(HotfixError):
    """The CI system failed or answered in a way hotfix cannot use."""


class MetricsQueryError(HotfixError):
    """The team's monitoring failed or answered unusably (a bad query, a 5xx after retries)."""
