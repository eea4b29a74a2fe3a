"""``hotfix publish``: a released library goes out through the project's publish command.

The command (``release.publish_command``) runs in the hotfix's worktree, which must be
exactly the tagged release commit with no tracked change: what is published is what was
tagged. The lifecycle is asked first, so nothing runs for a record that cannot be published
now (not a library, not released, already published). Every run is a ``publish`` event —
passed (released → published) or not (the record stays released; run it again) — with the
command, its exit code and the tail of its output.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotfix.adapters.release.publish import SETTING, CommandRun, fill, run_publish
from hotfix.domain.record.lifecycle import Hotfix
from hotfix.errors import NotConfigured, NotFound, PolicyViolation
from hotfix.services.context import Context
from hotfix.services.git.steps import Work, guard, tree, work_of


@dataclass(frozen=True)
class Published:
    record: Hotfix  # after the publish event
    tag: str
    version: str
    run: CommandRun

    @property
    def passed(self) -> bool:
        return self.run.passed

    def to_dict(self) -> dict[str, Any]:
        return {**self.record.summary(), **event_payload(self.tag, self.version, self.run)}


def event_payload(tag: str, version: str, run: CommandRun) -> dict[str, Any]:
    return {"tag": tag, "version": version, "passed": run.passed, "command": list(run.args),
            "exit_code": run.exit_code, "timed_out": run.timed_out, "output": run.output,
            "seconds": round(run.seconds, 3)}


def publish(ctx: Context, key: str, actor: str) -> Published:
    """Run the publish command at the release tag and record what it did."""
    rec = ctx.records.get(key)
    guard(ctx, rec, "publish", actor)
    argv = _command(ctx, rec.key)
    work = work_of(rec)
    path = _at_release_tag(ctx, work)
    args = fill(argv, {"tag": work.tag, "version": work.version})
    env = {"HOTFIX_ID": rec.key, "HOTFIX_TAG": work.tag, "HOTFIX_VERSION": work.version}
    run = run_publish(args, path, env, ctx.cfg.float("release.publish_timeout"))
    after = ctx.records.act(rec.key, "publish", actor,
                            event_payload(work.tag, work.version, run))
    return Published(after, work.tag, work.version, run)


def _command(ctx: Context, key: str) -> list[str]:
    argv = [str(a) for a in ctx.cfg.list(SETTING)]
    if not argv:
        raise NotConfigured(
            f"{key} cannot be published: {SETTING} is empty, so hotfix does not know how "
            "this library is published",
            hint=f'set it in hotfix.toml, e.g. [release] publish_command = ["./publish.sh", '
                 f'"{{tag}}"]; then: hotfix publish {key}')
    return argv


def _at_release_tag(ctx: Context, work: Work) -> Path:
    """The hotfix's worktree, checked to be exactly its release tag, without changes."""
    path = tree(ctx, work)
    tagged = ctx.git.tag_commit(work.tag)
    if tagged is None:
        raise NotFound(f"the release tag {work.tag} of {work.key} is gone",
                       hint=f"recreate it on the release commit (hotfix status {work.key} "
                            f"shows it): git tag -a {work.tag} RELEASE_COMMIT")
    head = ctx.git.head_of(path)
    if head != tagged:
        raise PolicyViolation(
            f"the worktree of {work.key} ({path}) is at {head[:12]}, not at its release tag "
            f"{work.tag} ({tagged[:12]}); hotfix publishes only what was tagged",
            hint=f"see what is not in the release: git -C {path} log --oneline {work.tag}..; "
                 f"keep it on another branch, then: git -C {path} reset --keep {work.tag}")
    changed = ctx.git.uncommitted(path)
    if changed:
        raise PolicyViolation(
            f"the worktree of {work.key} ({path}) has uncommitted changes "
            f"({', '.join(changed[:5])}); they are not in {work.tag}",
            hint=f"drop them: git -C {path} checkout -- .; then: hotfix publish {work.key}")
    return path
