"""``hotfix audit`` on real histories, against ``git cherry``, with recall on trailer truth.

    python bench/audit_repos.py                 # every case of bench/audit_repos.json
    python bench/audit_repos.py --runs 5 --case pytest
    python bench/audit_repos.py --write-truth   # (once, before the first run) the truth

The cases (bench/audit_repos.json) are public repositories with different backport habits,
pinned by commit. Their snapshots come from ``/work/.mirror/<owner>+<name>/repo`` (the
``fetch`` tool; or ``git clone --mirror https://github.com/<owner>/<name>`` there). Each
case is copied once into bench/out/real/<case>/repo holding ONLY the pinned refs, as
remote-tracking branches (``origin/<branch>``, ``origin/HEAD`` → the mainline; no
``lines.mainline`` is configured) and the tags those commits reach.

The ground truth (bench/audit_repos.truth.json) is computed with plain git, no hotfix code:
the trailer-marked backports of every line and the commits release tags point at (see
``truth_rule`` in the cases file). It was written and committed before the first audit run
and is never edited to fit.

Per case, in one session: ``git cherry origin/<main> origin/<line>`` for every line (the
peer), then ``python -m hotfix audit --json --lines <the line branches>`` with an empty
database (*cold*, median of ``--runs``) and with the database the cold runs left (*warm*).
Printed: times and ratios, how many trailer-marked backports the audit recognised, whether
a release commit was called missing, and every remaining ``missing`` commit. Then
``hotfix contains`` (warm database) for the ``--contains`` mainline commits backported to
the most lines and as many the mainline reverted, against ``git tag --contains`` of the
same commits (history only), with how its verdicts over every release tag were made, and
every tag where the tree and the history disagree. Never asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CASES = HERE / "audit_repos.json"
TRUTH = HERE / "audit_repos.truth.json"
MIRRORS = Path("/work/.mirror")
_TRAILER = re.compile(r"^\s*(?:\(cherry picked from commit|Backport-Of:)\s*([0-9a-f]{7,40})",
                      re.M | re.I)


def git(repo: Path, *args: str, input: str | None = None) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True, input=input).stdout


def mirror_of(case: dict[str, Any], mirrors: Path) -> Path:
    owner, name = case["source"].removeprefix("github:").split("/")
    path = mirrors / f"{owner}+{name}" / "repo"
    if not path.exists():
        raise SystemExit(f"{case['name']}: no snapshot at {path}; fetch {case['source']} first")
    return path


def prepare(case: dict[str, Any], mirrors: Path) -> Path:
    """bench/out/real/<case>/repo: only the pinned refs, as origin/*, and their tags."""
    repo = HERE / "out" / "real" / case["name"] / "repo"
    stamp = repo.parent / "pinned.json"
    pins = {"mainline": case["mainline_sha"], **case["lines"]}
    if stamp.exists() and json.loads(stamp.read_text()) == pins:
        return repo
    shutil.rmtree(repo.parent, ignore_errors=True)
    repo.mkdir(parents=True)
    source = mirror_of(case, mirrors)
    git(repo, "init", "-q")
    refs = {case["mainline"]: case["mainline_sha"], **case["lines"]}
    tags: set[str] = set()
    for sha in refs.values():
        tags.update(git(source, "for-each-ref", "--merged", sha, "--format=%(refname)",
                        "refs/tags").split())
    specs = [f"{sha}:refs/remotes/origin/{branch}" for branch, sha in refs.items()]
    specs += [f"{tag}:{tag}" for tag in sorted(tags)]
    git(repo, "fetch", "-q", "--no-tags",
        "--upload-pack", "git -c uploadpack.allowAnySHA1InWant=true upload-pack",
        str(source), *specs)
    git(repo, "symbolic-ref", "refs/remotes/origin/HEAD",
        f"refs/remotes/origin/{case['mainline']}")
    git(repo, "update-ref", "--no-deref", "HEAD", case["mainline_sha"])
    stamp.write_text(json.dumps(pins))
    return repo


# -- the ground truth, from plain git --------------------------------------------------------


def write_truth(cases: list[dict[str, Any]], mirrors: Path) -> None:
    if TRUTH.exists():
        raise SystemExit(f"{TRUTH} exists: the truth is written once, before the first run")
    truth = {case["name"]: case_truth(case, prepare(case, mirrors)) for case in cases}
    TRUTH.write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n")
    for name, lines in truth.items():
        print(name, {line: (len(v["backports"]), len(v["releases"]), v["commits"])
                     for line, v in lines.items()})


def case_truth(case: dict[str, Any], repo: Path) -> dict[str, Any]:
    main = case["mainline_sha"]
    tag_at: dict[str, list[str]] = {}
    for row in git(repo, "for-each-ref", "refs/tags",
                   "--format=%(refname:strip=2) %(*objectname) %(objectname)").splitlines():
        name, *shas = row.split()
        tag_at.setdefault(shas[0], []).append(name)
    out = {}
    for branch, tip in case["lines"].items():
        fork = git(repo, "merge-base", main, tip).strip()
        shas = git(repo, "rev-list", "--no-merges", f"{fork}..{tip}").split()
        backports, releases = {}, {}
        for sha in shas:
            message = git(repo, "log", "-1", "--format=%B", sha)
            for origin in _TRAILER.findall(message):
                full = subprocess.run(["git", "rev-parse", "-q", "--verify",
                                       f"{origin}^{{commit}}"], cwd=repo, text=True,
                                      capture_output=True, check=False).stdout.strip()
                if full and subprocess.run(["git", "merge-base", "--is-ancestor", full, main],
                                           cwd=repo, check=False).returncode == 0:
                    backports[sha] = full
                    break
            if sha in tag_at:
                releases[sha] = sorted(tag_at[sha])
        out[branch] = {"fork": fork, "commits": len(shas), "backports": backports,
                       "releases": releases}
    return out


# -- the run ---------------------------------------------------------------------------------


def _env(db: Path) -> dict[str, str]:
    src = str(HERE.parent / "src")
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": f"{src}:{path}" if path else src,
            "HOTFIX_DATABASE_URL": f"sqlite:///{db}", "COLUMNS": "160"}


def hotfix(repo: Path, db: Path, *args: str) -> tuple[float, Any]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "hotfix", *args, "--json"], cwd=repo,
                          env=_env(db), capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1) or not proc.stdout.strip():
        raise SystemExit(f"hotfix {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return seconds, json.loads(proc.stdout)


def time_cherry(repo: Path, case: dict[str, Any]) -> float:
    started = time.perf_counter()
    for branch in case["lines"]:
        git(repo, "cherry", f"origin/{case['mainline']}", f"origin/{branch}")
    return time.perf_counter() - started


def run_case(case: dict[str, Any], truth: dict[str, Any], runs: int,
             mirrors: Path, contains: int) -> dict[str, Any]:
    repo = prepare(case, mirrors)
    db = repo.parent / "bench.db"
    _, lines = hotfix(repo, db, "lines")
    names = ",".join(case["lines"])
    time_cherry(repo, case)  # the OS page cache, warm for everyone
    cherry = statistics.median(time_cherry(repo, case) for _ in range(runs))
    cold, warm = [], []
    report: list[dict[str, Any]] = []
    for _ in range(runs):
        db.unlink(missing_ok=True)
        seconds, report = hotfix(repo, db, "audit", "--lines", names)
        cold.append(seconds)
    for _ in range(runs):
        seconds, report = hotfix(repo, db, "audit", "--lines", names)
        warm.append(seconds)
    n_main = int(git(repo, "rev-list", "--count", case["mainline_sha"]).strip())
    floor = statistics.median(time_startup(repo, db) for _ in range(runs))
    return {"case": case, "lines": lines, "report": report, "truth": truth,
            "cherry": cherry, "cold": statistics.median(cold),
            "warm": statistics.median(warm), "n_main": n_main, "floor": floor,
            "contains": time_contains(repo, db, case["mainline_sha"], truth, runs, contains)}


def time_contains(repo: Path, db: Path, main: str, truth: dict[str, Any], runs: int,
                  limit: int) -> dict[str, Any] | None:
    """``hotfix contains`` (warm database) for the mainline commits backported to the most
    lines and for the newest ones the mainline reverted, and ``git tag --contains`` of each
    (its history alone) as the peer."""
    counts = Counter(o for t in truth.values() for o in t["backports"].values())
    ported = [sha for sha, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]
    fixes = ported + reverted_on(repo, main, limit)
    if not fixes:
        return None
    seconds, peer, hows, disagree, tags = [], [], Counter[str](), [], 0
    # the first run reads (and caches) the facts of every line's commits, not only the
    # audited lines': timed apart
    first, _ = hotfix(repo, db, "contains", fixes[0])
    for sha in fixes:
        times = []
        for _ in range(runs):
            spent, found = hotfix(repo, db, "contains", sha)
            times.append(spent)
        seconds.append(statistics.median(times))
        started = time.perf_counter()
        by_history = set(git(repo, "tag", "--contains", sha).split())
        peer.append(time.perf_counter() - started)
        tags = len(found["releases"])
        for release in found["releases"]:
            hows[f"{release['state']} by {release['how']}"] += 1
            if (release["state"] == "present") != (release["tag"] in by_history) \
                    and release["how"] != "history+tree":
                disagree.append((sha, release))
    return {"fixes": len(fixes), "ported": len(ported), "tags": tags, "first": first,
            "seconds": statistics.median(seconds), "peer": statistics.median(peer),
            "hows": hows, "disagree": disagree}


def reverted_on(repo: Path, main: str, limit: int) -> list[str]:
    """The newest mainline commits that a mainline commit reverts (``This reverts commit``)."""
    found: list[str] = []
    for message in git(repo, "log", "--format=%B%x00", "--grep=This reverts commit",
                       main).split("\0"):
        for short in re.findall(r"This reverts commit ([0-9a-f]{7,40})", message):
            full = subprocess.run(["git", "rev-parse", "-q", "--verify", f"{short}^{{commit}}"],
                                  cwd=repo, text=True, capture_output=True,
                                  check=False).stdout.strip()
            if full and full not in found:
                found.append(full)
        if len(found) >= limit:
            break
    return found[:limit]


def time_startup(repo: Path, db: Path) -> float:
    """Python start-up plus importing the CLI: a floor no audit run can go under."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import hotfix.cli.main"], cwd=repo, env=_env(db),
                   check=True)
    return time.perf_counter() - started


def print_case(r: dict[str, Any]) -> tuple[int, int, int, int]:
    case, report, truth = r["case"], r["report"], r["truth"]
    print(f"\n== {case['name']} ({case['source']}, {r['n_main']:,} mainline commits): "
          f"{case['habit']}")
    print(f"   mainline found: {r['lines']['mainline']}; lines: "
          + ", ".join(f"{x['line']}={x['branch'] or x['latest_tag']}" for x in r["lines"]["lines"]
                      if x["branch"] or x["aliases"]))
    got = {c["sha"]: c for line in report for c in line["commits"]}
    by_line = dict(truth)
    recognised = total = release_missing = releases = 0
    missing_rows = []
    statuses: Counter[str] = Counter()
    matched_by: Counter[str] = Counter()
    for line in report:
        for c in line["commits"]:
            statuses[c["status"]] += 1
            if c["match"]:
                matched_by[c["match"]["by"]] += 1
    for branch, t in by_line.items():
        for sha, origin in t["backports"].items():
            total += 1
            have = got.get(sha, {"status": "absent"})
            recognised += have["status"] in ("in_mainline", "reverted", "reverted_in_mainline")
            if have["status"] not in ("in_mainline", "reverted", "reverted_in_mainline"):
                missing_rows.append(("BACKPORT NOT RECOGNISED", branch, sha, origin))
        for sha in t["releases"]:
            releases += 1
            if got.get(sha, {}).get("status", "absent") in ("missing", "absent"):
                release_missing += 1
                missing_rows.append(("RELEASE COMMIT MISSING", branch, sha, ""))
    print(f"   line commits: {sum(statuses.values())} — " +
          ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())) +
          "; matched by " + ", ".join(f"{k} {v}" for k, v in sorted(matched_by.items())))
    print(f"   trailer-marked backports recognised: {recognised}/{total}"
          f" ({recognised / max(total, 1):.1%})")
    print(f"   release commits called missing: {release_missing}/{releases}")
    for row in missing_rows:
        print(f"   !! {row[0]}: {row[1]} {row[2][:12]} (origin {row[3][:12]})")
    rest = [(line["line"], c) for line in report for c in line["commits"]
            if c["status"] == "missing" and c["sha"] not in
            {s for t in by_line.values() for s in (*t["backports"], *t["releases"])}]
    print(f"   remaining missing: {len(rest)}")
    for name, c in rest:
        print(f"     {name:<6} {c['sha'][:12]} {c['subject'][:100]}")
    print(f"   time (median)   git cherry {r['cherry']:6.2f}s   audit cold {r['cold']:6.2f}s "
          f"({r['cold'] / r['cherry']:.2f}x, target <= 1.5x)   warm {r['warm']:6.2f}s "
          f"({r['warm'] / r['cherry']:.2f}x, target <= 0.5x)   python + import hotfix.cli "
          f"{r['floor']:5.2f}s ({r['floor'] / r['cherry']:.2f}x, included); {load_average()}")
    print_contains(r["contains"])
    return recognised, total, release_missing, len(rest)


def print_contains(c: dict[str, Any] | None) -> None:
    if c is None:
        print("   contains: no trailer-marked backport to ask about")
        return
    print(f"   contains (warm) {c['seconds']:6.2f}s per fix, median of {c['fixes']} fixes "
          f"({c['ported']} most backported, the rest reverted on the mainline) x "
          f"{c['tags']} release tags (first run {c['first']:.2f}s; git tag --contains "
          f"{c['peer']:.2f}s, history only); "
          + ", ".join(f"{k} {v}" for k, v in sorted(c["hows"].items())))
    print(f"   contains and git tag --contains disagree on {len(c['disagree'])} tags")
    by_fix: dict[str, dict[str, list[str]]] = {}
    for sha, release in c["disagree"]:
        verdict = f"{release['state']} by {release['how']}"
        by_fix.setdefault(sha, {}).setdefault(verdict, []).append(release["tag"])
    for sha, verdicts in by_fix.items():
        print(f"     {sha[:12]}: " + "; ".join(f"{v} {len(t)} ({', '.join(t[:4])}"
                                              f"{', …' if len(t) > 4 else ''})"
                                              for v, t in verdicts.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per measurement")
    parser.add_argument("--case", action="append", help="only this case (repeatable)")
    parser.add_argument("--mirrors", type=Path, default=MIRRORS, help="where snapshots are")
    parser.add_argument("--contains", type=int, default=5,
                        help="ask `hotfix contains` about this many backported fixes, and as "
                             "many reverted ones")
    parser.add_argument("--write-truth", action="store_true",
                        help="compute the ground truth with plain git (once, before any run)")
    args = parser.parse_args()
    cases = [c for c in json.loads(CASES.read_text())["cases"]
             if not args.case or c["name"] in args.case]
    if args.write_truth:
        write_truth(cases, args.mirrors)
        return
    if not TRUTH.exists():
        raise SystemExit(f"no ground truth at {TRUTH}: write it first (--write-truth)")
    truth = json.loads(TRUTH.read_text())
    print(f"{load_average()} before the run ({os.cpu_count()} cores)")
    totals = Counter[str]()
    cherry = cold = warm = floor = 0.0
    for case in cases:
        result = run_case(case, truth[case["name"]], args.runs, args.mirrors, args.contains)
        recognised, total, release_missing, rest = print_case(result)
        totals.update({"recognised": recognised, "backports": total,
                       "release_missing": release_missing, "rest": rest})
        cherry, cold, warm = cherry + result["cherry"], cold + result["cold"], warm + result["warm"]
        floor += result["floor"]
    print(f"\nall cases: backports recognised {totals['recognised']}/{totals['backports']}, "
          f"release commits missing {totals['release_missing']}, remaining missing "
          f"{totals['rest']}; time: git cherry {cherry:.2f}s, cold {cold:.2f}s "
          f"({cold / cherry:.2f}x), warm {warm:.2f}s ({warm / cherry:.2f}x); python + import "
          f"hotfix.cli {floor:.2f}s ({floor / cherry:.2f}x)")
    print(f"{load_average()} after the run")


def load_average() -> str:
    """The machine's load (1, 5, 15 minutes): the figures mean little on a busy box."""
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
