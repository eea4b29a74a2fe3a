"""Build small real git repositories with a package and a pytest suite, for check tests."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

PRICING = '''\
"""Prices."""

EU = {"DE", "FR", "IT"}
RATE = 0.2


def vat(country):
    if country in EU:
        return RATE
    return 0.0


def total(amount, country):
    return round(amount * (1 + vat(country)), 2)


def discount(amount, percent):
    if percent > 50:
        raise ValueError("too much")
    return amount * (100 - percent) / 100
'''

UTIL = '''\
def slug(text):
    return text.lower().replace(" ", "-")


def shout(text):
    return text.upper() + "!"
'''

ORDERS = '''\
from shop.pricing import total


def order_total(lines, country):
    return sum(total(a, country) for a in lines)
'''

TEST_PRICING = '''\
from shop.pricing import discount, total, vat


def test_vat_de():
    assert vat("DE") == 0.2


def test_vat_us():
    assert vat("US") == 0.0


def test_total():
    assert total(10, "DE") == 12.0


def test_discount():
    assert discount(100, 10) == 90


def test_discount_too_much():
    import pytest
    with pytest.raises(ValueError):
        discount(100, 60)
'''

TEST_UTIL = '''\
from shop.util import shout, slug


def test_slug():
    assert slug("A B") == "a-b"


def test_shout():
    assert shout("hi") == "HI!"
'''

TEST_ORDERS = '''\
from shop.orders import order_total


class TestOrders:
    def test_sum(self):
        assert order_total([10, 10], "US") == 20

    def test_sum_eu(self):
        assert order_total([10], "FR") == 12.0
'''


def git(root: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com",
           "PATH": "/usr/bin:/bin", "HOME": str(root)}
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def commit(root: Path, message: str, files: dict[str, str] | None = None) -> str:
    write(root, files or {})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


def shop_repo(root: Path) -> Path:
    """A repo with package ``shop`` and tests, tagged v1.0.0."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    write(root, {"shop/__init__.py": "", "shop/pricing.py": PRICING, "shop/util.py": UTIL,
                 "shop/orders.py": ORDERS, "tests/test_pricing.py": TEST_PRICING,
                 "tests/test_util.py": TEST_UTIL, "tests/test_orders.py": TEST_ORDERS,
                 ".gitignore": ".hotfix/\n__pycache__/\n"})
    commit(root, "shop v1")
    git(root, "tag", "v1.0.0")
    return root


def fix_vat(root: Path, *, with_test: bool = True) -> str:
    """On branch hotfix/vat: Spain joins the EU set, with a regression test."""
    git(root, "checkout", "-q", "-b", "hotfix/vat", "v1.0.0")
    files = {"shop/pricing.py": PRICING.replace('"IT"}', '"IT", "ES"}')}
    if with_test:
        files["tests/test_pricing.py"] = TEST_PRICING + '''

def test_vat_es():
    assert vat("ES") == 0.2
'''
    return commit(root, "fix: VAT for Spain", files)


def configure(root: Path, toml: str) -> None:
    """An uncommitted hotfix.toml, as a user keeps it."""
    (root / "hotfix.toml").write_text(textwrap.dedent(toml), encoding="utf-8")
