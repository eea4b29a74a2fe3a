"""``hotfix demo --scenario flags``: the shop evaluates two flags over OFREP (plain HTTP)
from a team server; the judge promotes the one enabling the fixed checkout and sets the
one failing 1 checkout in 30 to 0 %."""

from __future__ import annotations

import re

import pytest

from tests.cli.conftest import Invoke

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]  # a minute on a busy 2-core machine


def test_one_flag_promoted_the_other_turned_off_by_the_judge(hotfix: Invoke) -> None:
    result = hotfix("demo", "--scenario", "flags", "--json")
    assert result.code == 0, result.err
    steps = {s["title"]: s["lines"] for s in result.json()["steps"]}
    promoted = steps["hotfix deploy HF-1 --via flag:fixed-checkout"]
    assert promoted[0] == "promoted: every metric within tolerance; plan complete"
    assert promoted[-1].startswith("the flag now serves: on 100 %, off 0 %")
    failed = re.search(r"failed: (\d+) / (\d+)", promoted[2])
    assert failed is not None
    assert (int(failed[1]), int(failed[2]) > 0) == (0, True)  # the old path fails EU cards
    turned_off = steps["hotfix deploy HF-2 --via flag:rate-service"]
    assert turned_off[0] == "rolled_back: the judge found a regression"
    assert "regression shown in users failing" in turned_off[1]
    assert turned_off[-1].startswith("the flag now serves: on 0 %, off 100 %")
