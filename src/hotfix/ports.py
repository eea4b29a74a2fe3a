"""Protocols for the outside systems hotfix drives, and the plain values they exchange.

Time: a ``Clock`` tells the time and waits; services never call ``time`` or ``datetime``
themselves, so tests run them on a manual clock (``hotfix.adapters.clock.ManualClock``).

The record: services change and read hotfixes only through ``Records``, at the level of the
action (plain data in, a ``Hotfix`` or a ``HotfixError`` out), so whoever implements it
decides guards and approvals with its own settings: ``hotfix.services.record.records.LocalRecords``
over an ``EventLog`` (SQLite, PostgreSQL, or ``hotfix.adapters.store.memory`` for tests), and
later a client of the team server. ``Cache`` keeps what is derived from commits by SHA;
``Waivers`` keeps the audit's waivers that belong to no hotfix.

Git: a ``GitRepo`` is one repository, bound to its root: what services ask of git, grouped
by git concept (revisions, refs, history, content, worktrees and their status, picking,
releasing). The real one is ``hotfix.adapters.git.repo.Git``; services get it as ``ctx.git``.

Rollout: a ``DeployTarget`` runs versions of the app, a ``Router`` splits traffic between
them by weight, a ``MetricsSource`` reports what each request did, ``RolloutStates`` keeps
the rollout's state across controllers and ``Controllers`` tells whether the controller
that wrote it still runs. ``hotfix.wiring`` builds them from the settings (typed
registries ``TARGETS``, ``ROUTERS``, ``METRICS``) and hands them to services as one
``RolloutAdapters`` on the context; a fake beside each real backend passes the same
contract tests (``adapters/deploy/fake.py``, ``adapters/routers/fake.py``,
``adapters/metrics/fake.py``). The canary judge is seen through ``JudgeLike``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from hotfix.domain.rollout.state import ControllerId, DeployState, Fleet
from hotfix.domain.rollout.state import Instance as Instance  # noqa: PLC0414  (a port value)

if TYPE_CHECKING:  # numpy is imported by the commands that judge, not by every command
    import numpy as np
    import numpy.typing as npt

if TYPE_CHECKING:
    from hotfix.domain.audit.equivalence import Waiver
    from hotfix.domain.record.events import ChainReport, Event
    from hotfix.domain.record.lifecycle import Hotfix
    from hotfix.domain.record.timing import TimeReport

from hotfix.domain.checks.diffs import FileChange
from hotfix.domain.release.notes import NoteEntry


class Clock(Protocol):
    """Wall time, a monotonic timer, and waiting."""

    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...

    def time(self) -> float:
        """Seconds since the epoch, as ``time.time()``."""
        ...

    def monotonic(self) -> float:
        """A timer that never goes back, for durations and deadlines."""
        ...

    def sleep(self, seconds: float) -> None: ...


# --- git ------------------------------------------------------------------------------------

_PICKED = re.compile(r"\(cherry picked from commit ([0-9a-f]{7,64})\)")
_BACKPORT = re.compile(r"^Backport-Of:\s*([0-9a-f]{7,64})\s*$", re.M)

RawCommit = tuple[str, tuple[str, ...]]  # (message, touched files)


@dataclass(frozen=True)
class Commit:
    sha: str
    subject: str
    body: str

    def sources(self) -> set[str]:
        """The commits this one says it was picked or backported from."""
        return set(_PICKED.findall(self.body)) | set(_BACKPORT.findall(self.body))

    def origin(self) -> str:
        """The original fix this commit came from (its last ``-x`` line), else itself."""
        found = _PICKED.findall(self.body)
        return found[-1] if found else self.sha


@dataclass(frozen=True)
class Worktree:
    path: Path
    head: str | None
    branch: str | None  # short name, None when detached
    prunable: bool  # its directory is gone


@dataclass(frozen=True)
class Applied:
    """A change applied to a work tree's index, not committed yet."""

    status: str  # "applied" | "empty" | "conflict"
    files: tuple[str, ...] = field(default_factory=tuple)  # conflicted files


