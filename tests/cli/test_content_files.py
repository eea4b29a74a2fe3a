"""``hotfix content change|draft --file SLOT=PATH``: an image slot's file, checked by its
bytes where the change is decided (here the local record, real SQLite; signed in, the team
server: tests/server/test_content_client.py), with money and enum slots beside it; a bad
file refused naming the slot, nothing recorded."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from hotfix.domain.content.approval import CATALOG_TITLE
from tests.cli.conftest import Invoke
from tests.cli.test_content import ENG, LEAD, MKT, ZONES

HERO = f'''zone = "shipping"
author = "{ENG}"

[slots.hero]
type = "image"
max_width = 600
max_height = 300

[slots.price]
type = "money"
currencies = ["EUR", "JPY"]
min = "0.50"

[slots.badge]
type = "enum"
choices = [{{ value = "sale", label = "On sale" }}, "new"]
'''


def write_hero(repo: Path) -> None:
    (repo / "content" / "templates").mkdir(parents=True, exist_ok=True)
    (repo / "content" / "zones.toml").write_text(ZONES)
    (repo / "content" / "templates" / "hero-banner.toml").write_text(HERO)


def picture(path: Path, fmt: str, size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (250, 200, 0)).save(out, fmt)
    path.write_bytes(out.getvalue())
    return out.getvalue()


def test_a_file_goes_into_an_image_slot_beside_money_and_an_enum(
        hotfix: Invoke, repo: Path, tmp_path: Path) -> None:
    write_hero(repo)
    assert hotfix("content", "sync", "--as", ENG).code == 0
    assert hotfix("content", "approve", "hero-banner", "--as", LEAD).code == 0
    data = picture(tmp_path / "banner.webp", "WEBP", (600, 200))
    made = hotfix("content", "change", "hero-banner", "--file", f"hero={tmp_path}/banner.webp",
                  "--set", "hero=Winter sale", "--set", "price=1250 JPY", "--set",
                  "badge=sale", "--as", MKT, "--json")
    assert made.code == 0, made.err
    name = f"{hashlib.sha256(data).hexdigest()}.webp"
    assert made.json()["draft"]["values"] == {
        "hero": {"url": f"/content/v1/images/{name}", "alt": "Winter sale", "width": 600,
                 "height": 200},
        "price": {"amount": "1250", "currency": "JPY"}, "badge": "sale"}
    redraft = hotfix("content", "draft", made.json()["id"], "--template", "hero-banner",
                     "--set", f"hero=/content/v1/images/{name}|Still winter", "--set",
                     "price=EUR 3", "--set", "badge=new", "--as", MKT, "--json")
    assert redraft.code == 0, redraft.err
    assert redraft.json()["draft"]["values"]["hero"]["alt"] == "Still winter"
    assert redraft.json()["draft"]["values"]["price"] == {"amount": "3.00", "currency": "EUR"}


@pytest.mark.parametrize(("name", "fmt", "size", "says"), [
    ("banner.png", "JPEG", (10, 10), "named .png but its bytes are image/jpeg"),
    ("huge.png", "PNG", (601, 10), "601×10 pixels, at most 600×300"),
    ("banner.tiff", "TIFF", (10, 10), "the bytes are not a PNG, JPEG, WebP or GIF"),
    ("banner.bmp", "PNG", (10, 10), "extension .bmp"),
])
def test_a_bad_file_is_refused_naming_the_slot_and_nothing_is_recorded(
        hotfix: Invoke, repo: Path, tmp_path: Path, name: str, fmt: str,
        size: tuple[int, int], says: str) -> None:
    write_hero(repo)
    assert hotfix("content", "sync", "--as", ENG).code == 0
    assert hotfix("content", "approve", "hero-banner", "--as", LEAD).code == 0
    picture(tmp_path / name, fmt, size)
    refused = hotfix("content", "change", "hero-banner", "--file", f"hero={tmp_path / name}",
                     "--set", "hero=Sale", "--set", "price=1 EUR", "--set", "badge=new",
                     "--as", MKT)
    assert refused.code == 2, refused.err
    assert "slot 'hero'" in refused.err
    assert says in refused.err
    assert [r["title"] for r in hotfix("list", "--json").json()] == [CATALOG_TITLE]


def test_a_file_that_cannot_be_read_or_a_bad_option_says_so(
        hotfix: Invoke, repo: Path, tmp_path: Path) -> None:
    write_hero(repo)
    assert hotfix("content", "sync", "--as", ENG).code == 0
    assert hotfix("content", "approve", "hero-banner", "--as", LEAD).code == 0
    missing = hotfix("content", "change", "hero-banner", "--file",
                     f"hero={tmp_path}/nowhere.png", "--as", MKT)
    assert missing.code == 2
    assert "--file hero: cannot read" in missing.err
    bare = hotfix("content", "change", "hero-banner", "--file", "banner.png", "--as", MKT)
    assert bare.code == 2
    assert "is not SLOT=PATH" in bare.err
    assert [r["title"] for r in hotfix("list", "--json").json()] == [CATALOG_TITLE]

