"""The judge of a flag rollout, whose unit is the user (the targeting key), not the request.

    judge = UserJudge(JudgeSettings(alpha=0.05))
    verdict = judge.update_users(seen=(12, 230), failed=(1, 9), share=0.05)
    verdict.decision   # "continue" | "rollback" | "promote"

Why not the request judge (engine.py): a sticky split assigns *users*, so every request of
one user goes to one variant. A heavy user who hits errors often puts all of them on one
side, and the per-request count test, which takes each bad request to fall on the canary
with its request share, rolls back a harmless variant far more often than α
(tests/domain/judge/test_users.py shows it on simulated streams).

What is counted instead, between two looks, from the app's counters by variant: users first
served (``seen``) and users who met their first failure (``failed``), each user once, on
the variant that served them then. The split gives the canary variant a share p of the
users' buckets, and under "the variant changes nothing" a user's bucket is independent of
when they first fail, so each newly failed user is the canary's with probability p,
independently of every other user and however many requests each makes: given m newly
failed users, the canary's x is Binomial(m, p). That is counts.py's conditional test with a
known ρ = p, so the same mixtures give

- the regression e-process (rate ratio of failing users above 1), rollback at 1/α;
- its non-inferiority twin (ratio at least 1 + error_margin), averaged with an absolute
  test "under ``user_floor`` of the canary's users fail", promote at 1/α;
- the sample-ratio check on users first served, against p (not on requests, whose share
  heavy users move).

A look where the split changed (``share`` None) is counted but not judged; no data is no
evidence, and requests counted without a variant label are reported as exactly that. The
floor test counts a user who has not failed yet as fine, an approximation that can only err
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
from hotfix.domain.judge.mixture import mix
from hotfix.domain.judge.settings import JudgeSettings
from hotfix.domain.judge.srm import SampleRatio
from hotfix.domain.judge.verdict import (
    Decision,
    MetricVerdict,
    SampleRatioVerdict,
    Verdict,
)

PERCENT = 100  # shares are whole percentages of users (the flag's split)


class UserJudge:
    """Feeds per-look user counts to the e-processes; verdicts in the request judge's shape."""

    def __init__(self, settings: JudgeSettings | None = None) -> None:
        self.settings = s = settings or JudgeSettings()
        self.grid, self.ni_grid = regression_grid(), noninferiority_grid(s.error_margin)
        self._reg = np.zeros(self.grid.offsets.size)
        self._ni = np.zeros(self.ni_grid.offsets.size)
        self._by_split = np.zeros((PERCENT + 1, PERCENT + 1))
        self.sample_ratio = SampleRatio(s.srm_alpha)
        self.seen = [0, 0]  # canary, baseline
        self.failed = [0, 0]
        self.judged_failed = 0  # canary's failed users in judged looks (for the bounds)
        self.unlabelled = 0
        self.looks = 0
        self.rollback_at: int | None = None
        self.within_at: int | None = None
        self.srm_at: int | None = None
        self.finished = False

    def update_users(self, seen: tuple[int, int], failed: tuple[int, int],
                     share: float | None, unlabelled: int = 0) -> Verdict:
        """One look: users newly (canary, baseline) served and failed since the last one,
        ``share`` the canary's share of users throughout (None: the split changed)."""
        self.observe(seen, failed, share, unlabelled)
        return self.verdict()

    def observe(self, seen: tuple[int, int], failed: tuple[int, int], share: float | None,
                unlabelled: int = 0) -> None:
        """``update_users`` without building the verdict (``decision`` says it)."""
        for i in (0, 1):
            self.seen[i] += seen[i]
            self.failed[i] += failed[i]
        self.unlabelled += unlabelled
        if share is not None and 0 < share < 1:
            self._judge(seen, failed, share)
        self.looks += 1

    @property
    def decision(self) -> Decision:
        return self._decide()[0]

    def finish(self) -> Verdict:
        self.finished = True
        return self.verdict()

    def _judge(self, seen: tuple[int, int], failed: tuple[int, int], share: float) -> None:
        counts = BlockCounts(np.array([share]), np.array([1 - share]),
                             np.array([float(failed[0])]), np.array([float(sum(failed))]))
        self._reg += block_log_lr(counts, self.grid.offsets, 0.0)[:, 0]
        null = math.log1p(self.settings.error_margin)
        self._ni += block_log_lr(counts, null - self.ni_grid.offsets, null)[:, 0]
        self._by_split[round(share * PERCENT), PERCENT] += sum(failed)
        self.judged_failed += failed[0]
        level = math.log(1 / self.settings.alpha)
        if self.rollback_at is None and self.log_e_regression() >= level:
            self.rollback_at = self.looks
        if self.within_at is None and self.log_e_noninferior() >= level:
            self.within_at = self.looks
        srm = self.sample_ratio.feed_units(seen[0], sum(seen), share)
        if self.srm_at is None and srm >= math.log(1 / self.settings.srm_alpha):
            self.srm_at = self.looks

    def log_e_regression(self) -> float:
        return float(mix(self.grid.log_weights, self._reg[:, None])[0])

    def log_e_noninferior(self) -> float:
        ratio = float(mix(self.ni_grid.log_weights, self._ni[:, None])[0])
        floor = self.settings.user_floor
        if floor <= 0:
            return ratio
        n, x = self.seen[0], min(self.failed[0], self.seen[0])
        u = FLOOR_FRACTIONS
        with np.errstate(divide="ignore"):
            bad = x * np.log(u) if x else np.zeros(u.size)
        lr = bad + (n - x) * (np.log1p(-floor * u) - np.log1p(-floor))
        return float(np.logaddexp(ratio, mix(FLOOR_LOG_WEIGHTS, lr[:, None])[0]) + np.log(0.5))

    def verdict(self) -> Verdict:
        decision, at = self._decide()
        metric = self._metric()
        return Verdict(decision=decision, reason=self._reason(decision, metric),
                       decided_at=at, alpha=self.settings.alpha,
                       log_e=self.log_e_regression(),
                       requests={"canary": self.seen[0], "baseline": self.seen[1]},
                       metrics=(metric,), sample_ratio=self._ratio(), unit="user")

    def _decide(self) -> tuple[Decision, int | None]:
        if self.rollback_at is not None:
            return "rollback", self.rollback_at
        if self.within_at is not None and self.srm_at is None and min(self.seen) > 0:
            return "promote", self.within_at
        return ("inconclusive" if self.finished else "continue"), None

    def _metric(self) -> MetricVerdict:
        alpha = self.settings.alpha
        a, n = np.nonzero(self._by_split)  # (share of the split, of PERCENT) → failed users
        splits = (a.astype(np.float64), n.astype(np.float64), self._by_split[a, n])
        lower, upper = rate_ratio_bounds(splits, float(self.judged_failed), alpha)
        (n_c, n_b), (x_c, x_b) = self.seen, self.failed
        estimate = (x_c / n_c) / (x_b / n_b) if min(n_c, n_b, x_b) > 0 else math.nan
        return MetricVerdict(
            name="errors", weight=1.0, log_e_regression=self.log_e_regression(),
            log_e_noninferior=self.log_e_noninferior(), threshold_regression=1 / alpha,
            threshold_noninferior=1 / alpha, regressed_at=self.rollback_at,
            within_tolerance_at=self.within_at, estimate=estimate, lower=lower, upper=upper,
            tolerance=1 + self.settings.error_margin,
            counts={"canary_users": n_c, "baseline_users": n_b, "canary_failed_users": x_c,
                    "baseline_failed_users": x_b, "unlabelled_requests": self.unlabelled})

    def _ratio(self) -> SampleRatioVerdict:
        srm = self.sample_ratio
        checked = srm.total > 0
        return SampleRatioVerdict(
            checked=checked, expected_share=srm.expected / srm.total if checked else None,
            observed_share=srm.canary / srm.total if checked else None, log_e=srm.log_e(),
            threshold=1 / self.settings.srm_alpha, flagged_at=self.srm_at)

    def _reason(self, decision: Decision, m: MetricVerdict) -> str:
        if decision == "rollback":
            (n_c, n_b), (x_c, x_b) = self.seen, self.failed
            return (f"regression shown in users failing: {x_c} of {n_c} users on the canary "
                    f"variant, {x_b} of {n_b} on the baseline (canary/baseline "
                    f"{_x(m.estimate)}, at least {_x(m.lower)}); "
                    f"e-value reached 1/α = {1 / self.settings.alpha:g}")
        if decision == "promote":
            return f"users failing shown within tolerance (< {_x(m.tolerance)} the baseline's)"
        prefix = ("bake time ended without a decision" if decision == "inconclusive"
                  else "collecting evidence")
        if sum(self.seen) == 0:
            if self.unlabelled:
                return (f"{prefix}: no data — {self.unlabelled} requests counted without a "
                        "variant label (or, for a flag with targeting rules, a `reason` label), "
                        "none by variant (export the flag's counters with a `variant` label, "
                        "and `reason`: docs/flags.md)")
            return f"{prefix}: no users counted by variant yet (no data is no evidence)"
        note = ""
        if self.srm_at is not None:
            r = self._ratio()
            note = (f"; sample-ratio mismatch on users: canary share {r.observed_share:.3f} vs "
                    f"{r.expected_share:.3f} expected, promotion withheld")
        return f"{prefix}: users failing not yet shown within tolerance{note}"


def _x(value: float) -> str:
    return f"{value:.3g}×" if math.isfinite(value) else "n/a"
