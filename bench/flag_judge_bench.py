"""A flag rollout's judge on simulated heavy users: false rollbacks, power, decision time.

The streams of tests/domain/judge/heavy_users.py (a few users make 30 % of the requests and
fail 15 % of them, the rest fail 1 %; a sticky split assigns users at 5 %, 25 %, 50 %,
2,000 requests per look). With no effect, every rollback is false: the share must stay
≤ α for the user judge; the request judge is shown beside it on the very same requests.
With the variant failing ``--effect`` times as often: how often and how fast each catches it.

Then latency, on streams where requests also take time (the heavy users are the slow ones:
a fifth of their requests over the app's 250 ms threshold, the others' 0.6 %): errors and
latency judged together by the user judge, latency on users slow (``flag_slow_users_total``,
its share 0.3 of α); the request judge with its latency and tail tests alone (no errors),
on the same requests. With no effect: false
rollbacks, all and on latency; with the variant's latencies ``--slowdown`` times as long:
how often each catches it.

    python bench/flag_judge_bench.py [--quick] [--runs 1000] [--alpha 0.05] [--effect 2]
                                     [--slowdown 1.5]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.domain.judge.heavy_users import Outcome, latency_only, population, run  # noqa: E402


def upper(k: int, n: int, z: float = 1.96) -> float:
    """Wilson upper bound of a share k/n."""
    p = k / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre + spread) / (1 + z * z / n)


def share(outcomes: list[Outcome], who: str, decision: str, by: str | None = None) -> str:
    k = sum(getattr(o, who) == decision and (by is None or o.users_by == by)
            for o in outcomes)
    n = len(outcomes)
    return f"{k:5d}/{n} = {k / n:6.1%} (95 % upper {upper(k, n):6.1%})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int)
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--effect", type=float, default=2.0)
    parser.add_argument("--slowdown", type=float, default=1.5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    runs = args.runs or (100 if args.quick else 1000)
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    null = [run(rng, population(rng), alpha=args.alpha) for _ in range(runs)]
    bad = [run(rng, population(rng), alpha=args.alpha, effect=args.effect)
           for _ in range(max(runs // 5, 20))]
    took = time.perf_counter() - started
    print(f"{runs} harmless rollouts, α = {args.alpha:g} (a false rollback is any rollback)")
    print(f"  user judge    false rollbacks {share(null, 'users', 'rollback')}")
    print(f"  request judge false rollbacks {share(null, 'requests', 'rollback')}")
    print(f"  user judge    promoted        {share(null, 'users', 'promote')}")
    srm_u = sum(o.users_srm for o in null)
    srm_r = sum(o.requests_srm for o in null)
    print(f"  sample-ratio check flagged: on users {srm_u}/{runs}, on requests {srm_r}/{runs}")
    print(f"{len(bad)} rollouts whose variant fails {args.effect:g}× as often")
    print(f"  user judge    rolled back     {share(bad, 'users', 'rollback')}")
    print(f"  request judge rolled back     {share(bad, 'requests', 'rollback')}")
    print(f"({took:.1f} s)")
    started = time.perf_counter()
    latency = latency_only(args.alpha)
    slow_null = [run(rng, population(rng, latency=True), alpha=args.alpha,
                     request_settings=latency) for _ in range(runs)]
    slow = [run(rng, population(rng, latency=True), alpha=args.alpha, slowdown=args.slowdown,
                request_settings=latency) for _ in range(max(runs // 5, 20))]
    took = time.perf_counter() - started
    print(f"{runs} harmless rollouts judged on errors and latency (heavy users are the slow ones)")
    print(f"  user judge    false rollbacks {share(slow_null, 'users', 'rollback')}")
    print(f"{f'    on latency (≤ {0.3 * args.alpha:g})':<32}"
          f"{share(slow_null, 'users', 'rollback', 'latency')}")
    print(f"  request judge false rollbacks {share(slow_null, 'requests', 'rollback')}"
          "  (its latency and tail tests alone)")
    print(f"  user judge    promoted        {share(slow_null, 'users', 'promote')}")
    print(f"{len(slow)} rollouts whose variant is {args.slowdown:g}× as slow")
    print(f"  user judge    rolled back     {share(slow, 'users', 'rollback')}")
    print(f"    on latency                  {share(slow, 'users', 'rollback', 'latency')}")
    print(f"  request judge rolled back     {share(slow, 'requests', 'rollback')}")
    print(f"({took:.1f} s)")


if __name__ == "__main__":
    main()
