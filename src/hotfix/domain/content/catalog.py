"""Zones and templates: what engineering declares in ``content/`` and ``hotfix content
sync`` uploads as one versioned catalog.

A zone names the site paths it appears on; a zone on any checkout path is refused, whatever
it is called, and so is every template for it. A template names its zone and its typed
slots (``hotfix.domain.content.slots``). A template is usable only once an approver other
than its author approved its content hash (``template_digest``: the template and its zone),
as an event on the record (``hotfix.domain.content.approval``); ``approved`` is derived from
those events (``with_approvals``), never read from the template's file."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from fnmatch import fnmatchcase
from typing import Any

from hotfix.domain.content.images import ImageFacts
from hotfix.domain.content.slots import Slot, SlotRefused, SlotSpecError, slot_from

CHECKOUT_PATHS = ("/checkout", "/checkout/**", "/cart/pay", "/payment/**")


class CatalogError(ValueError):
    """The zones or templates break the content policy or cannot be read."""


@dataclass(frozen=True)
class Zone:
    name: str
    paths: tuple[str, ...]


@dataclass(frozen=True)
class Template:
    name: str
    zone: str
    slots: tuple[Slot, ...]
    approved: bool = False  # an approval of its current digest (``with_approvals``)
    author: str = ""  # its file's ``author``
    approved_by: str = ""  # who approved its current digest
    digest: str = ""  # ``template_digest``: what an approval pins

    def fill(self, given: Mapping[str, object], today: date,
             images: Mapping[str, ImageFacts] | None = None) -> dict[str, object]:
        """The slot values, each checked (an image slot in ``images`` takes that image, its
        value the alt text); ``SlotRefused`` names the first bad slot."""
        images = images or {}
        names = {s.name for s in self.slots}
        if unknown := sorted((set(given) | set(images)) - names):
            raise SlotRefused(unknown[0], "known-slot", f"template {self.name!r} has no such "
                              f"slot; its slots: {', '.join(sorted(names))}")
        out: dict[str, object] = {}
        for slot in self.slots:
            if slot.name in given or slot.name in images:
                out[slot.name] = slot.check(given.get(slot.name, ""), today,
                                            images.get(slot.name))
            elif slot.required:
                raise SlotRefused(slot.name, "required", "a value is required "
                                  f"(--set {slot.name}=…)")
        return out


@dataclass(frozen=True)
class Catalog:
    zones: Mapping[str, Zone]
    templates: Mapping[str, Template]
    body: Mapping[str, Any]  # the canonical form uploaded and stored

    @property
    def digest(self) -> str:
        return digest(self.body)


def digest(body: Mapping[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def template_digest(body: Mapping[str, Any], name: str) -> str:
    """The content hash of template ``name`` in a catalog's ``body``: its table and its
    zone's, so an edit to either needs a new approval (and a new draft). ``KeyError`` when
    the body has no such template or zone."""
    spec = body["templates"][name]
    return digest({"template": spec, "zone": body["zones"][spec["zone"]]})


# written in a template's file before approval became an event; a sync refuses them, a
# catalog stored before reads with them ignored
OLD_APPROVAL_KEYS = frozenset({"approved", "approved_by"})


def with_approvals(catalog: Catalog, approved_by: Mapping[str, str]) -> Catalog:
    """``catalog`` with each template in ``approved_by`` (name → its approver) approved."""
    templates = {name: replace(t, approved=name in approved_by,
                               approved_by=approved_by.get(name, ""))
                 for name, t in catalog.templates.items()}
    return Catalog(catalog.zones, templates, catalog.body)


def on_checkout(path: str, checkout: Sequence[str]) -> str | None:
    """The checkout glob ``path`` (itself maybe a glob) can reach, else None."""
    for glob in checkout:
        sample = glob.replace("**", "x/y").replace("*", "x")
        if fnmatchcase(path, glob) or fnmatchcase(sample, path) or \
                fnmatchcase(glob.rstrip("/*") or "/", path):
            return glob
    return None


def catalog_from(body: Mapping[str, Any],
                 checkout: Sequence[str] = CHECKOUT_PATHS) -> Catalog:
    """The catalog from its stored form ``{"zones": {…}, "templates": {…}}``, with the
    policy enforced: ``CatalogError`` for a zone on checkout or a template that is unsound."""
    zones: dict[str, Zone] = {}
    for name, spec in _tables(body, "zones"):
        paths = spec.get("paths")
        if not isinstance(paths, list) or not paths or not all(
                isinstance(p, str) and p.startswith("/") for p in paths):
            raise CatalogError(f"zone {name!r}: paths must be a list of site paths "
                               'starting with "/" (e.g. paths = ["/", "/products/*"])')
        for path in paths:
            if hit := on_checkout(path, checkout):
                raise CatalogError(f"zone {name!r} appears on {path!r}, a checkout path "
                                   f"({hit}): content hotfixes never touch checkout; "
                                   "change it with a code hotfix")
        zones[name] = Zone(name, tuple(paths))
    templates: dict[str, Template] = {}
    for name, spec in _tables(body, "templates"):
        zone = spec.get("zone")
        if zone not in zones:
            raise CatalogError(f"template {name!r} names zone {zone!r}, which content/"
                               f"zones.toml does not declare (zones: {', '.join(zones)})")
        slots = spec.get("slots")
        if not isinstance(slots, dict) or not slots:
            raise CatalogError(f"template {name!r} has no [slots]")
        try:
            typed = tuple(slot_from(n, s if isinstance(s, dict) else {})
                          for n, s in slots.items())
        except SlotSpecError as exc:
            raise CatalogError(f"template {name!r}: {exc}") from None
        if unknown := sorted(set(spec) - {"zone", "slots", "author", *OLD_APPROVAL_KEYS}):
            raise CatalogError(f"template {name!r}: unknown keys {', '.join(unknown)} "
                               "(a template holds only its zone, author and typed slots)")
        templates[name] = Template(name, str(zone), typed, author=str(spec.get("author", "")))
    stored = {"zones": dict(body.get("zones", {})), "templates": dict(body.get("templates", {}))}
    return Catalog(zones, {n: replace(t, digest=template_digest(stored, n))
                           for n, t in templates.items()}, stored)


def _tables(body: Mapping[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
    tables = body.get(key, {})
    if not isinstance(tables, dict):
        raise CatalogError(f"{key} must be a table of tables")
    out = []
    for name, spec in tables.items():
        if not isinstance(spec, dict):
            raise CatalogError(f"{key[:-1]} {name!r} must be a table")
        out.append((str(name), spec))
    return out
