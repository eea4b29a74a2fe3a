"""The release live before the current one, from the record of deployments."""

from __future__ import annotations

import pytest

from hotfix.domain.rollout.history import Deployment, previous_live


def history(*versions: str) -> list[Deployment]:
    return [Deployment(v, float(i), "ci", "pipeline") for i, v in enumerate(versions)]


@pytest.mark.parametrize(("versions", "current", "expected"), [
    (("v1.1.1", "v1.2.0"), "v1.2.0", "v1.1.1"),
    (("v1.1.0", "v1.1.1", "v1.2.0", "v1.2.0"), "v1.2.0", "v1.1.1"),  # reported twice
    (("v1.1.1", "v1.2.0", "v1.1.1", "v1.2.0"), "v1.2.0", "v1.1.1"),  # its latest arrival
    (("v1.2.0",), "v1.2.0", None),  # nothing before it
    ((), "v1.2.0", None),
    (("v1.1.1",), "v1.2.0", "v1.1.1"),  # the record missed the current one: its last
])
def test_previous_live(versions: tuple[str, ...], current: str, expected: str | None) -> None:
    assert previous_live(history(*versions), current) == expected
