"""The audit on real git histories: every way a backport is found, and every way it is not."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from hotfix.adapters.git.repo import Git
from hotfix.adapters.store.sql import SqlStore
from hotfix.domain.audit.equivalence import By, Status, Waiver
from hotfix.domain.audit.release_files import ReleaseFiles
from hotfix.errors import NotFound
from hotfix.ports import Cache
from hotfix.services.git.audit import WALK, AuditOptions, LineRef, Walk, audit_refs
from hotfix.services.git.commit_facts import PATCH_ID
from tests.audit_repos import Repo

OPTIONS = AuditOptions(ReleaseFiles(("CHANGELOG*", "VERSION"), ("pyproject.toml",)))
T0 = datetime(2026, 5, 1, tzinfo=UTC)


@dataclass
class Story:
    repo: Repo
    shas: dict[str, str]


@pytest.fixture
def story(tmp_path: Path) -> Story:
    """main and release/1.1 with one commit of every kind the audit must tell apart."""
    r = Repo(tmp_path / "repo")
    s: dict[str, str] = {}
    r.commit("Add the shop", {"shop/checkout.py": "def pay(): ...\n", "shop/cart.py": "cart\n",
                              "shop/totals.py": "totals\n", "pyproject.toml": 'version = "1.1.0"\n',
                              "VERSION": "1.1.0\n"})
    r.git("tag", "v1.1.0")
    s["eu"] = r.commit("Fix EU card rejection (#12)", {"shop/checkout.py": "eu = True\n"})
    s["cart"] = r.commit("Speed up the cart", {"shop/cart.py": "fast\n"})
    s["round"] = r.commit("Fix rounding in totals", {"shop/totals.py": "round(x, 2)\n"})
    s["pr"] = r.commit("Reject empty baskets (#31)", {"shop/cart.py": "if not items: raise\n"})
    s["hf_main"] = r.commit("Guard refunds\n\nHotfix-Id: HF-3", {"shop/checkout.py": "refund\n"})
    s["unrelated"] = r.commit("Unrelated main work", {"shop/new.py": "new\n"})
    r.checkout("release/1.1", new=True)
    r.git("reset", "-q", "--hard", "v1.1.0")
    s["l_eu"] = r.pick(s["eu"])  # git cherry-pick -x: trailer
    s["l_cart"] = r.commit("Backport cart speed-up", {"shop/cart.py": "fast\n"})  # squash-style
    s["l_round"] = r.commit("[1.1] Fix rounding in totals", {"shop/totals.py": "round(x)\n"})
    s["l_pr"] = r.commit("Reject empty carts on 1.1 (#31)", {"shop/cart.py": "if not c: 1\n"})
    s["l_hf"] = r.commit("Guard refunds on 1.1\n\nHotfix-Id: HF-3",
                         {"shop/checkout.py": "refund_v1\n"})
    s["l_bump"] = r.commit("Release 1.1.1", {"VERSION": "1.1.1\n", "CHANGELOG.md": "- eu\n"})
    s["l_pyver"] = r.commit("Bump pyproject", {"pyproject.toml": 'version = "1.1.1"\n'})
    s["l_deps"] = r.commit("Pin a dependency", {"pyproject.toml": 'deps = ["x==2.0"]\n'})
    s["l_stock"] = r.commit("Fix stock race", {"shop/stock.py": "lock\n"})  # forward-ported
    s["l_tax"] = r.commit("Fix Norwegian tax", {"shop/tax.py": "no = 0.25\n"})  # truly missing
    s["l_shim"] = r.commit("Compat shim for 1.1 only", {"shop/shim.py": "shim\n"})  # waived
    r.checkout("main")
    s["fwd"] = r.pick(s["l_stock"])
    return Story(r, s)


def run(story: Story, cache: Cache, waivers: tuple[Waiver, ...] = (),
        options: AuditOptions = OPTIONS) -> dict[str, tuple[Status, str | None, By | None]]:
    (line,) = audit_refs(Git(story.repo.path), cache, [LineRef("1.1", "release/1.1")],
                         mainline="main", options=options, waivers=waivers)
    assert line.line == "1.1"
    names = {sha: name for name, sha in story.shas.items()}
    return {names[v.sha]: (v.status, names.get(v.match.sha) if v.match else None,
                           v.match.by if v.match else None) for v in line.commits}


def cache_at(tmp_path: Path) -> Cache:
    return SqlStore(f"sqlite:///{tmp_path / 'hotfix.db'}").cache


IN, MISSING = Status.IN_MAINLINE, Status.MISSING
EXPECTED = {
    "l_eu": (IN, "eu", By.TRAILER),
    "l_cart": (IN, "cart", By.PATCH_ID),
    "l_round": (IN, "round", By.SUBJECT),
    "l_pr": (IN, "pr", By.SUBJECT),
    "l_hf": (IN, "hf_main", By.TRAILER),
    "l_bump": (Status.RELEASE_ONLY, None, None),
    "l_pyver": (Status.RELEASE_ONLY, None, None),
    "l_deps": (MISSING, None, None),
    "l_stock": (IN, "fwd", By.TRAILER),
    "l_tax": (MISSING, None, None),
    "l_shim": (Status.WAIVED, None, None),
}


def test_every_kind_of_commit(story: Story, tmp_path: Path) -> None:
    shim = Waiver(story.shas["l_shim"], "1.1", "only 1.1 has the old API", "lead@x", T0)
    other_line = Waiver(story.shas["l_tax"], "1.0", "not this line", "lead@x", T0)
    result = run(story, cache_at(tmp_path), (shim, other_line))
    assert result == EXPECTED
    assert list(result) == list(EXPECTED)  # oldest first


def test_without_subject_fallback_changed_backports_are_missing(story: Story,
                                                               tmp_path: Path) -> None:
    options = AuditOptions(OPTIONS.release, subject_fallback=False)
    result = run(story, cache_at(tmp_path), options=options)
    assert result["l_round"] == result["l_pr"] == (MISSING, None, None)
    assert result["l_cart"] == EXPECTED["l_cart"]


def test_patch_ids_are_cached_and_reused(story: Story, db_url: str) -> None:
    store = SqlStore(db_url)  # SQLite and PostgreSQL
    assert run(story, store.cache) == {**EXPECTED, "l_shim": (MISSING, None, None)}
    s = story.shas
    cached = store.cache.get(PATCH_ID, s.values())
    direct = story.repo.git("show", s["cart"]).encode()
    # the cache holds what `git patch-id --stable` says, for the candidates only
    assert cached[s["l_cart"]] == cached[s["cart"]] == _patch_id(story.repo, direct)
    assert s["l_eu"] not in cached  # found by its trailer: no patch-id needed
    assert s["eu"] not in cached  # and no mainline commit touching other files
    assert s["l_bump"] not in cached  # release-only: never compared
    # a second run reads the cache instead of git: a changed entry changes the answer
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE cache SET value = 'f00d' WHERE namespace = :ns AND key = :k"),
                     {"ns": PATCH_ID, "k": s["l_cart"]})
    assert run(story, store.cache)["l_cart"] == (MISSING, None, None)
    store.close()


def test_the_walk_is_kept_by_the_tips_walked(story: Story, db_url: str) -> None:
    """A second audit with the same mainline and line tips reads the walk from the cache
    (a changed entry changes the answer); a moved tip is a new walk, kept in its place."""
    store = SqlStore(db_url)  # SQLite and PostgreSQL
    assert run(story, store.cache) == {**EXPECTED, "l_shim": (MISSING, None, None)}
    with store.engine.begin() as conn:
        (kept,) = conn.execute(text("SELECT value FROM cache WHERE namespace = :ns"),
                               {"ns": WALK}).scalars()
        tips, _, walked = kept.partition("\n")
        assert story.repo.git("rev-parse", "release/1.1").strip() in tips
        walk = Walk.from_json(walked)
        assert walk.lines["1.1"][-1] == story.shas["l_shim"]
        without_tax = [sha for sha in walk.lines["1.1"] if sha != story.shas["l_tax"]]
        changed = replace(walk, lines={"1.1": without_tax}).to_json()
        conn.execute(text("UPDATE cache SET value = :v WHERE namespace = :ns"),
                     {"ns": WALK, "v": f"{tips}\n{changed}"})
    assert "l_tax" not in run(story, store.cache)  # the walk was not asked of git again
    story.repo.checkout("release/1.1")
    s = story.shas
    s["l_new"] = story.repo.commit("Fix Danish tax", {"shop/tax.py": "dk = 0.25\n"})
    again = run(story, store.cache)
    assert again["l_tax"] == again["l_new"] == (MISSING, None, None)
    with store.engine.begin() as conn:
        (kept,) = conn.execute(text("SELECT value FROM cache WHERE namespace = :ns"),
                               {"ns": WALK}).scalars()  # one walk for these refs, the last
    assert s["l_new"] in kept
    store.close()


def _patch_id(repo: Repo, patch: bytes) -> str:
    import subprocess

    out = subprocess.run(["git", "patch-id", "--stable"], input=patch, cwd=repo.path,
                         capture_output=True, check=True).stdout.decode()
    return out.split()[0]


def test_a_line_merged_back_into_main_has_nothing_missing(story: Story, tmp_path: Path) -> None:
    story.repo.git("merge", "-q", "-s", "ours", "-m", "Merge release/1.1", "release/1.1")
    (line,) = audit_refs(Git(story.repo.path), cache_at(tmp_path), [LineRef("1.1", "release/1.1")],
                         mainline="main", options=OPTIONS)
    assert line.commits == ()


def test_several_lines_and_a_tag_only_line(story: Story, tmp_path: Path) -> None:
    r = story.repo
    r.checkout("release/1.0", new=True)
    r.git("reset", "-q", "--hard", "v1.1.0~1")
    tax = r.commit("Fix Norwegian tax", {"shop/tax.py": "no = 0.25\n"})
    r.git("tag", "v1.0.1")
    r.checkout("main")
    lines = [LineRef("1.0", "v1.0.1"), LineRef("1.1", "release/1.1"), LineRef("0.9", "v1.1.0")]
    audits = audit_refs(Git(r.path), cache_at(tmp_path), lines, mainline="main", options=OPTIONS)
    assert [a.line for a in audits] == ["1.0", "1.1", "0.9"]
    assert [(v.sha, v.status) for v in audits[0].commits] == [(tax, MISSING)]
    assert len(audits[1].commits) == len(EXPECTED)
    assert audits[2].commits == ()


def test_unknown_ref_and_unrelated_history(story: Story, tmp_path: Path) -> None:
    cache = cache_at(tmp_path)
    with pytest.raises(NotFound, match=r"'release/9\.9' is not a commit"):
        audit_refs(Git(story.repo.path), cache, [LineRef("9.9", "release/9.9")], mainline="main",
                   options=OPTIONS)
    story.repo.git("checkout", "-q", "--orphan", "island")
    story.repo.commit("Elsewhere", {"x": "x\n"})
    with pytest.raises(NotFound, match="shares no history") as info:
        audit_refs(Git(story.repo.path), cache, [LineRef("x", "island")], mainline="main",
                   options=OPTIONS)
    assert "lines.mainline" in (info.value.hint or "")
