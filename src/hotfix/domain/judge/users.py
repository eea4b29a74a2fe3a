"""The judge of a flag rollout, whose unit is the user (the targeting key), not the request.

    judge = UserJudge(JudgeSettings(alpha=0.05))
    verdict = judge.update_users(seen=(12, 230), failed=(1, 9), share=0.05, slow=(2, 11))
    verdict.decision   # "continue" | "rollback" | "promote"

Why not the request judge (engine.py): a sticky split assigns *users*, so every request of
one user goes to one variant. A heavy user who hits errors often puts all of them on one
side, and the per-request count test, which takes each bad request to fall on the canary
with its request share, rolls back a harmless variant far more often than α
(tests/domain/judge/test_users.py shows it on simulated streams).

What is counted instead, between two looks, from the app's counters by variant: users first
served (``seen``), users who met their first failure (``failed``) and users whose first
request slower than the app's threshold came (``slow``), each user once per counter, on the
variant that served them then. The split gives the canary variant a share p of the users'
buckets, and under "the variant changes nothing" a user's bucket is independent of when
they first fail (or are first slow), so each newly failed user is the canary's with
probability p, independently of every other user and however many requests each makes:
given m newly failed users, the canary's x is Binomial(m, p). That is counts.py's
conditional test with a known ρ = p, so the same mixtures give, per metric,

- ``errors`` (users failing): the regression e-process (rate ratio of failing users above
  1), and its non-inferiority twin (ratio at least 1 + error_margin), averaged with an
  absolute test "under ``user_floor`` of the canary's users fail";
- ``latency`` (users slow): the regression e-process on the slow users' counts. Like the
  request judge's tail test it only rolls back: showing that a share of slow users is not
  higher by a relative margin takes many slow users, so promotion does not wait for it;
- the sample-ratio check on users first served, against p (not on requests, whose share
  heavy users move).

**One α, split by weight, as a union bound.** A user may fail and be slow (a timeout is
both), so the two counts are not independent: what one count tells of a user's bucket
changes the odds of the other's, and the average of the two e-processes need not be a
supermartingale on what both reveal (the canary judge's weighted average is, on requests).
Each is one in its own filtration (every user's behaviour, which under the null does not
depend on buckets, and that count), so Ville's inequality holds for each alone. The judge
rolls back when a metric's e-value reaches 1/(w α), w its weight (``judge.weights``:
errors, and latency + tail for the slow users), and the false rollbacks of all metrics
together stay ≤ Σ w α = α. The verdict's ``log_e`` is max over metrics of log(w E),
which reaches 1/α exactly when one of them does.

No latency data is no evidence: with the slow-users metric on (``slow_users`` names its
counter; None turns it off) a look that has no such counter (``slow`` None) adds nothing,
and until one arrives promotion is withheld (the rollout holds, then ends inconclusive) and
the verdict says so. A look where the split changed (``share`` None) is counted but not
judged; requests counted without a variant label are reported as exactly that. The floor
test counts a user who has not failed yet as fine, an approximation that can only err
towards promotion, never towards a false rollback. Exact when the split's schedule does not
depend on which users are where: the plan's bake times do not; its ``min_requests`` counts
the canary variant's requests, which tell a little about where heavy users are, so a step
may be held a little longer on that (the simulations, tests/domain/judge/heavy_users.py,
run a fixed schedule).
"""

from __future__ import annotations

import math

import numpy as np

from hotfix.domain.judge.bounds import rate_ratio_bounds
from hotfix.domain.judge.counts import FLOOR_FRACTIONS, FLOOR_LOG_WEIGHTS, BlockCounts, block_log_lr
from hotfix.domain.judge.engine import noninferiority_grid, regression_grid
from hotfix.domain.judge.mixture import Grid, mix
from hotfix.domain.judge.settings import JudgeSettings
from hotfix.domain.judge.srm import SampleRatio
from hotfix.domain.judge.verdict import (
    Decision,
    MetricVerdict,
    SampleRatioVerdict,
    Verdict,
)

PERCENT = 100  # shares are whole percentages of users (the flag's split)
SLOW_USERS = "flag_slow_users_total"
"""The slow users' counter an app exports by default (``rollout.flag.slow_users``)."""