class GitRevisions(Protocol):
    """Names → commits (always after ``--end-of-options``), and the repository's place."""

    @property
    def root(self) -> Path:
        """The top of the work tree this repository was opened at."""
        ...

    def home(self) -> Path:
        """The main work tree (the same from every linked worktree)."""
        ...

    def config_value(self, key: str) -> str | None: ...

    def commit_of(self, rev: str) -> str | None:
        """The full sha of the commit ``rev`` names, or None."""
        ...

    def require_commit(self, rev: str, hint: str | None = None) -> str:
        """The full sha of the commit ``rev`` names; ``NotFound`` with ``hint`` otherwise."""
        ...

    def lookup(self, rev: str) -> tuple[str, list[str], str]:
        """(sha, parents, message) of the commit ``rev`` names."""
        ...

    def head_of(self, tree: Path) -> str:
        """The commit checked out in the work tree ``tree``."""
        ...

    def is_ancestor(self, ancestor: str, descendant: str) -> bool: ...

    def merge_base(self, *revisions: str) -> str | None: ...

    def nearest_tag(self, rev: str) -> str | None:
        """The newest tag reachable from ``rev``, None when there is none."""
        ...


class GitRefs(Protocol):
    """Tags, branches and remotes."""

    def tags(self) -> dict[str, str]:
        """Every local tag → the commit it names."""
        ...

    def branches(self) -> list[str]:
        """Local branches and remote-tracking ones (``remotes/origin/…``)."""
        ...

    def branch_exists(self, branch: str) -> bool: ...

    def tag_commit(self, tag: str) -> str | None: ...

    def ref_kind(self, name: str) -> str:
        """``"local"`` branch, ``"remote"``-tracking branch, or ``"tag"``."""
        ...

    def check_ref_name(self, name: str, kind: str = "branch") -> None:
        """``UsageError`` when git would refuse ``name``."""
        ...

    def require_full_history(self) -> None:
        """``UsageError`` in a shallow clone."""
        ...

    def has_remote(self, remote: str) -> bool: ...

    def remote_refs(self, remote: str) -> list[str]:
        """Tag names and ``hotfix/`` branch names on ``remote``."""
        ...


class GitHistory(Protocol):
    """Commits: messages, touched files, patch-ids, and which changes a branch has."""

    def commits(self, rev_range: str, *, tree: Path | None = None,
                extra: Sequence[str] = ()) -> list[Commit]:
        """Commits of ``rev_range``, oldest first (``HEAD`` is ``tree``'s when given)."""
        ...

    def read_commit(self, rev: str, *, tree: Path | None = None) -> Commit: ...

    def changed_files(self, sha: str) -> list[str]: ...

    def rev_list(self, include: str, exclude: Iterable[str] = ()) -> list[str]:
        """Non-merge commits of ``include`` not in ``exclude``, oldest first."""
        ...

    def read_commits(self, shas: Sequence[str]) -> dict[str, RawCommit]:
        """Message and touched files of many commits, in one git process."""
        ...

    def tags_containing(self, sha: str) -> list[str]: ...

    def patch_ids(self, shas: Sequence[str]) -> dict[str, str]:
        """``git patch-id --stable`` of each commit (``""`` for an empty diff)."""
        ...

    def diffs(self, shas: Sequence[str]) -> dict[str, str]:
        """The patch of each commit."""
        ...

    def already_on(self, upstream: str, head: str, limit: str) -> set[str]:
        """The commits of ``limit..head`` whose change ``upstream`` has (``git cherry``)."""
        ...

    def all_landed(self, upstream: str, head: str) -> bool:
        """Every commit of ``head`` has its change in ``upstream``."""
        ...


class GitContent(Protocol):
    """Diffs between commits and files at a commit (what the checks analyse)."""

    def diff(self, base: str, head: str) -> list[FileChange]: ...

    def changed_paths(self, base: str, head: str) -> list[str]: ...

    def python_files(self, commit: str) -> list[str]: ...

    def read_files(self, commit: str, paths: Sequence[str]) -> dict[str, str | None]:
        """Text of each path at ``commit`` (None: absent, binary or not UTF-8)."""
        ...


