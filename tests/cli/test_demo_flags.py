"""``hotfix demo --scenario flags``: the shop evaluates three flags over OFREP (plain HTTP)
from a team server; the judge promotes the one enabling the fixed checkout, sets the one
failing 1 checkout in 30 to 0 %, and the one making every checkout 300 ms slower too, on
the users slow."""

from __future__ import annotations

import re

import pytest

from tests.cli.conftest import Invoke

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]  # a minute on a busy 2-core machine


def test_one_flag_promoted_the_others_turned_off_by_the_judge(hotfix: Invoke) -> None:
    result = hotfix("demo", "--scenario", "flags", "--json")
    assert result.code == 0, result.err
    steps = {s["title"]: s["lines"] for s in result.json()["steps"]}
    promoted = steps["hotfix deploy HF-1 --via flag:fixed-checkout"]
    assert promoted[0] == "promoted: every metric within tolerance; plan complete"
    assert promoted[-1].startswith("the flag now serves: on 100 %, off 0 %")
    failed = re.search(r"failed: (\d+) / (\d+)", promoted[2])
    assert failed is not None
    assert (int(failed[1]), int(failed[2]) > 0) == (0, True)  # the old path fails EU cards
    assert "users slow not shown to regress" in promoted[1]  # latency judged, and fine
    turned_off = steps["hotfix deploy HF-2 --via flag:rate-service"]
    assert turned_off[0] == "rolled_back: the judge found a regression"
    assert "regression shown in users failing" in turned_off[1]
    assert turned_off[-1].startswith("the flag now serves: on 0 %, off 100 %")
    slow = steps["hotfix deploy HF-3 --via flag:pricing-v2"]
    assert slow[0] == "rolled_back: the judge found a regression"
    assert "regression shown in users slow" in slow[1]
    users = re.search(r"slow \(a checkout over 250 ms\): (\d+) / (\d+)", slow[3])
    assert users is not None
    assert int(users[1]) > 0
    assert slow[-1].startswith("the flag now serves: on 0 %, off 100 %")