class UserCount:
    """One count of users meeting a bad event (their first failure, or first slow request):
    the regression e-process and, if ``margin`` is given, its non-inferiority twin."""

    def __init__(self, margin: float | None) -> None:
        self.margin = margin
        self.grid = regression_grid()
        self.ni_grid: Grid | None = None if margin is None else noninferiority_grid(margin)
        self._reg = np.zeros(self.grid.offsets.size)
        self._ni = np.zeros(0 if self.ni_grid is None else self.ni_grid.offsets.size)
        self._by_split = np.zeros((PERCENT + 1, PERCENT + 1))
        self.users = [0, 0]  # canary, baseline
        self.judged = 0  # the canary's users in judged looks (for the bounds)

    def count(self, new: tuple[int, int]) -> None:
        self.users[0] += new[0]
        self.users[1] += new[1]

    def judge(self, new: tuple[int, int], share: float) -> None:
        counts = BlockCounts(np.array([share]), np.array([1 - share]),
                             np.array([float(new[0])]), np.array([float(sum(new))]))
        self._reg += block_log_lr(counts, self.grid.offsets, 0.0)[:, 0]
        if self.ni_grid is not None and self.margin is not None:
            null = math.log1p(self.margin)
            self._ni += block_log_lr(counts, null - self.ni_grid.offsets, null)[:, 0]
        self._by_split[round(share * PERCENT), PERCENT] += sum(new)
        self.judged += new[0]

    def log_e_regression(self) -> float:
        return float(mix(self.grid.log_weights, self._reg[:, None])[0])

    def log_e_ratio_noninferior(self) -> float:
        if self.ni_grid is None:
            return 0.0
        return float(mix(self.ni_grid.log_weights, self._ni[:, None])[0])

    def bounds(self, alpha: float) -> tuple[float, float]:
        a, n = np.nonzero(self._by_split)  # (share of the split, of PERCENT) → users
        splits = (a.astype(np.float64), n.astype(np.float64), self._by_split[a, n])
        return rate_ratio_bounds(splits, float(self.judged), alpha)