class GitWorktrees(Protocol):
    """Linked worktrees under ``.hotfix/``, and what a work tree holds uncommitted."""

    def worktree_path(self, name: str) -> Path:
        """``<root>/.hotfix/worktrees/<name>``."""
        ...

    def worktree_of(self, branch: str) -> Worktree | None: ...

    def hotfix_worktrees(self, key: str) -> list[Worktree]: ...

    def add_worktree(self, path: Path, branch: str, start: str | None) -> None:
        """A worktree on ``branch``, created at ``start`` if given."""
        ...

    def repair_worktree(self, path: Path, branch: str) -> None: ...

    def remove_worktree(self, path: Path) -> None: ...

    def require_worktree(self, path: Path, branch: str, key: str) -> Path:
        """``path``; ``NotFound`` when it was deleted or moved by hand."""
        ...

    def detached(self, commit: str, purpose: str) -> AbstractContextManager[Path]:
        """A throw-away worktree at ``commit`` under ``.hotfix/<purpose>/``."""
        ...

    def busy_with(self, branch: str) -> Path | None:
        """A worktree in the middle of a rebase or bisect of ``branch``."""
        ...

    def uncommitted(self, tree: Path) -> list[str]:
        """Tracked files with staged or unstaged changes (untracked ones do not count)."""
        ...

    def local_changes(self, tree: Path) -> list[str]:
        """Changed tracked files and untracked files: everything ``git status`` shows."""
        ...

    def has_staged(self, tree: Path) -> bool: ...

    def unmerged(self, tree: Path) -> list[str]: ...


class GitPicking(Protocol):
    """Cherry-picks into a work tree, committed by ``git commit`` (hooks run)."""

    def message_for(self, source: str, trailers: Mapping[str, str],
                    original: str | None = None) -> str: ...

    def apply(self, tree: Path, source: str, mainline: int | None = None) -> Applied: ...

    def keep_ours(self, tree: Path, paths: Iterable[str]) -> None: ...

    def abort(self, tree: Path) -> None: ...

    def commit(self, tree: Path, message: str, *, what: str, retry: str) -> str: ...

    def require_resolved(self, tree: Path, retry: str) -> None: ...

    def conflict_markers(self, base: str, head: str) -> list[str]: ...

    def staged_markers(self, tree: Path) -> list[str]: ...


class GitReleasing(Protocol):
    """Release files in a work tree, tags, and moving and pushing branches."""

    def bump_versions(self, tree: Path, patterns: list[str], new: str) -> dict[str, str]: ...

    def write_notes(self, tree: Path, changelog: str, *, tag: str, day: str, title: str,
                    entries: Iterable[NoteEntry]) -> list[NoteEntry]: ...

    def stage(self, tree: Path, paths: Iterable[str]) -> None: ...

    def release_paths(self, tree: Path, patterns: list[str], changelog: str) -> set[str]: ...

    def sign_wanted(self) -> bool: ...

    def create_tag(self, tag: str, commit: str, message: str, *,
                   sign: bool | None = None) -> bool: ...

    def swap(self, branch: str, new: str, old: str) -> bool:
        """Point ``branch`` at ``new`` if it still is ``old``; False when it moved."""
        ...

    def fast_forward(self, tree: Path, rev: str) -> str | None:
        """``git merge --ff-only`` in ``tree``; None when done, else git's reason."""
        ...

    def push_atomic(self, remote: str, refspecs: Sequence[str]) -> str | None:
        """Push all or nothing (never forced); None when done, else git's reason."""
        ...


class GitRepo(GitRevisions, GitRefs, GitHistory, GitContent, GitWorktrees, GitPicking,
              GitReleasing, Protocol):
    """What services need of git: one repository, bound to its root."""


