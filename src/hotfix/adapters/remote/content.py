"""``ports.Content`` on the team server: ``hotfix content`` signed in (docs/content.md).

The server keeps the catalog and decides every step with it; records come back as their
events and are derived here with the server's settings (``RemoteRecords.record_of``)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from hotfix.adapters.remote.records import RemoteRecords
from hotfix.domain.content.approval import TemplateApproval
from hotfix.domain.content.catalog import Catalog, catalog_from, with_approvals
from hotfix.domain.content.images import Upload
from hotfix.domain.content.live import Live
from hotfix.domain.record.hotfix import Hotfix
from hotfix.ports.content import CatalogVersion


class RemoteContent:
    def __init__(self, records: RemoteRecords) -> None:
        self.records, self.client = records, records.client
        self.base = f"{records.base}/content"

    def sync(self, body: Mapping[str, Any], actor: str) -> tuple[CatalogVersion, bool]:
        answer = self.client.post(f"{self.base}/catalog", dict(body))
        return _version(answer), bool(answer["created"])

    def catalog(self) -> tuple[CatalogVersion, Catalog]:
        answer = self.client.get(f"{self.base}/catalog")
        version = _version(answer)
        catalog = catalog_from(version.body, ())  # the server enforced the policy
        approvals = answer.get("approvals") or {}
        return version, with_approvals(catalog, {str(n): str(a["by"])
                                                 for n, a in approvals.items()})

    def approve(self, name: str, digest: str, actor: str) -> tuple[TemplateApproval, bool]:
        got = self.client.post(f"{self.base}/templates/{quote(name, safe='')}/approve",
                               {"digest": digest})
        return TemplateApproval(str(got["template"]), str(got["digest"]), str(got["by"]),
                                datetime.fromisoformat(str(got["at"])), str(got["record"]),
                                tuple(str(a) for a in got.get("authors", ()))), \
            bool(got["created"])

    def change(self, name: str, values: Mapping[str, Any], actor: str,
               title: str | None = None, files: Mapping[str, Upload] | None = None) -> Hotfix:
        body = {"template": name, "values": dict(values), "title": title,
                "files": _files(files or {})}
        return self.records.record_of(self.client.post(f"{self.base}/changes", body))

    def draft(self, key: str, name: str, values: Mapping[str, Any], actor: str,
              files: Mapping[str, Upload] | None = None) -> Hotfix:
        body = {"template": name, "values": dict(values), "files": _files(files or {})}
        return self.records.record_of(self.client.post(self._change(key, "draft"), body))

    def publish(self, key: str, actor: str) -> Hotfix:
        return self.records.record_of(self.client.post(self._change(key, "publish")))

    def revert(self, key: str, actor: str) -> Hotfix:
        return self.records.record_of(self.client.post(self._change(key, "revert")))

    def schedule(self, key: str, actor: str, start: str | None, end: str | None,
                 tz: str = "UTC") -> Hotfix:
        body = {"start": start, "end": end, "tz": tz}
        return self.records.record_of(self.client.post(self._change(key, "schedule"), body))

    def zone(self, name: str) -> Live:
        got = self.client.get(f"{self.base}/zones/{quote(name, safe='')}")
        at = got.get("published_at")
        return Live(str(got["zone"]), got.get("record"), got.get("template"),
                    dict(got.get("values") or {}), datetime.fromisoformat(at) if at else None,
                    got.get("catalog_version"))

    def _change(self, key: str, step: str) -> str:
        return f"{self.base}/changes/{quote(key.strip(), safe='')}/{step}"


def _files(files: Mapping[str, Upload]) -> dict[str, dict[str, str | None]]:
    """The files as the server's JSON body takes them: bytes in base64; the server checks
    what they are."""
    return {slot: {"filename": f.filename, "type": f.media_type,
                   "data": base64.b64encode(f.data).decode("ascii")}
            for slot, f in files.items()}


def _version(answer: Mapping[str, Any]) -> CatalogVersion:
    body = {"zones": dict(answer["zones"]), "templates": dict(answer["templates"])}
    return CatalogVersion(int(answer["version"]), str(answer["digest"]), body,
                          str(answer["actor"]), datetime.fromisoformat(str(answer["at"])))
