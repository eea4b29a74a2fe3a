"""``hotfix content export DIR``: every zone's live content as files, for a static site.

Each zone is written as ``DIR/ZONE.json`` (what ``GET /content/v1/zones/ZONE`` answers) and
``DIR/ZONE.html`` (its rendered fragment, as the JSON's ``fragment``: values escaped, rich
text sanitised again). Every
file is written beside its final name and renamed over it, so a site serving DIR never
reads half a file; a zone that has nothing published gets ``record: null`` and an empty
fragment, and files of zones no longer in the catalog are left alone (listed as stale)."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix.errors import UsageError

if TYPE_CHECKING:
    from hotfix.ports.content import Content


@dataclass(frozen=True)
class Exported:
    directory: Path
    catalog_version: int
    zones: dict[str, str | None]  # zone → the record it shows (None: nothing published)
    stale: list[str]  # ZONE.json files of zones the catalog no longer declares

    def to_dict(self) -> dict[str, object]:
        return {"directory": str(self.directory), "catalog_version": self.catalog_version,
                "zones": self.zones, "stale": self.stale}


def export(content: Content, directory: Path) -> Exported:
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} is not a directory",
                         hint="give a directory to write ZONE.json and ZONE.html into")
    directory.mkdir(parents=True, exist_ok=True)
    version, catalog = content.catalog()
    zones: dict[str, str | None] = {}
    for name in sorted(catalog.zones):
        live = content.zone(name)
        html = live.fragment  # rendered where the zone is derived (services.content.zones)
        _write(directory / f"{name}.json", json.dumps(live.body(), indent=2, sort_keys=True)
               + "\n")
        _write(directory / f"{name}.html", html + ("\n" if html else ""))
        zones[name] = live.key
    stale = sorted(p.stem for p in directory.glob("*.json") if p.stem not in catalog.zones)
    return Exported(directory, version.version, zones, stale)


def _write(path: Path, text: str) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
