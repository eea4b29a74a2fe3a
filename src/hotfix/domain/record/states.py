"""Every state a record can be in, across all record kinds.

Each kind (``hotfix.domain.record.kinds``) declares the subset it uses; a record is only ever in a
state its kind declares.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    # the common front, and the service kind (a code hotfix deployed to a running service)
    REPORTED = "reported"
    TRIAGED = "triaged"
    DEFERRED = "deferred"
    CONTENT = "content"
    REJECTED = "rejected"
    APPROVED = "approved"
    IN_PROGRESS = "in_progress"
    TESTED = "tested"
    RELEASED = "released"
    DEPLOYING = "deploying"
    DEPLOYED = "deployed"
    VERIFIED = "verified"
    FOLDED_BACK = "folded_back"
    CLOSED = "closed"
    # library: published, never deployed
    PUBLISHED = "published"
    # content: drafted through an approved template, published, maybe scheduled or expired
    DRAFTED = "drafted"
    SCHEDULED = "scheduled"
    EXPIRED = "expired"
    REVERTED = "reverted"
    # flag: set, rolled out by percentage, completed or killed
    SET = "set"
    ROLLING_OUT = "rolling_out"
    COMPLETED = "completed"
    KILLED = "killed"
    # rollback: production returned to the last good release first
    ROLLING_BACK = "rolling_back"
    ROLLED_BACK = "rolled_back"
