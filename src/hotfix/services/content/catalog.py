"""The catalog in the repository (``content/zones.toml``, ``content/templates/*.toml``)
and its sync to the record, as a new version each time it changes."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from hotfix.config import Config
from hotfix.domain.content.catalog import (
    CHECKOUT_PATHS,
    OLD_APPROVAL_KEYS,
    Catalog,
    CatalogError,
    catalog_from,
    digest,
)
from hotfix.domain.content.images import IMAGE_PATH, relocated, relocated_fragment
from hotfix.domain.content.live import Live
from hotfix.domain.identity.access import ROLES
from hotfix.errors import ConfigError, NotFound, PolicyViolation, UsageError
from hotfix.ports.clock import Clock
from hotfix.ports.content import CatalogVersion, ContentCatalogs


@dataclass(frozen=True)
class ContentSettings:
    checkout: tuple[str, ...] = CHECKOUT_PATHS  # content.checkout_paths
    max_age: int = 5  # content.max_age: seconds a site or CDN may cache a zone
    public_url: str = ""  # content.public_url: images named absolute, for another origin
    approvals: tuple[tuple[str, int], ...] = ()  # content.approvals: zone or glob → count
    approver_roles: tuple[str, ...] = ("approver",)  # content.approver_roles (server)

    @classmethod
    def from_config(cls, cfg: Config) -> ContentSettings:
        public = cfg.str("content.public_url").strip().rstrip("/")
        if public and not public.startswith(("https://", "http://")):
            raise ConfigError(f"content.public_url {public!r} is not an http(s) URL",
                              hint='e.g. content.public_url = "https://hotfix.shop.example"')
        return cls(tuple(str(p) for p in cfg.list("content.checkout_paths")),
                   max(0, cfg.int("content.max_age")), public,
                   _approvals(cfg.table("content.approvals")),
                   _roles(cfg.list("content.approver_roles")))

    def delivered(self, live: Live) -> Live:
        """``live`` as the public zone endpoint gives it: with ``public_url``, each
        uploaded image named by its absolute URL."""
        if not self.public_url:
            return live
        prefix = self.public_url + IMAGE_PATH
        return replace(live, values=relocated(live.values, prefix),
                       fragment=relocated_fragment(live.fragment, prefix))


def _approvals(table: Mapping[str, Any]) -> tuple[tuple[str, int], ...]:
    out = []
    for zone, count in table.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ConfigError(f"content.approvals.{zone} = {count!r} is not a whole number "
                              "of 1 or more", hint='e.g. content.approvals = {"cart-banner" '
                              "= 2}")
        out.append((str(zone), count))
    return tuple(out)


def _roles(given: Sequence[Any]) -> tuple[str, ...]:
    unknown = [str(r) for r in given if r not in ROLES]
    if unknown:
        raise ConfigError(f"content.approver_roles names no role {', '.join(unknown)}",
                          hint=f"the roles: {', '.join(ROLES)}")
    return tuple(str(r) for r in given)


SYNC_HINT = "an engineer runs: hotfix content sync (in the repository, with content/)"


def read_catalog(root: Path) -> dict[str, Any]:
    """The catalog's body as written in ``root/content/``; a clear error naming the file."""
    folder = root / "content"
    zones_file = folder / "zones.toml"
    if not zones_file.is_file():
        raise NotFound(f"{zones_file} does not exist",
                       hint='declare the zones there: [banner] paths = ["/", "/products/*"]')
    body: dict[str, Any] = {"zones": _toml(zones_file), "templates": {}}
    for path in sorted((folder / "templates").glob("*.toml")):
        body["templates"][path.stem] = _toml(path)
    return body


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: {exc}", hint="fix the TOML, then sync again") from None


def checked(body: Mapping[str, Any], checkout: Sequence[str]) -> Catalog:
    try:
        return catalog_from(body, checkout)
    except CatalogError as exc:
        raise PolicyViolation(str(exc), hint="fix content/ and sync again; see "
                              "docs/content.md (policy)") from None


def sync(catalogs: ContentCatalogs, body: Mapping[str, Any], actor: str, clock: Clock,
         checkout: Sequence[str]) -> tuple[CatalogVersion, bool]:
    """Keep ``body`` as the newest version when it passes the policy and differs from the
    newest; nothing is written otherwise. A template that still says it is approved
    (``approved``, ``approved_by``) is refused: approval is an approver's event now."""
    _no_approval_in_files(body)
    catalog = checked(body, checkout)
    return catalogs.add(catalog.body, digest(catalog.body), actor, clock.now())


def _no_approval_in_files(body: Mapping[str, Any]) -> None:
    templates = body.get("templates")
    for name, spec in (templates.items() if isinstance(templates, Mapping) else ()):
        if isinstance(spec, Mapping) and (found := sorted(OLD_APPROVAL_KEYS & set(spec))):
            raise PolicyViolation(
                f"template {name!r} says {' and '.join(found)} in its file: a template is no "
                "longer approved in the repository, where anyone who edits it could write "
                "that; an approver other than its author approves the synced template with "
                f"hotfix content approve {name}",
                hint=f"remove {', '.join(found)} from content/templates/{name}.toml and sync "
                "again; then an approver runs hotfix content approve (docs/content.md)")


def current(catalogs: ContentCatalogs, checkout: Sequence[str]) -> tuple[CatalogVersion,
                                                                         Catalog]:
    latest = catalogs.latest()
    if latest is None:
        raise NotFound("no content zones or templates have been synced", hint=SYNC_HINT)
    return latest, checked(latest.body, checkout)
