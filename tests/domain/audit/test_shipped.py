"""A release tag's verdict from its history and its tree (pure)."""

from __future__ import annotations

from hotfix.domain.audit.presence import Tally
from hotfix.domain.audit.shipped import How, State, TagEvidence, judge

APPLIED, ABSENT, UNKNOWN = Tally(applied=2), Tally(absent=2), Tally(unknown=2)
HALF = Tally(applied=1, absent=1)
ORDER = ["fix", "port", "merge", "revert", "pick"]  # the order of the history


def verdict(carried: list[str], reverts: list[str], fix: Tally,
            own: dict[str, Tally] | None = None) -> tuple[State, How, str | None]:
    history = [(sha, sha in reverts) for sha in sorted({*carried, *reverts}, key=ORDER.index)]
    found = judge(TagEvidence("v1", history, fix, own or {}))
    return found.state, found.how, found.commit


def test_history_confirmed_by_the_tree() -> None:
    assert verdict(["fix"], [], APPLIED) == (State.PRESENT, How.HISTORY_AND_TREE, "fix")


def test_reverted_before_the_release_is_not_in_it() -> None:
    assert verdict(["fix"], ["revert"], ABSENT) == (State.ABSENT, How.REVERTED, "revert")
    # the fix and the merge that brought it are one change: one revert undoes both
    assert verdict(["fix", "merge"], ["revert"], ABSENT) == (State.ABSENT, How.REVERTED,
                                                             "revert")
    # the revert git names, even when the code moved on since
    assert verdict(["fix"], ["revert"], UNKNOWN) == (State.ABSENT, How.REVERTED, "revert")


def test_re_applied_after_a_revert() -> None:
    assert verdict(["fix", "pick"], ["revert"], APPLIED) == (
        State.PRESENT, How.HISTORY_AND_TREE, "pick")
    assert verdict(["fix"], ["revert"], APPLIED) == (State.PRESENT, How.OTHER_MEANS, None)


def test_without_a_live_carrier_the_tree_must_be_decisive() -> None:
    weak = Tally(applied=1, unknown=1)  # one common line, added again by a later change
    assert verdict(["fix"], ["revert"], weak) == (State.ABSENT, How.REVERTED, "revert")
    assert verdict([], [], weak) == (State.ABSENT, How.ABSENT, None)
    assert verdict([], [], ABSENT, {"port": weak}) == (State.ABSENT, How.ABSENT, None)
    assert verdict(["fix"], [], weak) == (State.PRESENT, How.HISTORY_AND_TREE, "fix")
    assert verdict([], [], Tally(applied=1, absent=1, unknown=3)) == (State.ABSENT,
                                                                      How.ABSENT, None)


def test_applied_by_other_means() -> None:
    assert verdict([], [], APPLIED) == (State.PRESENT, How.OTHER_MEANS, None)
    assert verdict([], [], ABSENT, {"port": APPLIED}) == (State.PRESENT, How.OTHER_MEANS,
                                                          "port")
    assert verdict([], [], ABSENT, {"port": HALF}) == (State.ABSENT, How.ABSENT, None)


def test_partial() -> None:
    assert verdict(["pick"], [], HALF, {"pick": APPLIED}) == (State.PARTIAL, How.PARTIAL,
                                                             "pick")
    assert verdict([], [], HALF) == (State.PARTIAL, How.PARTIAL, None)


def test_an_adapted_port_is_judged_by_its_own_patch() -> None:
    assert verdict(["port"], [], ABSENT, {"port": APPLIED}) == (
        State.PRESENT, How.HISTORY_AND_TREE, "port")
    assert verdict(["port"], [], UNKNOWN, {"port": HALF}) == (State.PARTIAL, How.PARTIAL,
                                                             "port")


def test_history_alone_when_the_tree_cannot_tell() -> None:
    assert verdict(["fix"], [], UNKNOWN, {"fix": UNKNOWN}) == (State.PRESENT, How.HISTORY,
                                                               "fix")


def test_removed_without_a_revert() -> None:
    assert verdict(["fix"], [], ABSENT, {"fix": ABSENT}) == (State.ABSENT, How.REMOVED, "fix")


def test_nothing() -> None:
    found = judge(TagEvidence("v1", [], UNKNOWN))
    assert (found.state, found.how) == (State.ABSENT, How.ABSENT)
    assert found.to_dict() == {"tag": "v1", "state": "absent", "how": "absent",
                               "commit": None,
                               "hunks": {"applied": 0, "absent": 0, "unknown": 2}}