# ── rollout ──────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Split:
    """Which addresses serve each version, and each version's share of requests (percent)."""

    backends: Mapping[str, tuple[str, ...]]
    weights: Mapping[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {"backends": {v: list(a) for v, a in self.backends.items()},
                "weights": dict(self.weights)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Split:
        return cls({str(v): tuple(str(x) for x in a) for v, a in d["backends"].items()},
                   {str(v): float(w) for v, w in d["weights"].items()})

    def weight(self, version: str) -> float:
        return float(self.weights.get(version, 0.0))


def _floats() -> npt.NDArray[np.float64]:
    import numpy as np

    return np.zeros(0)


def _bools() -> npt.NDArray[np.bool_]:
    import numpy as np

    return np.zeros(0, dtype=bool)


@dataclass(frozen=True)
class Observations:
    """Requests in time order, one row each (since the last poll, or a whole recorded log)."""

    t: npt.NDArray[np.float64] = field(default_factory=_floats)
    canary: npt.NDArray[np.bool_] = field(default_factory=_bools)
    ok: npt.NDArray[np.bool_] = field(default_factory=_bools)
    latency_ms: npt.NDArray[np.float64] = field(default_factory=_floats)

    def __len__(self) -> int:
        return int(self.t.shape[0])

    @property
    def canary_count(self) -> int:
        return int(self.canary.sum())

    @property
    def baseline_count(self) -> int:
        return len(self) - self.canary_count


@dataclass(frozen=True)
class RequestLogFile:
    """A file in which a router logs every request it serves, and how to read it.

    ``format`` names the reader (``builtin``: one JSON object per request; ``nginx``: the
    JSON access log, one object per request with every upstream attempt). ``addresses``
    maps backend addresses to versions when the log names addresses only."""

    path: Path
    format: str
    addresses: Path | None = None


class DeployTarget(Protocol):
    """Where versions run."""

    name: str

    def start(self, version: str, count: int) -> list[Instance]:
        """Start ``count`` healthy instances of ``version`` (tag); raise if any is unhealthy."""
        ...

    def stop(self, instances: Sequence[Instance]) -> None:
        """Stop the instances and everything they started; no orphans."""
        ...

    def alive(self, instance: Instance) -> bool:
        """Whether ``instance`` still runs (also one read back from ``Instance.to_dict``)."""
        ...


class Router(Protocol):
    """How traffic is split between versions."""

    name: str

    def ensure(self) -> None:
        """Start the router if it is not running (with the split it last had)."""
        ...

    def apply(self, split: Split) -> None:
        """Make ``split`` live at once; on failure the previous split stays live."""
        ...

    def current(self) -> Split | None:
        """The live split, or None when the router is not running."""
        ...

    def drain(self, version: str, timeout: float) -> bool:
        """Wait until no request to ``version`` is in flight; False on timeout."""
        ...

    def stop(self) -> None: ...

    def request_log(self) -> RequestLogFile | None:
        """Where the router logs every request it serves; None when it observes none."""
        ...

    @property
    def url(self) -> str:
        """Where clients send requests, e.g. http://127.0.0.1:8080."""
        ...


class MetricsSource(Protocol):
    """What each request did, per version."""

    def poll(self) -> Observations:
        """Requests since the last poll (or since ``cursor`` given at construction)."""
        ...

    def cursor(self) -> dict[str, Any]:
        """A JSON-safe mark: a new source built with it replays everything after it."""
        ...


# -- The record ----------------------------------------------------------------------------

class Records(Protocol):
    """Every hotfix record, changed only by actions that the implementation decides.

    Callers pass what a person asked for; the implementation evaluates the lifecycle, the
    triage rubric and the approval policy with its own settings, so a requester's machine
    never decides its own approvals. A refused action raises ``GuardRefused``, an unknown
    id ``NotFound``, a malformed one ``UsageError``."""

    @property
    def location(self) -> str:
        """Where the record is kept, for people (a database URL without its password)."""
        ...

    def open(self, title: str, actor: str,
             answers: Mapping[str, Any] | None = None) -> Hotfix:
        """Record a new bug; triage it at once when the required answers are given."""
        ...

    def triage(self, key: str, actor: str, answers: Mapping[str, Any]) -> Hotfix:
        """(Re-)triage with new answers, merged over the answers given before."""
        ...

    def act(self, key: str, action: str, actor: str, payload: Mapping[str, Any],
            override: str | None = None) -> Hotfix:
        """Do ``action`` if the lifecycle allows it, or an approver forces it with the
        ``override`` reason; record it, and return the record as it is after."""
        ...

    def log_time(self, key: str, actor: str, duration: str, note: str = "") -> Hotfix:
        """Log active work (``45m``, ``1h30m``, ``1.5h``; a bare number is minutes)."""
        ...

    def get(self, key: str) -> Hotfix:
        """The record, derived from its events (``.events`` is its timeline)."""
        ...

    def timing(self, key: str) -> TimeReport:
        """Wall time per state and logged work, up to now."""
        ...

    def verify(self, key: str) -> ChainReport:
        """Recompute the record's hash chain against its recorded head."""
        ...

    def list(self, states: Collection[str] | None = None) -> list[Hotfix]:
        """Every record (only those in ``states`` when given), oldest first."""
        ...


Draft = tuple[str, str, dict[str, Any]]  # (actor, kind, payload) of an event to append


class EventLog(Protocol):
    """The rows under a local ``Records``: hash-chained events, appended per hotfix under a
    lock. Services never use it; ``LocalRecords`` decides what to append while it holds
    the lock."""

    @property
    def location(self) -> str: ...

    def create(self, title: str, actor: str, at: datetime, payload: dict[str, Any]) -> Event:
        """A new hotfix (the next number) with its ``open`` event."""
        ...

    def append(self, number: int, decide: Callable[[list[Event]], list[Draft]],
               at: datetime) -> list[Event]:
        """Lock the record, let ``decide`` see its events and return new ones (or raise,
        which writes nothing), append them, and return them sealed."""
        ...

    def events(self, number: int) -> list[Event]: ...

    def head(self, number: int) -> tuple[int, str]:
        """(seq, hash) of the newest event, as the record says: catches removed events."""
        ...

    def all_events(self) -> dict[int, list[Event]]:
        """Every hotfix's events, by number, in order."""
        ...


class Cache(Protocol):
    """Derived data that never changes (facts of a commit, by SHA); safe to delete."""

    def get(self, namespace: str, keys: Iterable[str]) -> dict[str, str]:
        """The values found for ``keys``; keys never put are absent."""
        ...

    def put(self, namespace: str, items: Mapping[str, str]) -> None:
        """Keep ``items``; a key already there keeps its first value."""
        ...


class Waivers(Protocol):
    """``hotfix audit waive`` decisions that belong to no hotfix."""

    def add(self, waiver: Waiver) -> Waiver:
        """Record ``waiver``; the same again is a no-op, a different one for the same commit
        and line raises ``ConflictError`` (the first decision stands)."""
        ...

    def all(self) -> list[Waiver]:
        """Every waiver, oldest first."""
        ...


class Store(EventLog, Protocol):
    """One database as ``hotfix.wiring`` opens it from ``database.url``."""

    @property
    def cache(self) -> Cache: ...

    @property
    def waivers(self) -> Waivers: ...

    def close(self) -> None: ...
Addresses = Callable[[], Mapping[str, Sequence[str]]]  # version → its instances' addresses


class MetricsFactory(Protocol):
    """Opens a metrics source on one rollout's two versions."""

    def __call__(self, *, canary: str, baseline: str, instances: Addresses,
                 cursor: Mapping[str, Any] | None) -> MetricsSource:
        """``cursor`` (taken when the rollout began) replays since then; None: from now."""
        ...


class RolloutStates(Protocol):
    """The state of production and of each rollout, kept so a killed controller resumes."""

    def load_env(self) -> Fleet | None:
        """What production runs (the live version and its instances), if anything."""
        ...

    def save_env(self, live: Fleet | None) -> None: ...

    def load(self, key: str) -> DeployState | None: ...

    def save(self, state: DeployState) -> None: ...

    def rollout_keys(self) -> list[str]:
        """Every hotfix with a saved rollout, sorted."""
        ...


class Controllers(Protocol):
    """The processes that run rollouts: which one this is, whether another still runs."""

    def me(self) -> ControllerId: ...

    def alive(self, who: ControllerId) -> bool: ...

    def stop(self, who: ControllerId) -> None:
        """Ask the controller ``who`` to stop, and wait (bounded) until it has."""
        ...


class VerdictLike(Protocol):
    @property
    def decision(self) -> str: ...

    def to_dict(self) -> dict[str, Any]: ...


class JudgeLike(Protocol):
    def update(self, canary: npt.NDArray[np.bool_], ok: npt.NDArray[np.bool_],
               latency_ms: npt.NDArray[np.float64],
               expected_canary_share: float | None) -> VerdictLike: ...

    def finish(self) -> VerdictLike: ...


class RolloutAdapters(Protocol):
    """Everything a rollout drives, built from the ``rollout.*`` and ``judge.*`` settings."""

    @property
    def target(self) -> DeployTarget: ...

    @property
    def router(self) -> Router: ...

    @property
    def states(self) -> RolloutStates: ...

    @property
    def controllers(self) -> Controllers: ...

    def metrics(self, *, canary: str, baseline: str, instances: Addresses,
                cursor: Mapping[str, Any] | None) -> MetricsSource: ...

    def judge(self) -> JudgeLike:
        """A fresh judge with the repository's ``judge.*`` settings."""
        ...
