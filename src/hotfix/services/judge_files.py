"""``hotfix judge``: the canary judge over recorded request streams (CSV files).

Each file has the header ``t,version,ok,latency_ms`` and one request per row in time order
(``version`` is ``baseline`` or ``canary``, ``ok`` is 1 or 0, ``latency_ms`` may be empty
when unknown). The rows are fed to the judge as if live, which looks after every request;
the verdict is the judge's state at the first decision (or ``inconclusive`` at the end).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotfix.adapters.git.repository import repo_root
from hotfix.config import Config, load_config
from hotfix.domain.judge import Judge, JudgeSettings, Verdict
from hotfix.errors import ConfigError, NotFound
from hotfix.services.judge_csv import Stream, read_stream

CHUNK = 1 << 16


@dataclass(frozen=True)
class FileVerdict:
    file: str
    rows: int
    verdict: Verdict

    def to_dict(self) -> dict[str, Any]:
        body = self.verdict.to_dict()
        return {
            "file": self.file,
            "decision": body.pop("decision"),
            "decided_at": body.pop("decided_at"),
            "rows": self.rows,
            **body,
        }


def judge_files(
    paths: Sequence[Path],
    *,
    start: Path,
    environ: Mapping[str, str],
    overrides: Mapping[str, Any] | None = None,
    expected_share: float | None = None,
) -> list[FileVerdict]:
    """Judge every file with the settings of the repository around ``start`` (if any)."""
    settings = judge_settings(_config(start, environ, overrides))
    return [judge_file(path, settings, expected_share) for path in paths]


def judge_file(path: Path, settings: JudgeSettings, expected_share: float | None) -> FileVerdict:
    stream = read_stream(path)
    return FileVerdict(str(path), stream.rows, judge_stream(stream, settings, expected_share))


def judge_stream(stream: Stream, settings: JudgeSettings, share: float | None) -> Verdict:
    """Feed the stream as if live; the verdict as it stood at the first decision."""
    judge = Judge(settings)
    at = None
    for begin in range(0, stream.rows, CHUNK):
        _feed(judge, stream, slice(begin, begin + CHUNK), share)
        at = _first_decision(judge)
        if at is not None:
            break
    if at is None:
        return judge.finish()
    replay = Judge(settings)
    _feed(replay, stream, slice(0, at + 1), share)
    return replay.verdict()


def judge_settings(cfg: Config) -> JudgeSettings:
    """The ``judge.*`` settings as a JudgeSettings (ConfigError naming the bad one)."""
    weights = cfg.table("judge.weights")
    unknown = set(weights) - {"errors", "latency", "tail"}
    if unknown:
        raise ConfigError(
            f"judge.weights has unknown metrics {sorted(unknown)}",
            hint="judge.weights = { errors = 0.7, latency = 0.25, tail = 0.05 }",
        )
    try:
        return JudgeSettings(
            alpha=cfg.float("judge.alpha"),
            error_margin=cfg.float("judge.error_margin"),
            error_floor=cfg.float("judge.error_floor"),
            latency_tolerance=cfg.float("judge.latency_tolerance"),
            tail_margin=cfg.float("judge.tail_margin"),
            weight_errors=float(weights.get("errors", 0.0)),
            weight_latency=float(weights.get("latency", 0.0)),
            weight_tail=float(weights.get("tail", 0.0)),
            burn_in=cfg.int("judge.burn_in"),
            winsor_quantile=cfg.float("judge.winsor_quantile"),
            tail_quantile=cfg.float("judge.tail_quantile"),
            block=cfg.int("judge.block"),
            srm_alpha=cfg.float("judge.srm_alpha"),
        )
    except ValueError as exc:
        hint = "fix the judge.* settings in hotfix.toml; `hotfix config` shows them"
        raise ConfigError(str(exc), hint=hint) from None


def _config(start: Path, environ: Mapping[str, str], overrides: Mapping[str, Any] | None) -> Config:
    try:
        root = repo_root(start)
    except NotFound:
        root = start
    return load_config(root, environ, overrides)


def _feed(judge: Judge, stream: Stream, part: slice, share: float | None) -> None:
    judge.update(stream.canary[part], stream.ok[part], stream.latency_ms[part], share)


def _first_decision(judge: Judge) -> int | None:
    """The earliest request at which the judge said rollback or promote, if any."""
    times = list(judge.within_at.values())
    promote = max(t for t in times if t is not None) if all(t is not None for t in times) else None
    if promote is not None and judge.srm_at is not None and judge.srm_at <= promote:
        promote = None
    candidates = [t for t in (judge.rollback_at, promote) if t is not None]
    return min(candidates) if candidates else None
