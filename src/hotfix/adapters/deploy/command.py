"""The ``command`` target and router: the team's own deploy script does the work.

The script (``rollout.deploy_command``, an argument list) is called with ``{action}``,
``{version}`` and ``{weight}`` substituted:

    ./deploy.sh start  v1.1.1 0     # bring the version up without traffic
    ./deploy.sh weight v1.1.1 25    # give it 25 % of requests (also 0 and 100)
    ./deploy.sh stop   v1.1.1 0     # take it down

Exit code 0 is success; anything else fails the step with the script's output. The last
split applied is kept in a state file, since only the script knows the live one.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hotfix.errors import HotfixError, UsageError
from hotfix.ports import Instance, RequestLogFile, Split


class DeployCommandFailed(HotfixError):
    """The team's deploy script exited non-zero."""


@dataclass
class DeployCommand:
    argv: Sequence[str]
    cwd: Path
    timeout: float = 600.0

    def __call__(self, action: str, version: str, weight: float) -> None:
        if not self.argv:
            raise UsageError("rollout.deploy_command is empty",
                             hint='set it in hotfix.toml, e.g. deploy_command = '
                                  '["./deploy.sh", "{action}", "{version}", "{weight}"]')
        values = {"{action}": action, "{version}": version, "{weight}": f"{weight:g}"}
        args = [_fill(a, values) for a in self.argv]
        try:
            proc = subprocess.run(args, cwd=self.cwd, capture_output=True, text=True,
                                  timeout=self.timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DeployCommandFailed(f"`{' '.join(args)}` could not run: {exc}") from None
        if proc.returncode != 0:
            raise DeployCommandFailed(
                f"`{' '.join(args)}` exited {proc.returncode}: "
                f"{(proc.stderr or proc.stdout).strip()[-2000:]}",
                hint="fix the deploy script, then run the same hotfix command again")


def _fill(part: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        part = part.replace(key, value)
    return part


@dataclass
class CommandTarget:
    run: DeployCommand
    name: str = "command"

    def start(self, version: str, count: int) -> list[Instance]:
        self.run("start", version, 0)
        return [Instance(version)]

    def stop(self, instances: Sequence[Instance]) -> None:
        for version in dict.fromkeys(i.version for i in instances):
            self.run("stop", version, 0)

    def alive(self, instance: Instance) -> bool:
        return True  # the script owns the fleet; it fails loudly if a version is gone


@dataclass
class CommandRouter:
    run: DeployCommand
    state_path: Path
    url: str = ""
    name: str = "command"

    def ensure(self) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)

    def apply(self, split: Split) -> None:
        for version in split.weights:
            self.run("weight", version, split.weight(version))
        self.state_path.write_text(json.dumps(split.to_dict()))

    def current(self) -> Split | None:
        try:
            return Split.from_dict(json.loads(self.state_path.read_text()))
        except FileNotFoundError:
            return None

    def drain(self, version: str, timeout: float) -> bool:
        return True  # the script's weight call returns once traffic has moved

    def stop(self) -> None:
        return None

    def request_log(self) -> RequestLogFile | None:
        return None  # the script moves traffic; it observes no requests
