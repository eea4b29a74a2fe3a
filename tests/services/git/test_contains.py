"""Which released versions carry a fix, found by the audit's equivalence."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from hotfix.adapters.git.repo import Git
from hotfix.adapters.store.sql import SqlStore
from hotfix.domain.audit.equivalence import By, Match
from hotfix.domain.audit.release_files import ReleaseFiles
from hotfix.errors import NotFound
from hotfix.services.git.audit import AuditOptions, LineRef
from hotfix.services.git.contains import contains_refs, hotfix_id_of
from tests.audit_repos import Repo

OPTIONS = AuditOptions(ReleaseFiles(("CHANGELOG*",), ()))


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """v1.0.0 → release/1.0; v1.1.0 → release/1.1; the EU fix on main, ported both ways."""
    r = Repo(tmp_path / "repo")
    r.commit("Shop", {"shop.py": "def pay(): ...\n", "cart.py": "cart\n"})
    r.git("tag", "v1.0.0")
    r.commit("Feature", {"feature.py": "f\n"})
    r.git("tag", "v1.1.0")
    r.checkout("release/1.1", new=True)
    r.checkout("main")
    r.commit("Other work", {"other.py": "o\n"})
    fix = r.commit("Fix EU cards (#7)\n\nHotfix-Id: HF-3", {"shop.py": "eu = True\n"})
    r.git("tag", "v1.2.0")
    r.checkout("release/1.1")
    r.pick(fix)  # -x and keeps Hotfix-Id
    r.git("tag", "v1.1.1")
    r.checkout("release/1.0", new=True)
    r.git("reset", "-q", "--hard", "v1.0.0")
    r.commit("Fix EU cards on 1.0", {"shop.py": "eu = 1\n"})  # changed diff, no trailer
    r.git("tag", "v1.0.1")
    r.commit("Unrelated 1.0 fix", {"cart.py": "x\n"})
    r.git("tag", "v1.0.2")
    r.checkout("main")
    return r


LINES = [LineRef("1.0", "release/1.0", ("v1.0.0", "v1.0.1", "v1.0.2")),
         LineRef("1.1", "release/1.1", ("v1.1.0", "v1.1.1")),
         LineRef("1.2", "v1.2.0", ("v1.2.0",))]


def ask(repo: Repo, query: str, hotfix_id: str | None = None) -> dict[str, object]:
    store = SqlStore(f"sqlite:///{repo.path.parent / 'hotfix.db'}")
    found = contains_refs(Git(repo.path), store.cache, query, LINES, mainline="main",
                          options=OPTIONS,
                          hotfix_id=hotfix_id)
    store.close()
    return found.to_dict()


def test_a_commit_and_its_ports(repo: Repo) -> None:
    fix = repo.git("rev-parse", "v1.2.0")
    result = ask(repo, "v1.2.0")
    assert result["fix"] == "v1.2.0"
    assert result["tags"] == ["v1.0.1", "v1.0.2", "v1.1.1", "v1.2.0"]
    assert result["lines"] == [
        {"line": "1.0", "tags": ["v1.0.1", "v1.0.2"], "missing": ["v1.0.0"], "partial": []},
        {"line": "1.1", "tags": ["v1.1.1"], "missing": ["v1.1.0"], "partial": []},
        {"line": "1.2", "tags": ["v1.2.0"], "missing": [], "partial": []},
    ]
    commits = {c["sha"]: c["match"] for c in result["commits"]}  # type: ignore[attr-defined]
    assert commits[fix] is None
    assert commits[repo.git("rev-parse", "v1.1.1")] == Match(fix, By.TRAILER).to_dict()
    assert commits[repo.git("rev-parse", "v1.0.1")] == Match(fix, By.SUBJECT).to_dict()


def test_the_walk_with_its_graph_is_kept_until_a_ref_moves(
        repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second question with the same tips walks no history (the graph of every tag is
    in the cache), and answers the same; a new release tag is a new walk."""
    first = ask(repo, "v1.2.0")

    def walks(*args: str) -> tuple[dict[str, object], int]:
        trace = tmp_path / f"trace-{len(list(tmp_path.glob('trace-*')))}.json"
        with monkeypatch.context() as env:
            env.setenv("GIT_TRACE2_EVENT", str(trace))
            found = ask(repo, *args)
        ran = [e["argv"][1:3] for e in map(json.loads, trace.read_text().splitlines())
               if e["event"] == "start"]
        return found, ran.count(["rev-list", "--parents"])

    assert walks("v1.2.0") == (first, 0)
    assert walks("HF-3", "HF-3")[1] == 0  # another fix, the same refs
    repo.checkout("release/1.1")
    repo.git("revert", "--no-edit", "HEAD")
    repo.git("tag", "v1.1.2")
    lines = [*LINES[:1], LineRef("1.1", "release/1.1", ("v1.1.0", "v1.1.1", "v1.1.2")),
             *LINES[2:]]
    monkeypatch.setattr(f"{__name__}.LINES", lines)
    again, walked = walks("v1.2.0")
    assert walked == 1
    assert "v1.1.2" not in again["tags"]  # type: ignore[operator]


