"""No bad input ends in exit 3: generated ids, lines, paths, URLs, durations and option values,
driven through the CLI in-process on a real repository and a real SQLite record.

Exit 0, 1 (refused) and 2 (usage) are all fine here; 3 is a bug in hotfix (it prints the path
of a crash log, which the assertion shows). Nothing leaves the machine: the only database
URLs that could connect point at a closed loopback port, and the checks' base URL too."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli.conftest import Invoke

REQ = "dana@example.com"
CLOSED = "127.0.0.1:9"  # the discard port: nothing listens, a connection is refused at once

# what a shell can pass: no NUL; bytes that are not UTF-8 arrive as U+DC80..U+DCFF
text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
               max_size=30)
undecodable = st.characters(min_codepoint=0xDC80, max_codepoint=0xDCFF)
words = st.one_of(text, text, text, st.builds("{}{}{}".format, text, undecodable, text))
digits = st.text(st.characters(whitelist_categories=("Nd",)), min_size=1, max_size=25)
ids = st.one_of(
    words,
    st.integers(min_value=-(10**30), max_value=10**30).map(lambda n: f"HF-{n}"),
    st.from_regex(r"\A(HF-)?[0-9]{1,25}\Z"),
    digits.map(lambda d: f"HF-{d}"),
    digits,
    st.sampled_from(["HF-1", "hf-1", "1", " HF-1 ", "HF-", "HF-0", "HF-01", "XY-1"]),
)
durations = st.one_of(
    words,
    st.from_regex(r"\A[0-9]{1,25}(\.[0-9]{1,5})?[dhms]?\Z"),
    st.from_regex(r"\A([0-9]{1,6}[dhms] ?){1,4}\Z"),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
lines = st.one_of(words, st.from_regex(r"\A[0-9]{1,20}(\.[0-9]{1,20}){0,3}\Z"),
                  st.sampled_from(["", " ", "1.1", "v1.1", "1.1.1", "-1.1", "1."]))
paths = st.one_of(words, st.from_regex(r"\A[/@.a-z0-9:?#%]{0,20}\Z"),
                  st.sampled_from(["/", "//x", "@127.0.0.1:9999/admin", "checkout", "/ok"]))
actors = st.one_of(words, st.emails().map(str), st.sampled_from(["", "   ", "a@", "@b"]))
shares = st.one_of(words, st.floats().map(str), st.sampled_from(["0", "1", "150", "-1"]))
urls = st.one_of(
    words,
    st.builds("{}://{}".format, st.from_regex(r"\A[a-z][a-z0-9+]{0,12}\Z"), words),
    st.sampled_from(["mysql://u:secret@localhost/db", "mssql+pyodbc://u@localhost/db",
                     "oracle://u@localhost/db", f"postgresql+psycopg://u:p@{CLOSED}/db",
                     "sqlite://", "sqlite:///", "sqlite:////nonexistent/dir/x.db", ":memory:"]),
)

Case = tuple[list[str], dict[str, str]]
CASES: dict[str, st.SearchStrategy[Case]] = {
    "status": st.builds(lambda k: (["status", k], {}), ids),
    "log --verify": st.builds(lambda k: (["log", k, "--verify", "--json"], {}), ids),
    "time": st.builds(lambda k, d: (["time", k, d, "--as", REQ], {}), ids, durations),
    "open --as": st.builds(lambda t, a: (["open", t, "--no-input", "--as", a], {}), words,
                           actors),
    "open -a": st.builds(lambda k, v: (["open", "bug", "--no-input", "-a", f"{k}={v}",
                                        "--as", REQ], {}),
                         st.sampled_from(["significant", "users", "workaround", "nope"]), words),
    "start --line": st.builds(lambda k, ln: (["start", k, "--line", ln, "--as", REQ], {}),
                              ids, lines),
    "verify --bug-path": st.builds(lambda p: (["verify", "HF-1", "--bug-path", p, "--as", REQ],
                                              {}), paths),
    "judge --share": st.builds(lambda s: (["judge", "canary.csv", "--share", s], {}), shares),
    "document --field": st.builds(lambda k, f: (["document", k, "--field", f, "--as", REQ], {}),
                                  ids, st.one_of(words, st.builds("{}={}".format, words, words))),
    "defer --reason": st.builds(lambda k, r: (["defer", k, "--reason", r, "--as", REQ], {}),
                                ids, words),
    "backout --to": st.builds(lambda t: (["backout", "HF-1", "--to", t, "--as", REQ], {}),
                              st.one_of(lines, lines.map("v{}".format))),
    "publish": st.builds(lambda k: (["publish", k, "--as", REQ], {}), ids),
    "database.url": st.builds(lambda u: (["list"], {"HOTFIX_DATABASE_URL": u}), urls),
    "users add": st.builds(lambda e, r, p, x: (["users", "add", e, "--role", r, "--project", p,
                                                "--expires", x], {}),
                           actors, st.one_of(words, st.sampled_from(["admin", "viewer"])),
                           st.one_of(words, st.just("*")), durations),
    "users revoke": st.builds(lambda e: (["users", "revoke", e], {}), actors),
    "login": st.builds(lambda u, t: (["login", u, "--token", t], {}),
                       st.one_of(urls, st.just(f"http://{CLOSED}")), words),
    "server.url": st.builds(lambda u, t: (["list"], {"HOTFIX_SERVER": u, "HOTFIX_TOKEN": t}),
                            st.one_of(urls, st.just(f"http://{CLOSED}")), words),
    "server import": st.builds(lambda u: (["server", "import", "--database", u],
                                          {"HOTFIX_SERVER": f"http://{CLOSED}",
                                           "HOTFIX_TOKEN": "hfx_x"}), urls),
}


@pytest.fixture
def recorded(hotfix: Invoke, repo: Path) -> Invoke:
    """A repository with HF-1 open and one recorded canary stream, checks aimed nowhere."""
    (repo / "hotfix.toml").write_text(f'[verify]\nbase_url = "http://{CLOSED}"\n'
                                      "timeout = 0.5\n")
    (repo / "canary.csv").write_text("t,version,ok,latency_ms\n0,baseline,1,10\n"
                                     "1,canary,1,12\n")
    assert hotfix("open", "Checkout returns 500", "--no-input", "--as", REQ).code == 0
    return hotfix


@pytest.mark.parametrize("case", list(CASES))
def test_no_bad_input_ends_in_an_internal_error(
        recorded: Invoke, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    @settings(max_examples=30, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(CASES[case])
    def check(given: Case) -> None:
        args, env = given
        run_with(monkeypatch, env, lambda: assert_not_a_bug(recorded, args))

    check()


def run_with(monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
             body: Callable[[], None]) -> None:
    with monkeypatch.context() as scoped:
        for name, value in env.items():
            scoped.setenv(name, value)
        body()


def assert_not_a_bug(hotfix: Invoke, args: list[str]) -> None:
    done = hotfix(*args)
    assert done.code in (0, 1, 2), (args, done.code, done.err)
