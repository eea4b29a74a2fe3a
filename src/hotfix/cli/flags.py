"""``hotfix flags create/set/kill/list/show``: feature flags kept on the record.

Every change goes through ``Records`` (the local record, or the team server when signed in),
so it is an event with who and why, decided by the ``flag`` kind's lifecycle."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.markup import escape

from hotfix.cli.common import (
    ActorOpt,
    JsonOpt,
    OverrideOpt,
    actor,
    console,
    context,
    emit,
    err_console,
)
from hotfix.cli.open_cmd import AnswerOpt, _answers
from hotfix.cli.serve import DirOpt
from hotfix.errors import UsageError

flags_app = typer.Typer(help="Feature flags and kill switches, served over OFREP.",
                        no_args_is_help=True, rich_markup_mode=None, add_completion=False)
KeyArg = Annotated[str, typer.Argument(help="The flag's key, e.g. new-checkout.")]
ReasonOpt = Annotated[str, typer.Option("--reason", "-r", help="Why: kept on the record.")]
SplitOpt = Annotated[list[str] | None, typer.Option(
    "--split", metavar="VARIANT=PERCENT",
    help="A percentage split, sticky per targetingKey, e.g. --split on=10 (the rest goes to "
         "the default variant); repeat to give every variant its share.")]
RuleOpt = Annotated[list[str] | None, typer.Option(
    "--rule", metavar="'ATTR OP VALUE -> VARIANT'",
    help="A targeting rule, e.g. --rule 'plan in [\"pro\",\"team\"] -> on'. OP: equals, "
         "not_equals, in, gt, ge, lt, le, semver_gt/ge/lt/le, after (an ISO date). VALUE is "
         "JSON, else a string. Repeat; first match wins.")]
DefaultOpt = Annotated[str | None, typer.Option("--default", help="The variant served when "
                                                "no rule matches and there is no split.")]


def register(app: typer.Typer) -> None:
    app.add_typer(flags_app, name="flags")


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _pairs(items: list[str], what: str) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"{item!r} has no '=': write {what}")
        pairs.append((name.strip(), value.strip()))
    return pairs


def _rules(items: list[str]) -> list[dict[str, Any]]:
    rules = []
    for item in items:
        test, arrow, variant = item.rpartition("->")
        parts = test.strip().split(None, 2)
        if not arrow or len(parts) != 3 or not variant.strip():
            raise UsageError(f"cannot read the rule {item!r}",
                             hint="write 'ATTRIBUTE OP VALUE -> VARIANT', e.g. "
                                  "'plan equals pro -> on'")
        rules.append({"attribute": parts[0], "op": parts[1], "value": _json(parts[2]),
                      "variant": variant.strip()})
    return rules


def _split(items: list[str], variants: list[str], default: str) -> list[list[Any]]:
    split: list[list[Any]] = []
    for name, value in _pairs(items, "VARIANT=PERCENT, e.g. on=10"):
        try:
            split.append([name, int(value.rstrip("%"))])
        except ValueError:
            raise UsageError(f"{value!r} is not a whole percentage",
                             hint="e.g. --split on=10") from None
    rest = 100 - sum(int(w) for _, w in split)
    named = {n for n, _ in split}
    if 0 < rest <= 100 and default not in named:
        split.append([default, rest])
    elif rest and len(named) < len(variants):
        pass  # the definition's check says the sum is wrong
    return split


def _changes(default: str | None, split: list[str] | None, rule: list[str] | None,
             clear_rules: bool, base: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if default is not None:
        changes["default"] = default
    if rule or clear_rules:
        changes["rules"] = _rules(rule or [])
    if split is not None:
        changes["split"] = _split(split, list(base["variants"]),
                                  changes.get("default", base["default"]))
    return changes


@flags_app.command("create")
def create(
    key: KeyArg,
    reason: ReasonOpt = "",
    type_: Annotated[str, typer.Option("--type", help="boolean, string, number or object.")]
    = "boolean",
    variant: Annotated[list[str] | None, typer.Option(
        "--variant", metavar="NAME=JSON",
        help="A variant and its value, e.g. --variant blue='\"#00f\"'. A boolean flag has "
             "on=true and off=false unless given.")] = None,
    default: DefaultOpt = None,
    off: Annotated[str | None, typer.Option(
        "--off", help="The variant the kill switch serves (else the default).")] = None,
    rule: RuleOpt = None,
    split: SplitOpt = None,
    answer: AnswerOpt = None,
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose a flag: opens a flag record to triage and approve, then `hotfix flags set`."""
    from hotfix.services.flags.changes import propose

    variants = {n: _json(v) for n, v in _pairs(variant or [], "NAME=JSON, e.g. on=true")}
    if not variants and type_ == "boolean":
        variants = {"on": True, "off": False}
    chosen = default or ("off" if "off" in variants else next(iter(variants), ""))
    definition: dict[str, Any] = {"key": key, "type": type_, "variants": variants,
                                  "default": chosen, "off": off}
    definition.update(_changes(None, split, rule, False, definition))
    with context() as ctx:
        record = propose(ctx.records, actor(ctx, as_), definition, reason,
                         _answers(answer or []) or None)

    def render() -> None:
        console.print(f"{record.key} proposes flag {key} ({record.state.value})")
        if record.next_step():
            console.print(f"  [dim]next:[/] {escape(record.next_step() or '')}")

    emit(as_json, {"flag": key, "record": record.key, "state": record.state.value,
                   "next": record.next_step()}, render)


