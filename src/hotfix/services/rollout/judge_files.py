"""``hotfix judge``: the canary judge over recorded request streams (CSV files).

Each file has the header ``t,version,ok,latency_ms`` and one request per row in time order
(``version`` is ``baseline`` or ``canary``, ``ok`` is 1 or 0, ``latency_ms`` may be empty
when unknown). The rows are fed to the judge as if live, which looks after every request;
the verdict is the judge's state at the first decision (or ``inconclusive`` at the end).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotfix.domain.judge.engine import Judge, JudgeSettings, Verdict
from hotfix.errors import UsageError
from hotfix.ports import Observations

CHUNK = 1 << 16
ReadRequests = Callable[[Path], Observations]  # a recorded request log, read whole


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
    settings: JudgeSettings,
    read: ReadRequests,
    expected_share: float | None = None,
) -> list[FileVerdict]:
    """Judge every file (read by ``read``) with ``settings``."""
    _check_share(expected_share)
    return [judge_file(path, read(path), settings, expected_share) for path in paths]


def _check_share(share: float | None) -> None:
    """A canary's share of traffic is a fraction strictly between 0 and 1 (0.05 is 5%)."""
    if share is not None and not 0 < share < 1:
        raise UsageError(f"--share {share:g} is not a traffic share: it must be a fraction "
                         "strictly between 0 and 1",
                         hint="for a canary on 5% of traffic: --share 0.05")


def judge_file(path: Path, stream: Observations, settings: JudgeSettings,
               expected_share: float | None) -> FileVerdict:
    return FileVerdict(str(path), len(stream), judge_stream(stream, settings, expected_share))


def judge_stream(stream: Observations, settings: JudgeSettings, share: float | None) -> Verdict:
    """Feed the stream as if live; the verdict as it stood at the first decision."""
    judge = Judge(settings)
    at = None
    for begin in range(0, len(stream), CHUNK):
        _feed(judge, stream, slice(begin, begin + CHUNK), share)
        at = _first_decision(judge)
        if at is not None:
            break
    if at is None:
        return judge.finish()
    replay = Judge(settings)
    _feed(replay, stream, slice(0, at + 1), share)
    return replay.verdict()


def _feed(judge: Judge, stream: Observations, part: slice, share: float | None) -> None:
    judge.update(stream.canary[part], stream.ok[part], stream.latency_ms[part], share)


def _first_decision(judge: Judge) -> int | None:
    """The earliest request at which the judge said rollback or promote, if any."""
    times = list(judge.within_at.values())
    promote = max(t for t in times if t is not None) if all(t is not None for t in times) else None
    if promote is not None and judge.srm_at is not None and judge.srm_at <= promote:
        promote = None
    candidates = [t for t in (judge.rollback_at, promote) if t is not None]
    return min(candidates) if candidates else None
