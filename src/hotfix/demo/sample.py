"""Build the sample project: a small web shop in a git repo with real release history.

History (oldest first):
  v1.0.0  the shop: catalog, checkout, server, tests
  v1.1.0  checkout adds VAT for EU cards — with the bug: 500 for EU cards
  main    moves on: product search, version 1.2.0.dev0
  fix/eu-cards (from main)  the fix with its regression test
  bad/rate-service (from the fix)  a follow-up that fails one checkout in 33 (3%)
  fix/checkout-js (from main)  a "quick fix" in custom JavaScript: out of scope for a hotfix
"""

from __future__ import annotations

from pathlib import Path

from hotfix.adapters.git import cmd as git
from hotfix.demo import shop_files as f

ENGINEER = "dana@shop.example"
APPROVER = "lee@shop.example"


def init_sample_repo(path: Path) -> None:
    """An empty repository at ``path`` whose own settings win over the user's global ones
    (identity, signing, hooks)."""
    path.mkdir(parents=True, exist_ok=True)
    git.run(["init", "-q", "-b", "main"], path)
    for key, value in (("user.email", ENGINEER), ("user.name", "Dana Engineer"),
                       ("commit.gpgsign", "false"), ("tag.gpgsign", "false"),
                       ("core.hooksPath", ".git/hooks")):
        git.run(["config", key, value], path)


def build_sample(path: Path) -> Path:
    """Create the repository at ``path`` (which must not exist or be empty)."""
    init_sample_repo(path)
    _v1_0(path)
    _v1_1(path)
    _main_moves_on(path)
    _fix_branches(path)
    git.run(["checkout", "-q", "main"], path)
    return path


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def _commit(root: Path, message: str) -> str:
    git.run(["add", "-A"], root)
    git.run(["commit", "-q", "--no-verify", "-m", message], root)
    return git.out(["rev-parse", "HEAD"], root)


def _version_files(version: str) -> dict[str, str]:
    return {"pyproject.toml": f.PYPROJECT.format(version=version),
            "shop/__init__.py": f.INIT.format(version=version)}


def _v1_0(root: Path) -> None:
    _write(root, {**_version_files("1.0.0"), "shop/catalog.py": f.CATALOG,
                  "shop/checkout.py": f.CHECKOUT_V1, "shop/server.py": f.SERVER,
                  "tests/test_catalog.py": f.TEST_CATALOG,
                  "tests/test_checkout.py": f.TEST_CHECKOUT, "checks/eu_checkout.py": f.SMOKE,
                  ".gitignore": "__pycache__/\n.pytest_cache/\n",
                  "README.md": "# shop\n\nThe sample web shop of `hotfix demo`.\n",
                  "CHANGELOG.md": f.CHANGELOG_V1_0})
    _commit(root, "Shop: catalog, checkout, server")
    git.run(["tag", "-a", "v1.0.0", "-m", "Release 1.0.0"], root)


def _v1_1(root: Path) -> None:
    _write(root, {"shop/checkout.py": f.CHECKOUT_VAT})
    _commit(root, "Checkout: add VAT for EU cards")
    _write(root, {**_version_files("1.1.0"), "CHANGELOG.md": f.CHANGELOG_V1_1})
    _commit(root, "Release 1.1.0")
    git.run(["tag", "-a", "v1.1.0", "-m", "Release 1.1.0"], root)


def _main_moves_on(root: Path) -> None:
    catalog = (root / "shop/catalog.py").read_text(encoding="utf-8")
    _write(root, {"shop/catalog.py": catalog + f.SEARCH, "tests/test_search.py": f.TEST_SEARCH,
                  "CHANGELOG.md": f.CHANGELOG_V1_1.replace(
                      "## [1.1.0]", "## [Unreleased]\n\n### Added\n\n- Product search\n\n"
                      "## [1.1.0]")})
    _commit(root, "Catalog: product search")
    _write(root, _version_files("1.2.0.dev0"))
    _commit(root, "Start 1.2.0 development")


def _fix_branches(root: Path) -> None:
    checkout = (root / "shop/checkout.py").read_text(encoding="utf-8")
    tests = (root / "tests/test_checkout.py").read_text(encoding="utf-8")
    git.run(["checkout", "-q", "-b", "fix/eu-cards", "main"], root)
    _write(root, {"shop/checkout.py": checkout.replace(f.BUGGY_LINE, f.FIXED_LINE),
                  "tests/test_checkout.py": tests + f.TEST_EU})
    _commit(root, "Fix 500 on checkout for EU cards\n\nVAT rates are keyed by lower-case "
            "country code; unknown EU countries take the default rate.")
    fixed = (root / "shop/checkout.py").read_text(encoding="utf-8")
    fixed_tests = (root / "tests/test_checkout.py").read_text(encoding="utf-8")
    git.run(["checkout", "-q", "-b", "bad/rate-service", "fix/eu-cards"], root)
    _write(root, {"shop/checkout.py": fixed.replace(f.RATE_SERVICE_OLD, f.RATE_SERVICE_NEW),
                  "tests/test_checkout.py": fixed_tests + f.TEST_RATE})
    _commit(root, "Checkout: take VAT rates from the rate service")
    git.run(["checkout", "-q", "-b", "fix/checkout-js", "main"], root)
    _write(root, {"static/checkout-fix.js": f.CHECKOUT_JS})
    _commit(root, "Patch the checkout form in the browser")