def test_by_hotfix_id(repo: Repo) -> None:
    result = ask(repo, "HF-3", hotfix_id=hotfix_id_of("hf-3", "HF"))
    assert result["fix"] == "HF-3"
    assert result["tags"] == ["v1.0.1", "v1.0.2", "v1.1.1", "v1.2.0"]
    with pytest.raises(NotFound, match="Hotfix-Id: HF-9"):
        ask(repo, "HF-9", hotfix_id="HF-9")


def test_a_fix_nowhere_released(repo: Repo) -> None:
    repo.checkout("fix/later", new=True)
    repo.commit("Unreleased fix", {"late.py": "l\n"})
    result = ask(repo, "fix/later")
    assert result["tags"] == []
    assert [line["tags"] for line in result["lines"]] == [[], [], []]  # type: ignore[attr-defined]


def test_hotfix_id_of() -> None:
    assert hotfix_id_of("hf-03", "HF") == "HF-3"
    assert hotfix_id_of("abc123", "HF") is None
    assert hotfix_id_of("HF-x", "HF") is None


def test_the_release_commit_of_a_hotfix_is_not_the_fix(repo: Repo) -> None:
    repo.checkout("release/1.1")
    repo.commit("Release v1.1.2\n\nHotfix-Id: HF-3\nHotfix-Release: v1.1.2",
                {"CHANGELOG.md": "1.1.2\n"})
    repo.git("tag", "v1.1.2")
    repo.checkout("main")
    lines = [*LINES[:1], LineRef("1.1", "release/1.1", ("v1.1.0", "v1.1.1", "v1.1.2")),
             LINES[2]]
    store = SqlStore(f"sqlite:///{repo.path.parent / 'hotfix.db'}")
    found = contains_refs(Git(repo.path), store.cache, "HF-3", lines, mainline="main",
                          options=OPTIONS,
                          hotfix_id="HF-3").to_dict()
    store.close()
    subjects = [c["subject"] for c in found["commits"]]
    assert "Release v1.1.2" not in subjects
    assert "v1.1.0" not in found["tags"]


# ---- each release decided from its history and its tree -------------------------------

PAY = "def pay(card):\n    check(card)\n    return charge(card)\n"
REFUND = "def refund(card):\n    return undo(card)\n"
SHOP = PAY + "\n" * 8 + REFUND


def put(repo: Repo, message: str, files: dict[str, str | bytes]) -> str:
    """Write each file whole (bytes as they are) and commit; the new SHA."""
    for name, body in files.items():
        target = repo.path / name
        if isinstance(body, bytes):
            target.write_bytes(body)
        else:
            target.write_text(body, encoding="utf-8", newline="")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", message)
    return repo.git("rev-parse", "HEAD")


def releases(repo: Repo, query: str, lines: list[LineRef], *,
             hotfix_id: str | None = None) -> dict[str, tuple[str, str, str | None]]:
    store = SqlStore(f"sqlite:///{repo.path.parent / 'hotfix.db'}")
    found = contains_refs(Git(repo.path), store.cache, query, lines, mainline="main",
                          options=OPTIONS, hotfix_id=hotfix_id).to_dict()
    store.close()
    return {r["tag"]: (r["state"], r["how"], r["commit"]) for r in found["releases"]}


@pytest.fixture
def shop(tmp_path: Path) -> Repo:
    """main with the shop at v1.0.0, release/1.0 forked there; the EU fix on main."""
    r = Repo(tmp_path / "repo")
    put(r, "Shop", {"shop.py": SHOP})
    r.git("tag", "v1.0.0")
    r.git("branch", "release/1.0")
    return r


def fix_eu(repo: Repo, message: str = "Fix EU cards") -> str:
    return put(repo, message, {"shop.py": SHOP.replace("charge(card)", "charge(card, eu=True)")
                               .replace("undo(card)", "undo(card, eu=True)")})


