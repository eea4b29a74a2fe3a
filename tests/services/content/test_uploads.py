"""The content desk with image uploads, on the memory store and catalogs: a file is kept
under its hash only once its whole draft passed; a kept image is named again by its URL and
checked against the new template's limits."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from hotfix.domain.content.images import Upload, facts
from hotfix.errors import UsageError
from hotfix.services.content.changes import ContentDesk
from tests.services.content.test_changes import ENG, MKT, body, changes, synced_desk

BANNER = {"zone": "shipping", "author": ENG,
          "slots": {"hero": {"type": "image", "max_width": 500, "max_height": 500},
                    "badge": {"type": "enum", "choices": ["sale", "new"]}}}
SMALL = {**BANNER, "slots": {"hero": {"type": "image", "max_width": 100,
                                      "max_height": 100}}}


def png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def banner(tmp_path: Path) -> ContentDesk:
    return synced_desk(tmp_path, body(banner=BANNER, small=SMALL))


def test_a_file_is_kept_only_when_its_whole_draft_passes(banner: ContentDesk) -> None:
    data = png((300, 200))
    upload = {"hero": Upload("a.png", "image/png", data)}
    with pytest.raises(UsageError, match="slot 'badge'"):
        banner.change("banner", {"hero": "A box", "badge": "old"}, MKT, files=upload)
    assert banner.catalogs.images.get(facts(data).name) is None
    made = banner.change("banner", {"hero": "A box", "badge": "new"}, MKT, files=upload)
    kept = banner.catalogs.images.get(facts(data).name)
    assert kept is not None
    assert (kept.data, kept.actor, kept.facts.width) == (data, MKT, 300)
    assert made.last("draft")["values"]["hero"]["url"] == facts(data).url  # type: ignore[index]


def test_a_kept_image_named_again_is_checked_against_the_new_templates_limits(
        banner: ContentDesk) -> None:
    data = png((300, 200))
    banner.change("banner", {"hero": "A box", "badge": "new"}, MKT,
                  files={"hero": Upload("a.png", None, data)})
    again = banner.change("banner", {"hero": f"{facts(data).url}|Again", "badge": "sale"},
                          MKT)
    assert again.last("draft")["values"]["hero"]["alt"] == "Again"  # type: ignore[index]
    with pytest.raises(UsageError, match=r"300×200 pixels, at most 100×100"):
        banner.change("small", {"hero": f"{facts(data).url}|Small"}, MKT)
    with pytest.raises(UsageError, match=r"\(rule: uploaded\)"):
        banner.change("small", {"hero": f"/content/v1/images/{'b' * 64}.png|Gone"}, MKT)
    assert len(changes(banner)) == 2
