"""Protocols for the outside systems hotfix drives, and the plain values they exchange.

One module per concern — ``clock``, ``git``, ``record``, ``rollout``, ``notify`` — each
saying in its docstring who implements it; this package re-exports every name, so callers
write ``from hotfix.ports import Records``. ``hotfix.wiring`` builds the real adapters;
fakes ship beside them for tests.
"""

from hotfix.ports.clock import (
    Clock as Clock,
)
from hotfix.ports.content import (
    CatalogVersion as CatalogVersion,
)
from hotfix.ports.content import (
    ContentCatalogs as ContentCatalogs,
)
from hotfix.ports.content import (
    ContentImages as ContentImages,
)
from hotfix.ports.content import (
    KeptImage as KeptImage,
)
from hotfix.ports.git import (
    Applied as Applied,
)
from hotfix.ports.git import (
    Commit as Commit,
)
from hotfix.ports.git import (
    GitAnchors as GitAnchors,
)
from hotfix.ports.git import (
    GitContent as GitContent,
)
from hotfix.ports.git import (
    GitDates as GitDates,
)
from hotfix.ports.git import (
    GitHistory as GitHistory,
)
from hotfix.ports.git import (
    GitPicking as GitPicking,
)
from hotfix.ports.git import (
    GitRefs as GitRefs,
)
from hotfix.ports.git import (
    GitReleasing as GitReleasing,
)
from hotfix.ports.git import (
    GitRepo as GitRepo,
)
from hotfix.ports.git import (
    GitRevisions as GitRevisions,
)
from hotfix.ports.git import (
    GitWorktrees as GitWorktrees,
)
from hotfix.ports.git import (
    RawCommit as RawCommit,
)
from hotfix.ports.git import (
    Worktree as Worktree,
)
from hotfix.ports.identity import (
    ClientKey as ClientKey,
)
from hotfix.ports.identity import (
    Identities as Identities,
)
from hotfix.ports.identity import (
    Identity as Identity,
)
from hotfix.ports.identity import (
    SecurityEvent as SecurityEvent,
)
from hotfix.ports.identity import (
    TokenRecord as TokenRecord,
)
from hotfix.ports.identity import (
    UserView as UserView,
)
from hotfix.ports.notify import (
    Message as Message,
)
from hotfix.ports.notify import (
    Notice as Notice,
)
from hotfix.ports.notify import (
    NoticeWriter as NoticeWriter,
)
from hotfix.ports.notify import (
    Notifier as Notifier,
)
from hotfix.ports.notify import (
    NotifyAdapters as NotifyAdapters,
)
from hotfix.ports.notify import (
    Outbox as Outbox,
)
from hotfix.ports.notify import (
    Outgoing as Outgoing,
)
from hotfix.ports.published import (
    Publication as Publication,
)
from hotfix.ports.published import (
    Publications as Publications,
)
from hotfix.ports.record import (
    Cache as Cache,
)
from hotfix.ports.record import (
    Draft as Draft,
)
from hotfix.ports.record import (
    EventImport as EventImport,
)
from hotfix.ports.record import (
    EventLog as EventLog,
)
from hotfix.ports.record import (
    Notify as Notify,
)
from hotfix.ports.record import (
    Records as Records,
)
from hotfix.ports.record import (
    Store as Store,
)
from hotfix.ports.record import (
    Waivers as Waivers,
)
from hotfix.ports.rollout import (
    Addresses as Addresses,
)
from hotfix.ports.rollout import (
    Controllers as Controllers,
)
from hotfix.ports.rollout import (
    DeployTarget as DeployTarget,
)
from hotfix.ports.rollout import (
    Instance as Instance,
)
from hotfix.ports.rollout import (
    JudgeLike as JudgeLike,
)
from hotfix.ports.rollout import (
    MetricsFactory as MetricsFactory,
)
from hotfix.ports.rollout import (
    MetricsSource as MetricsSource,
)
from hotfix.ports.rollout import (
    Observations as Observations,
)
from hotfix.ports.rollout import (
    RequestLogFile as RequestLogFile,
)
from hotfix.ports.rollout import (
    RolloutAdapters as RolloutAdapters,
)
from hotfix.ports.rollout import (
    RolloutStates as RolloutStates,
)
from hotfix.ports.rollout import (
    Router as Router,
)
from hotfix.ports.rollout import (
    Split as Split,
)
from hotfix.ports.rollout import (
    UserCounts as UserCounts,
)
from hotfix.ports.rollout import (
    UserJudgeLike as UserJudgeLike,
)
from hotfix.ports.rollout import (
    VerdictLike as VerdictLike,
)
from hotfix.ports.witness import (
    Signer as Signer,
)
from hotfix.ports.witness import (
    WitnessedLog as WitnessedLog,
)