@flags_app.command("set")
def set_(
    key: KeyArg,
    reason: ReasonOpt = "",
    default: DefaultOpt = None,
    rule: RuleOpt = None,
    clear_rules: Annotated[bool, typer.Option("--clear-rules", help="Drop every rule.")]
    = False,
    split: SplitOpt = None,
    no_split: Annotated[bool, typer.Option("--no-split", help="Drop the split.")] = False,
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Serve the flag (its approved proposal, with these changes) on its record."""
    from hotfix.services.flags.changes import newest_definition, one, set_flag

    with context() as ctx:
        base = newest_definition(one(ctx.records, key))
        changes = _changes(default, split, rule, clear_rules, base)
        if no_split:
            changes["split"] = []
        record = set_flag(ctx.records, actor(ctx, as_), key, changes, reason)
        shown = one(ctx.records, key)
    emit(as_json, shown.to_dict(), lambda: _show(shown.to_dict(), record.key))


@flags_app.command("kill")
def kill(
    key: KeyArg,
    reason: ReasonOpt = "",
    override: OverrideOpt = None,
    as_: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The kill switch: every evaluation serves the off variant at once (reason DISABLED)."""
    from hotfix.services.flags.changes import kill as kill_flag
    from hotfix.services.flags.changes import one

    with context() as ctx:
        record = kill_flag(ctx.records, actor(ctx, as_), key, reason, override)
        shown = one(ctx.records, key)
    emit(as_json, shown.to_dict(), lambda: _show(shown.to_dict(), record.key))


@flags_app.command("list")
def list_(as_json: JsonOpt = False) -> None:
    """Every flag: what it serves now and its record."""
    from hotfix.services.flags.changes import flags

    with context() as ctx:
        found = [f.to_dict() for f in flags(ctx.records).values()]

    def render() -> None:
        if not found:
            console.print("no flags yet: hotfix flags create KEY --reason \"…\"")
        for flag in found:
            served = flag["served"] or flag["proposed"]
            console.print(f"{flag['key']:<24} {flag['status']:<9} {served['type']:<8} "
                          f"default {served['default']:<8} {flag['record']} "
                          f"({flag['record_state']})", soft_wrap=True)

    emit(as_json, found, render)


@flags_app.command("show")
def show(key: KeyArg, as_json: JsonOpt = False) -> None:
    """One flag: its variants, rules, split, kill switch and history."""
    from hotfix.services.flags.changes import one

    with context() as ctx:
        shown = one(ctx.records, key).to_dict()
    emit(as_json, shown, lambda: _show(shown, shown["record"]))


@flags_app.command("history")
def history(key: KeyArg, as_json: JsonOpt = False) -> None:
    """Every change of one flag, oldest first: when, on which record, what, by whom, why."""
    from hotfix.services.flags.changes import one

    with context() as ctx:
        changes = one(ctx.records, key).to_dict()["history"]

    def render() -> None:
        for change in changes:
            console.print(f"{change['at'][:19]}  {change['record']:<6} {change['action']:<8} "
                          f"by {change['actor']}: {escape(change['reason'])}", soft_wrap=True)

    emit(as_json, changes, render)


def _show(flag: dict[str, Any], record: str) -> None:
    served = flag["served"] or flag["proposed"]
    console.print(f"{flag['key']}  {flag['status']}  ({record}, {flag['record_state']})")
    for name, value in served["variants"].items():
        mark = " (default)" if name == served["default"] else ""
        console.print(f"  variant {name} = {escape(json.dumps(value))}{mark}")
    for rule in served["rules"]:
        console.print(f"  rule    {rule['attribute']} {rule['op']} "
                      f"{escape(json.dumps(rule['value']))} -> {rule['variant']}")
    if served["split"]:
        console.print("  split   " + ", ".join(f"{v} {w}%" for v, w in served["split"]))
    for change in flag["history"]:
        console.print(f"  [dim]{change['at'][:19]} {change['record']} {change['action']} "
                      f"by {change['actor']}: {escape(change['reason'])}[/]", soft_wrap=True)


key_app = typer.Typer(help="The project's client keys, for OpenFeature SDKs (run on the "
                      "server, like hotfix users).", no_args_is_help=True,
                      rich_markup_mode=None, add_completion=False)
flags_app.add_typer(key_app, name="key")
ProjectOpt = Annotated[str, typer.Option("--project", help="The project the key reads "
                                         "flags of.")]


def _by() -> str:
    import getpass
    import socket

    return f"{getpass.getuser()}@{socket.gethostname()} (hotfix flags key)"


@key_app.command("create")
def key_create(
    project: ProjectOpt = "default",
    label: Annotated[str, typer.Option("--label", help="What the key is for.")] = "",
    directory: DirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a read-only client key for OFREP: printed once, only its hash is kept."""
    from hotfix.cli.users import _identities
    from hotfix.services.flags.client_keys import create_key

    with _identities(directory) as (ids, clock):
        issued = create_key(ids, project, label, _by(), clock.now())

    def render() -> None:
        console.print(f"client key {issued.key.id} for project {issued.key.project}")
        console.print(issued.secret, soft_wrap=True)
        err_console.print("this key is shown once: give it to the app's OFREP provider "
                          "(Authorization: Bearer …)")

    emit(as_json, {"id": issued.key.id, "project": issued.key.project, "key": issued.secret,
                   "label": label}, render)


@key_app.command("revoke")
def key_revoke(
    key_id: Annotated[int, typer.Argument(help="The key's id (hotfix flags key list).")],
    project: ProjectOpt = "default",
    directory: DirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revoke a client key: evaluations with it get 401 from now on."""
    from hotfix.cli.users import _identities
    from hotfix.services.flags.client_keys import revoke_key

    with _identities(directory) as (ids, clock):
        revoke_key(ids, project, key_id, clock.now())
    emit(as_json, {"id": key_id, "project": project, "revoked": True},
         lambda: console.print(f"revoked client key {key_id} of {project}"))


@key_app.command("list")
def key_list(directory: DirOpt = None, as_json: JsonOpt = False) -> None:
    """Every client key: its project, label, who made it and whether it is revoked."""
    from hotfix.cli.users import _identities

    with _identities(directory) as (ids, _):
        keys = [{"id": k.id, "project": k.project, "label": k.label,
                 "created_by": k.created_by, "created_at": k.created_at.isoformat(),
                 "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None}
                for k in ids.client_keys()]

    def render() -> None:
        if not keys:
            console.print("no client keys: hotfix flags key create --project NAME")
        for k in keys:
            state = f"revoked {k['revoked_at']}" if k["revoked_at"] else "live"
            console.print(f"key {k['id']}  {k['project']}  {k['label']}  {state}  "
                          f"by {k['created_by']}", soft_wrap=True)

    emit(as_json, keys, render)