LINE_10 = LineRef("1.0", "release/1.0", ("v1.0.0", "v1.0.1", "v1.0.2", "v1.0.3"))


def test_reverted_before_a_release_then_re_applied(shop: Repo) -> None:
    fix = fix_eu(shop)
    shop.checkout("release/1.0")
    picked = shop.pick(fix)
    shop.git("tag", "v1.0.1")
    revert = shop.revert(picked)
    shop.git("tag", "v1.0.2")
    again = shop.pick(fix)
    shop.git("tag", "v1.0.3")
    shop.checkout("main")
    assert releases(shop, fix, [LINE_10]) == {
        "v1.0.0": ("absent", "absent", None),
        "v1.0.1": ("present", "history+tree", picked),
        "v1.0.2": ("absent", "reverted", revert),
        "v1.0.3": ("present", "history+tree", again)}


def test_a_revert_of_the_revert_on_the_mainline(shop: Repo) -> None:
    fix = fix_eu(shop)
    shop.git("tag", "v1.1.0")
    revert = shop.revert(fix)
    shop.git("tag", "v1.2.0")
    again = shop.revert(revert)
    shop.git("tag", "v1.3.0")
    lines = [LineRef(f"1.{n}", f"v1.{n}.0", (f"v1.{n}.0",)) for n in (1, 2, 3)]
    found = releases(shop, fix, lines)
    assert found["v1.1.0"] == ("present", "history+tree", fix)
    assert found["v1.2.0"] == ("absent", "reverted", revert)
    assert found["v1.3.0"] == ("present", "history+tree", again)


def test_a_pick_whose_conflict_was_resolved_another_way_is_partial(shop: Repo) -> None:
    fix = fix_eu(shop)
    shop.checkout("release/1.0")
    logged = SHOP.replace("    return undo", "    log(card)\n    return undo")
    put(shop, "Log refunds", {"shop.py": logged})
    shop.git("tag", "v1.0.1")
    conflict = subprocess.run(["git", "cherry-pick", "-x", fix], cwd=shop.path,
                              capture_output=True, check=False)
    assert conflict.returncode != 0
    # resolved keeping the line's refund: only the payment half of the fix is there
    (shop.path / "shop.py").write_text(logged.replace("charge(card)", "charge(card, eu=True)"))
    shop.git("add", "shop.py")
    shop.git("-c", "core.editor=true", "cherry-pick", "--continue")
    picked = shop.git("rev-parse", "HEAD")
    shop.git("tag", "v1.0.2")
    shop.checkout("main")
    found = releases(shop, fix, [LINE_10])
    assert found["v1.0.1"] == ("absent", "absent", None)
    assert found["v1.0.2"] == ("partial", "partial", picked)
    store = SqlStore(f"sqlite:///{shop.path.parent / 'hotfix.db'}")
    whole = contains_refs(Git(shop.path), store.cache, fix, [LINE_10], mainline="main",
                          options=OPTIONS).to_dict()
    store.close()
    assert whole["lines"] == [{"line": "1.0", "tags": [], "missing": ["v1.0.0", "v1.0.1"],
                               "partial": ["v1.0.2"]}]
    assert whole["releases"][2]["hunks"] == {"applied": 1, "absent": 1, "unknown": 0}


def test_a_crlf_file(shop: Repo) -> None:
    crlf = SHOP.replace("\n", "\r\n").encode()
    put(shop, "Windows shop", {"shop.py": crlf})
    shop.git("tag", "v1.1.0")
    fix = put(shop, "Fix EU cards", {"shop.py": crlf.replace(b"charge(card)",
                                                             b"charge(card, eu=True)")})
    shop.git("tag", "v1.2.0")
    put(shop, "Line endings: LF", {"shop.py": SHOP.replace("charge(card)",
                                                           "charge(card, eu=True)")})
    shop.git("tag", "v1.3.0")
    revert = put(shop, "Undo the EU change by hand", {"shop.py": SHOP})
    shop.git("tag", "v1.4.0")
    lines = [LineRef(f"1.{n}", f"v1.{n}.0", (f"v1.{n}.0",)) for n in (1, 2, 3, 4)]
    found = releases(shop, fix, lines)
    assert found == {"v1.1.0": ("absent", "absent", None),
                     "v1.2.0": ("present", "history+tree", fix),
                     "v1.3.0": ("present", "history+tree", fix),
                     "v1.4.0": ("absent", "removed", fix)}
    assert revert


