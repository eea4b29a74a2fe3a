"""A flag rollout's metrics: the app's counters by variant, scraped from each instance.

One version of the app serves both variants, so the versions of a canary are the flag's
variants here, read from a ``variant`` label (``VariantNames``):

    http_requests_total{variant="on",status="200"} 1027      requests (the progress, the plan)
    flag_users_total{flag="new-checkout",variant="on"} 310     users first served, each once
    flag_failed_users_total{flag="new-checkout",variant="on"} 4   users' first failures
    flag_slow_users_total{flag="new-checkout",variant="on"} 9     users' first slow request

What changed since the previous scrape becomes request rows (for the plan's minimum
exposure and the tally) and ``UserCounts`` (for the judge, whose unit is the user). A
series with a ``flag`` label of another flag is skipped; request series with no variant
label are counted as ``unlabelled`` (the judge says it has no data). Whether a slow users'
series of either variant was there at all (even at 0) is ``slow_counted``: without one
the judge has no latency data (``slow_users`` empty: none is looked for).

A flag with targeting rules (``split_only``) is judged on the users its split serves, the
population the rollout moves: only series labelled ``reason="SPLIT"`` (the OFREP reason of
the evaluation) count; those of users a rule matched (``TARGETING_MATCH``) are skipped, and
request series with no reason label count as ``unlabelled``. A counter that went
down (the process restarted) counts from zero; an instance that does not answer gives
nothing. The cursor is the snapshot of every counter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np

from hotfix.adapters.metrics.prometheus import Snapshot, counter_delta
from hotfix.adapters.metrics.promtext import ExpositionError, Sample, parse
from hotfix.ports import Observations, UserCounts


@dataclass(frozen=True)
class VariantNames:
    requests: str = "http_requests_total"
    status_label: str = "status"
    users: str = "flag_users_total"
    failed_users: str = "flag_failed_users_total"
    variant_label: str = "variant"
    reason_label: str = "reason"
    slow_users: str = "flag_slow_users_total"  # "": latency not judged

SPLIT = "SPLIT"  # the OFREP reason of an evaluation the split decided


class VariantMetrics:
    def __init__(self, addresses: Callable[[], Sequence[str]], flag: str, canary: str,
                 baseline: str, clock: Callable[[], float], names: VariantNames | None = None,
                 path: str = "/metrics", snapshot: Mapping[str, Snapshot] | None = None,
                 split_only: bool = False) -> None:
        self.addresses, self.flag, self.clock = addresses, flag, clock
        self.split_only = split_only
        self.sides = {canary: "canary", baseline: "baseline"}
        self.names, self.path = names or VariantNames(), path
        self.last: dict[str, Snapshot] = {a: dict(s) for a, s in (snapshot or {}).items()}
        if snapshot is None:
            self.poll()  # start counting from now

    def cursor(self) -> dict[str, Any]:
        return {"snapshot": {address: dict(snap) for address, snap in self.last.items()}}

    def poll(self) -> Observations:
        total: dict[str, float] = {}
        for address in self.addresses():
            now = self._scrape(address)
            if now is not None:
                delta = counter_delta(self.last.get(address, {}), now)
                self.last[address] = now
                for k, v in delta.items():
                    total[k] = total.get(k, 0.0) + v
        return self._observations(total)

    def _scrape(self, address: str) -> Snapshot | None:
        try:
            resp = httpx.get(f"http://{address}{self.path}", timeout=2.0, trust_env=False)
            samples = parse(resp.text) if resp.status_code == 200 else None
        except (httpx.HTTPError, ExpositionError):
            return None
        if samples is None:
            return None
        snap: Snapshot = {}
        for s in samples:
            key = self._key(s)
            if key is not None:
                snap[key] = snap.get(key, 0.0) + s.value
        return snap

    def _key(self, s: Sample) -> str | None:
        n = self.names
        if not s.name or s.name not in (n.requests, n.users, n.failed_users, n.slow_users):
            return None
        if s.label("flag") not in (None, self.flag):
            return None
        side = self.sides.get(s.label(n.variant_label) or "")
        reason = s.label(n.reason_label)
        if self.split_only and reason != SPLIT:
            return "unlabelled" if s.name == n.requests and reason is None else None
        if side is None:
            return "unlabelled" if s.name == n.requests and s.label(n.variant_label) is None \
                else None
        if s.name == n.requests:
            failed = (s.label(n.status_label) or "").startswith("5")
            return f"{'errors' if failed else 'requests'}:{side}"
        kind = {n.users: "users", n.failed_users: "failed"}.get(s.name, "slow")
        return f"{kind}:{side}"

    def _observations(self, d: Mapping[str, float]) -> Observations:
        def get(name: str) -> int:
            return max(int(d.get(name, 0.0)), 0)

        rows = {side: (get(f"requests:{side}"), get(f"errors:{side}"))
                for side in ("canary", "baseline")}
        canary = np.concatenate([np.full(ok + bad, side == "canary")
                                 for side, (ok, bad) in rows.items()]).astype(bool)
        good = np.concatenate([np.arange(ok + bad) < ok for ok, bad in rows.values()])
        users = UserCounts(get("users:canary"), get("users:baseline"), get("failed:canary"),
                           get("failed:baseline"), get("unlabelled"), get("slow:canary"),
                           get("slow:baseline"), any(k.startswith("slow:") for k in d))
        n = canary.size
        return Observations(np.full(n, self.clock()), canary, good.astype(bool),
                            np.full(n, np.nan), users=users)