class UserJudge:
    """Feeds per-look user counts to the e-processes; verdicts in the request judge's shape.

    ``slow_users``: the name of the app's slow users' counter, for the verdict's words;
    None: latency is not judged (only users failing, with the whole α)."""

    def __init__(self, settings: JudgeSettings | None = None,
                 slow_users: str | None = SLOW_USERS) -> None:
        self.settings = s = settings or JudgeSettings()
        self.slow_users = slow_users
        raw = {"errors": s.weight_errors,
               "latency": (s.weight_latency + s.weight_tail) if slow_users else 0.0}
        if sum(raw.values()) <= 0:  # errors weighed 0 and latency not judged: errors alone
            raw["errors"] = 1.0
        self.weights = {k: v / sum(raw.values()) for k, v in raw.items() if v > 0}
        self.errors = UserCount(s.error_margin)
        self.slow = UserCount(None)
        self.sample_ratio = SampleRatio(s.srm_alpha)
        self.seen = [0, 0]  # canary, baseline
        self.unlabelled = 0
        self.slow_counted = False  # a look had the slow users' counter
        self.looks = 0
        self.rollback_at: int | None = None
        self.regressed: str | None = None  # the metric that rolled back
        self.regressed_at: dict[str, int | None] = dict.fromkeys(self.weights)
        self.within_at: int | None = None
        self.srm_at: int | None = None
        self.finished = False

    @property
    def failed(self) -> list[int]:
        return self.errors.users

    @property
    def latency_on(self) -> bool:
        return "latency" in self.weights

    def update_users(self, seen: tuple[int, int], failed: tuple[int, int],
                     share: float | None, unlabelled: int = 0,
                     slow: tuple[int, int] | None = None) -> Verdict:
        """One look: users newly (canary, baseline) served, failed and slow since the last
        one, ``share`` the canary's share of users throughout (None: the split changed);
        ``slow`` None: the app exported no slow users' counter."""
        self.observe(seen, failed, share, unlabelled, slow)
        return self.verdict()

    def observe(self, seen: tuple[int, int], failed: tuple[int, int], share: float | None,
                unlabelled: int = 0, slow: tuple[int, int] | None = None) -> None:
        """``update_users`` without building the verdict (``decision`` says it)."""
        for i in (0, 1):
            self.seen[i] += seen[i]
        self.errors.count(failed)
        if slow is not None:
            self.slow_counted = True
            self.slow.count(slow)
        self.unlabelled += unlabelled
        if share is not None and 0 < share < 1:
            self._judge(seen, failed, slow, share)
        self.looks += 1

    @property
    def decision(self) -> Decision:
        return self._decide()[0]

    def finish(self) -> Verdict:
        self.finished = True
        return self.verdict()

    def _judge(self, seen: tuple[int, int], failed: tuple[int, int],
               slow: tuple[int, int] | None, share: float) -> None:
        self.errors.judge(failed, share)
        if slow is not None:
            self.slow.judge(slow, share)
        level = math.log(1 / self.settings.alpha)
        for name, w in self.weights.items():
            count = self.errors if name == "errors" else self.slow
            if self.regressed_at[name] is None and \
                    count.log_e_regression() >= level - math.log(w):
                self.regressed_at[name] = self.looks
                if self.rollback_at is None:
                    self.rollback_at, self.regressed = self.looks, name
        if self.within_at is None and self.log_e_noninferior() >= level:
            self.within_at = self.looks
        srm = self.sample_ratio.feed_units(seen[0], sum(seen), share)
        if self.srm_at is None and srm >= math.log(1 / self.settings.srm_alpha):
            self.srm_at = self.looks

    def log_e_regression(self) -> float:
        """max over metrics of log(w E): reaches log 1/α when one metric's share does."""
        parts = [math.log(w) + (self.errors if name == "errors" else self.slow)
                 .log_e_regression() for name, w in self.weights.items()]
        return max(parts) if parts else 0.0

    def log_e_noninferior(self) -> float:
        ratio = self.errors.log_e_ratio_noninferior()
        floor = self.settings.user_floor
        if floor <= 0:
            return ratio
        n, x = self.seen[0], min(self.failed[0], self.seen[0])
        u = FLOOR_FRACTIONS
        with np.errstate(divide="ignore"):
            bad = x * np.log(u) if x else np.zeros(u.size)
        lr = bad + (n - x) * (np.log1p(-floor * u) - np.log1p(-floor))
        return float(np.logaddexp(ratio, mix(FLOOR_LOG_WEIGHTS, lr[:, None])[0]) + np.log(0.5))

    @property
    def waits_for_latency(self) -> bool:
        """Latency is judged and no slow users' counter has come: promotion withheld."""
        return self.latency_on and not self.slow_counted

    def verdict(self) -> Verdict:
        decision, at = self._decide()
        metrics = (self._errors_metric(), *((self._slow_metric(),) if self.latency_on else ()))
        return Verdict(decision=decision, reason=self._reason(decision, metrics),
                       decided_at=at, alpha=self.settings.alpha,
                       log_e=self.log_e_regression(),
                       requests={"canary": self.seen[0], "baseline": self.seen[1]},
                       metrics=metrics, sample_ratio=self._ratio(), unit="user")

    def _decide(self) -> tuple[Decision, int | None]:
        if self.rollback_at is not None:
            return "rollback", self.rollback_at
        if self.within_at is not None and self.srm_at is None and min(self.seen) > 0 \
                and not self.waits_for_latency:
            return "promote", self.within_at
        return ("inconclusive" if self.finished else "continue"), None

    def _errors_metric(self) -> MetricVerdict:
        alpha, w = self.settings.alpha, self.weights.get("errors", 0.0)
        lower, upper = self.errors.bounds(alpha)
        (n_c, n_b), (x_c, x_b) = self.seen, self.failed
        return MetricVerdict(
            name="errors", weight=w, log_e_regression=self.errors.log_e_regression(),
            log_e_noninferior=self.log_e_noninferior(),
            threshold_regression=1 / (alpha * w) if w else math.inf,
            threshold_noninferior=1 / alpha, regressed_at=self.regressed_at.get("errors"),
            within_tolerance_at=self.within_at, estimate=_ratio(n_c, n_b, x_c, x_b),
            lower=lower, upper=upper, tolerance=1 + self.settings.error_margin,
            counts={"canary_users": n_c, "baseline_users": n_b, "canary_failed_users": x_c,
                    "baseline_failed_users": x_b, "unlabelled_requests": self.unlabelled})

    def _slow_metric(self) -> MetricVerdict:
        alpha, w = self.settings.alpha, self.weights["latency"]
        lower, upper = self.slow.bounds(alpha)
        (n_c, n_b), (x_c, x_b) = self.seen, self.slow.users
        return MetricVerdict(
            name="latency", weight=w, log_e_regression=self.slow.log_e_regression(),
            log_e_noninferior=0.0, threshold_regression=1 / (alpha * w),
            threshold_noninferior=math.inf, regressed_at=self.regressed_at["latency"],
            within_tolerance_at=None, estimate=_ratio(n_c, n_b, x_c, x_b),
            lower=lower, upper=upper, tolerance=math.inf,
            counts={"canary_users": n_c, "baseline_users": n_b, "canary_slow_users": x_c,
                    "baseline_slow_users": x_b, "slow_users_counted": float(self.slow_counted)})

    def _ratio(self) -> SampleRatioVerdict:
        srm = self.sample_ratio
        checked = srm.total > 0
        return SampleRatioVerdict(
            checked=checked, expected_share=srm.expected / srm.total if checked else None,
            observed_share=srm.canary / srm.total if checked else None, log_e=srm.log_e(),
            threshold=1 / self.settings.srm_alpha, flagged_at=self.srm_at)

    def _reason(self, decision: Decision, metrics: tuple[MetricVerdict, ...]) -> str:
        m = {metric.name: metric for metric in metrics}
        if decision == "rollback":
            worst = m[self.regressed or "errors"]
            (n_c, n_b) = self.seen
            if worst.name == "latency":
                (x_c, x_b), what = self.slow.users, "users slow"
                event = "first request slower than the app's threshold"
            else:
                (x_c, x_b), what, event = self.failed, "users failing", "first failure"
            return (f"regression shown in {what}: {x_c} users met their {event} on the "
                    f"canary variant, {x_b} on the baseline ({n_c} and {n_b} users first "
                    f"served since the rollout began); canary/baseline at least "
                    f"{_x(worst.lower)}; e-value reached 1/(wα) = "
                    f"{worst.threshold_regression:.3g} ({worst.name}'s share w = "
                    f"{worst.weight:.2g} of α = {self.settings.alpha:g})")
        slow = self._slow_note()
        if decision == "promote":
            return (f"users failing shown within tolerance (< {_x(m['errors'].tolerance)} the "
                    f"baseline's){slow}")
        prefix = ("bake time ended without a decision" if decision == "inconclusive"
                  else "collecting evidence")
        if sum(self.seen) == 0:
            if self.unlabelled:
                return (f"{prefix}: no data — {self.unlabelled} requests counted without a "
                        "variant label (or, for a flag with targeting rules, a `reason` label), "
                        "none by variant (export the flag's counters with a `variant` label, "
                        "and `reason`: docs/flags.md)")
            return f"{prefix}: no users counted by variant yet (no data is no evidence)"
        waiting = [] if self.within_at is not None else ["users failing"]
        if self.waits_for_latency:
            waiting.append(f"no latency data — no {self.slow_users} by variant yet (export "
                           "it, at 0 until a user is slow, and with a `reason` label for a "
                           "flag with targeting rules: docs/flags.md; or set "
                           "rollout.flag.slow_users = \"\" to judge users failing only), "
                           "promotion withheld")
        note = ""
        if self.srm_at is not None:
            r = self._ratio()
            note = (f"; sample-ratio mismatch on users: canary share {r.observed_share:.3f} vs "
                    f"{r.expected_share:.3f} expected, promotion withheld")
        if not waiting:
            return f"{prefix}: users failing shown within tolerance{slow}{note}"
        if waiting[0] == "users failing":
            waiting[0] = "users failing not yet shown within tolerance"
        return f"{prefix}: {'; '.join(waiting)}{note}"

    def _slow_note(self) -> str:
        if not self.latency_on:
            why = ("rollout.flag.slow_users is empty" if not self.slow_users
                   else "judge.weights gives latency and tail 0")
            return f"; latency not judged ({why})"
        x_c, x_b = self.slow.users
        return (f"; users slow not shown to regress ({x_c} on the canary variant, {x_b} on "
                "the baseline)")


def _ratio(n_c: int, n_b: int, x_c: int, x_b: int) -> float:
    return (x_c / n_c) / (x_b / n_b) if min(n_c, n_b, x_b) > 0 else math.nan


def _x(value: float) -> str:
    return f"{value:.3g}×" if math.isfinite(value) else "n/a"
