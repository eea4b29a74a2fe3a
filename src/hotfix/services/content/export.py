"""``hotfix content export DIR``: every zone's live content as files, for a static site.

Each zone is written as ``DIR/ZONE.json`` (what ``GET /content/v1/zones/ZONE`` answers) and
``DIR/ZONE.html`` (its rendered fragment, as the JSON's ``fragment`` too: values escaped,
rich text sanitised again), and each uploaded image a zone shows as ``DIR/images/NAME`` (its
content-hash name, its bytes exactly; one already there with those bytes is not written
again). The JSON and the fragment name an image by ``images_url + NAME`` (``images/NAME`` by
default, relative to DIR), so the exported site needs nothing of the team server. The images
are written before the zones that name them, and every file beside its final name and
renamed over it, so a site serving DIR never reads half a file nor names an image not there
yet; a zone that has nothing published gets ``record: null`` and an empty fragment, and
files of zones no longer in the catalog are left alone (listed as stale), as are images no
zone shows any more (a page cached elsewhere may still name them)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix.domain.content.images import referenced, relocated
from hotfix.domain.content.preview import fragment
from hotfix.errors import NotFound, ServerUnavailable, UsageError

if TYPE_CHECKING:
    from hotfix.ports.content import Content

IMAGES = "images/"  # the folder under DIR, and how the exported files name it by default


@dataclass(frozen=True)
class Exported:
    directory: Path
    catalog_version: int
    zones: dict[str, str | None]  # zone → the record it shows (None: nothing published)
    stale: list[str]  # ZONE.json files of zones the catalog no longer declares
    images: list[str]  # the uploaded images the zones show, under DIR/images/
    written: list[str]  # those of them written now (the others were there, byte for byte)

    def to_dict(self) -> dict[str, object]:
        return {"directory": str(self.directory), "catalog_version": self.catalog_version,
                "zones": self.zones, "stale": self.stale, "images": self.images,
                "written": self.written}


def export(content: Content, directory: Path, images_url: str = IMAGES) -> Exported:
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} is not a directory",
                         hint="give a directory to write ZONE.json and ZONE.html into")
    prefix = images_url if images_url.endswith("/") else f"{images_url}/"
    directory.mkdir(parents=True, exist_ok=True)
    version, catalog = content.catalog()
    zones: dict[str, str | None] = {}
    shown: set[str] = set()
    written: list[str] = []
    for name in sorted(catalog.zones):
        live = content.zone(name)
        for image in sorted(referenced(dict(live.values)) - shown):
            if _image(content, directory / IMAGES.rstrip("/"), image):
                written.append(image)
            shown.add(image)
        live = replace(live, values=relocated(live.values, prefix))
        template = catalog.templates.get(live.template or "")
        html = fragment(template, live.values) if template is not None and live.key else ""
        live = replace(live, fragment=html)  # its images named as the export names them
        _write(directory / f"{name}.json", (json.dumps(live.body(), indent=2, sort_keys=True)
                                            + "\n").encode())
        _write(directory / f"{name}.html", (html + ("\n" if html else "")).encode())
        zones[name] = live.key
    stale = sorted(p.stem for p in directory.glob("*.json") if p.stem not in catalog.zones)
    return Exported(directory, version.version, zones, stale, sorted(shown), sorted(written))


def _image(content: Content, folder: Path, name: str) -> bool:
    """Write image ``name`` into ``folder`` unless its bytes are there already: True when
    written. The bytes are checked against the name (their SHA-256) either way."""
    path, digest = folder / name, name.partition(".")[0]
    if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == digest:
        return False
    data = content.image(name)
    if data is None:
        raise NotFound(f"a zone shows the uploaded image {name}, which is not kept",
                       hint="make the change again with the image: hotfix content change …")
    if hashlib.sha256(data).hexdigest() != digest:
        raise ServerUnavailable(f"the bytes given for image {name} are not that image (their "
                                "SHA-256 differs)", hint="run the export again; if it "
                                "persists, something between you and the server alters them")
    folder.mkdir(exist_ok=True)
    _write(path, data)
    return True


def _write(path: Path, data: bytes) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
