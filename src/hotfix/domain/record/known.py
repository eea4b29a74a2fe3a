"""The documentation hotfix writes itself: what the record already knows, as text fields.

``tests`` (the checks run and their counts), ``canary`` (the rollout's evidence and its
decision), ``verification`` (every check against production or the published artifact),
``ports`` (each target's fold-back) and ``time`` (wall time per state, logged work). They
are derived from the events each time they are shown — in ``hotfix document --show``, the
editor's template and the report — never typed in, so they cannot go stale; a
``document`` event cannot set them, and ``close.require`` does not name them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from hotfix.domain.record.documentation import KNOWN
from hotfix.domain.record.events import Event
from hotfix.domain.record.hotfix import Hotfix
from hotfix.domain.record.timing import TimeReport, format_duration

__all__ = ["KNOWN", "known_fields"]
ROLLOUT = ("deploy", "deploy_step", "promote", "rollback")


def known_fields(rec: Hotfix, time: TimeReport) -> dict[str, str]:
    """Every field of ``KNOWN``, in that order, as the record says now."""
    return {"tests": _tests(rec), "canary": _canary(rec), "verification": _verification(rec),
            "ports": _ports(rec), "time": _time(time)}


def _tests(rec: Hotfix) -> str:
    checks = [e.payload for e in rec.events if e.kind == "check"]
    if not checks:
        return "no checks run"
    last = checks[-1]
    verdict = "passed" if last.get("passed") else "blocked" if last.get("blocked") else "failed"
    runs = [_run(r) for r in last.get("runs", []) or [] if isinstance(r, Mapping)]
    impact = last.get("impact") if isinstance(last.get("impact"), Mapping) else {}
    chosen = f"; {impact.get('selected_count')} test(s) selected by " \
             f"{impact.get('strategy')}" if impact and impact.get("strategy") else ""
    commit = str(last.get("commit", ""))[:12]
    return (f"{len(checks)} check(s); the last {verdict} on {commit}{chosen}"
            + (": " + "; ".join(runs) if runs else ""))


def _run(run: Mapping[str, Any]) -> str:
    found = run.get("counts")
    counts: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    shown = ", ".join(f"{n} {what}" for what, n in counts.items() if n) or "no tests"
    return f"{run.get('stage', 'tests')} {shown}"


def _canary(rec: Hotfix) -> str:
    if not rec.deployed:
        return f"not deployed (a {rec.kind} record)"
    rollout = _newest_rollout(rec.events)
    if not rollout:
        return "not deployed"
    start = rollout[0].payload
    weights = [f"{e.payload['weight']:g}%" for e in rollout if e.kind == "deploy_step"
               and isinstance(e.payload.get("weight"), int | float)]
    end = rollout[-1]
    said = f"{start.get('tag', 'the canary')} beside {start.get('baseline', 'production')}"
    steps = f", steps {' → '.join(weights)}" if weights else ""
    if end.kind not in ("promote", "rollback"):
        return f"{said}{steps}; still running"
    decided = "promoted" if end.kind == "promote" else "rolled back"
    reason = f" ({end.payload['reason']})" if end.payload.get("reason") else ""
    return f"{said}{steps}; {decided}{reason}{_traffic(end.payload)}"


def _newest_rollout(events: Iterable[Event]) -> list[Event]:
    rollout: list[Event] = []
    for event in events:
        if event.kind == "deploy":
            rollout = [event]
        elif event.kind in ROLLOUT and rollout and not event.payload.get("paused"):
            rollout.append(event)
    return rollout


def _traffic(body: Mapping[str, Any]) -> str:
    requests, errors = body.get("requests"), body.get("errors")
    if not isinstance(requests, Mapping) or not isinstance(errors, Mapping):
        return ""
    return "; " + ", ".join(f"{side} {requests.get(side, 0)} request(s), "
                            f"{errors.get(side, 0)} error(s)" for side in ("canary", "baseline"))


def _verification(rec: Hotfix) -> str:
    body = rec.last("verify")
    if body is None:
        return "not verified"
    checks = [c for c in body.get("checks", []) or [] if isinstance(c, Mapping)]
    where = body.get("against") or body.get("base_url")
    against = f" against {where}" if where else ""
    if not checks:
        return ("passed" if body.get("passed") else "failed") + against
    failed = [str(c.get("name", "")) for c in checks if not c.get("passed")]
    verdict = f"failed: {', '.join(failed)}" if failed else "passed"
    return f"{len(checks)} check(s){against}, {verdict}"


def _ports(rec: Hotfix) -> str:
    found: dict[str, str] = {}
    for event in rec.events:
        if event.kind == "backport":
            for target in event.payload.get("targets", []) or []:
                if isinstance(target, Mapping) and target.get("target"):
                    found[str(target["target"])] = _port(target)
    return "; ".join(f"{name} {what}" for name, what in found.items()) or "not ported yet"


def _port(target: Mapping[str, Any]) -> str:
    entry = target.get("changelog")
    status = str(target.get("status", ""))
    if isinstance(entry, Mapping) and entry.get("status") in ("written", "listed"):
        return f"{status}, changelog entry {entry['status']}"
    return status


def _time(time: TimeReport) -> str:
    logged = ", ".join(f"{who} {format_duration(s)}" for who, s in
                       sorted(time.active_by_person.items()))
    return (f"wall {format_duration(time.wall_seconds)}; logged "
            f"{format_duration(time.active_seconds) if time.active_seconds else 'none'}"
            + (f" ({logged})" if logged else ""))
