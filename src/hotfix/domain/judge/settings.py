"""The judge's knobs, with defaults that suit a web service canary."""

from __future__ import annotations

from dataclasses import dataclass

METRICS = ("errors", "latency", "tail")
PROMOTION_METRICS = ("errors", "latency")
"""The metrics whose non-inferiority gates promotion; the tail test only rolls back."""


@dataclass(frozen=True)
class JudgeSettings:
    """Everything the canary judge needs to know; every default is usable as is.

    alpha            chance of a false rollback (and of a false promotion), whatever the
                     number of looks
    error_margin     promote only if the canary's error rate is shown below
                     (1 + error_margin) × the baseline's ...
    error_floor      ... or below this absolute rate (0: ratio only)
    user_floor       a flag rollout's twin of error_floor: the share of the canary's users
                     who met a failure (its unit is the user, domain/judge/users.py)
    latency_tolerance  promote only if the canary's geometric-mean latency is shown below
                     (1 + latency_tolerance) × the baseline's
    weight_*         shares of α for the regression tests (normalised; 0 turns a metric off)
    burn_in          latencies per version before the latency test starts
    winsor_quantile  log-latency is capped at this quantile of the baseline's burn-in
    tail_quantile    "slow" means slower than this quantile of the baseline's first
                     ``tail_burn_in`` latencies
    tail_burn_in     baseline latencies the slow threshold is estimated from
    block            requests per block: the count tests compare versions within blocks
                     (evidence arrives per block; theirs grow from 10 requests to this
                     size), the latency test within blocks of this size
    srm_alpha        level of the sample-ratio check (it withholds promotion, never rolls back)
    latency_scale    prior scale τ of the latency mixture, in log units (≈ relative shift)
    """

    alpha: float = 0.05
    error_margin: float = 0.5
    error_floor: float = 0.001
    user_floor: float = 0.01
    latency_tolerance: float = 0.10
    weight_errors: float = 0.7
    weight_latency: float = 0.25
    weight_tail: float = 0.05
    burn_in: int = 20
    winsor_quantile: float = 0.99
    tail_quantile: float = 0.95
    tail_burn_in: int = 400
    block: int = 100
    srm_alpha: float = 0.001
    latency_scale: float = 0.1

    def __post_init__(self) -> None:
        problems = list(self._problems())
        if problems:
            raise ValueError("invalid judge settings: " + "; ".join(problems))

    def weights(self) -> dict[str, float]:
        """Normalised weights of the metrics that are on."""
        raw = {
            "errors": self.weight_errors,
            "latency": self.weight_latency,
            "tail": self.weight_tail,
        }
        total = sum(raw.values())
        return {k: v / total for k, v in raw.items() if v > 0}

    def _problems(self) -> list[str]:
        out = []
        for name in ("alpha", "srm_alpha"):
            if not 0 < getattr(self, name) < 1:
                out.append(f"{name} must be between 0 and 1")
        for name in ("error_margin", "latency_tolerance", "latency_scale"):
            if getattr(self, name) <= 0:
                out.append(f"{name} must be > 0")
        for name in ("error_floor", "user_floor"):
            if not 0 <= getattr(self, name) < 1:
                out.append(f"{name} must be in [0, 1)")
        for name in ("winsor_quantile", "tail_quantile"):
            if not 0.5 <= getattr(self, name) < 1:
                out.append(f"{name} must be in [0.5, 1)")
        weights = (self.weight_errors, self.weight_latency, self.weight_tail)
        if min(weights) < 0 or self.weight_errors + self.weight_latency <= 0:
            out.append("weights must be ≥ 0, errors or latency on (the tail alone never promotes)")
        if self.burn_in < 2 or self.tail_burn_in < 20 or self.block < 2:
            out.append("burn_in must be ≥ 2, tail_burn_in ≥ 20 and block ≥ 2")
        return out