def test_a_backport_of_a_merge_commit(shop: Repo) -> None:
    shop.checkout("fix/eu", new=True)
    fix_eu(shop)
    shop.checkout("main")
    shop.git("merge", "-q", "--no-ff", "-m", "Merge pull request #12 from user/fix/eu",
             "fix/eu")
    merge = shop.git("rev-parse", "HEAD")
    shop.git("tag", "v1.1.0")
    shop.checkout("release/1.0")
    shop.git("cherry-pick", "-x", "-m", "1", merge)
    picked = shop.git("rev-parse", "HEAD")
    shop.git("tag", "v1.0.1")
    shop.checkout("main")
    found = releases(shop, merge, [LineRef("1.0", "release/1.0", ("v1.0.0", "v1.0.1")),
                                   LineRef("1.1", "v1.1.0", ("v1.1.0",))])
    assert found == {"v1.0.0": ("absent", "absent", None),
                     "v1.0.1": ("present", "history+tree", picked),
                     "v1.1.0": ("present", "history+tree", merge)}


def test_applied_by_other_means_and_history_alone(shop: Repo) -> None:
    fix = fix_eu(shop)
    shop.checkout("release/1.0")
    # the same change made again by hand, with more, under another subject and no trailer
    put(shop, "Payments overhaul", {"shop.py": SHOP.replace("charge(card)",
                                                            "charge(card, eu=True)")
                                    .replace("undo(card)", "undo(card, eu=True)"),
                                    "notes.txt": "overhaul\n"})
    shop.git("tag", "v1.0.1")
    shop.checkout("main")
    put(shop, "Rewrite payments", {"shop.py": "def pay(card):\n    return gateway(card)\n"})
    shop.git("tag", "v1.1.0")
    found = releases(shop, fix, [LineRef("1.0", "release/1.0", ("v1.0.0", "v1.0.1")),
                                 LineRef("1.1", "v1.1.0", ("v1.1.0",))])
    assert found["v1.0.1"] == ("present", "other-means", None)
    assert found["v1.1.0"] == ("present", "history", fix)  # the code moved on since


def test_a_news_fragment_the_release_compiled_away_is_not_the_fix(shop: Repo) -> None:
    (shop.path / "changelog").mkdir()
    fix = put(shop, "Fix EU cards", {
        "shop.py": SHOP.replace("charge(card)", "charge(card, eu=True)"),
        "changelog/7.bugfix.rst": "EU cards work again.\n"})
    shop.git("rm", "-q", "changelog/7.bugfix.rst")
    put(shop, "Release 1.1.0", {"CHANGELOG.md": "## 1.1.0\n\n- EU cards work again.\n"})
    shop.git("tag", "v1.1.0")
    found = releases(shop, fix, [LineRef("1.1", "v1.1.0", ("v1.1.0",))])
    assert found == {"v1.1.0": ("present", "history+tree", fix)}


def test_a_bot_subject_shared_by_many_changes_carries_nothing(tmp_path: Path) -> None:
    """Each "[automated] Update plugin list" is its own change: asking about one must not
    make every other (on the mainline or a line) a carrier, nor its releases ship it."""
    r = Repo(tmp_path / "repo")
    r.commit("Shop", {"shop.py": "pay\n", "doc/plugins.rst": "0\n"})
    r.git("tag", "v1.0.0")
    r.checkout("release/1.0", new=True)
    r.commit("[automated] Update plugin list", {"doc/plugins.rst": "line\n"})
    r.git("tag", "v1.0.1")
    r.checkout("main")
    for week in ("a", "b"):
        r.commit("[automated] Update plugin list", {"doc/plugins.rst": f"{week}\n"})
    fix = r.commit("[automated] Update plugin list", {"doc/plugins.rst": "c\n"})
    r.git("tag", "v1.1.0")
    store = SqlStore(f"sqlite:///{tmp_path / 'hotfix.db'}")
    found = contains_refs(Git(r.path), store.cache, fix,
                          [LineRef("1.0", "release/1.0", ("v1.0.0", "v1.0.1")),
                           LineRef("1.1", "v1.1.0", ("v1.1.0",))],
                          mainline="main", options=OPTIONS).to_dict()
    store.close()
    assert [c["sha"] for c in found["commits"]] == [fix]  # type: ignore[attr-defined]
    assert found["tags"] == ["v1.1.0"]
