"""hotfix users add/list/revoke and hotfix serve's first start, against a real database."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Invoke


def test_users_add_list_revoke(hotfix: Invoke, tmp_path: Path) -> None:
    where = ["--dir", str(tmp_path)]
    added = hotfix("users", "add", " Lee@Shop.Example ", "--role", "approver", "--project",
                   "shop", "--expires", "30d", *where, "--json")
    assert added.code == 0, added.err
    token = added.json()["token"]
    assert token.startswith("hfx_")
    assert added.json()["grants"] == {"shop": ["approver"]}
    listed = hotfix("users", "list", *where, "--json").json()
    assert [u["email"] for u in listed] == ["lee@shop.example"]
    assert listed[0]["tokens"][0]["expires_at"] is not None
    assert token not in (tmp_path / ".hotfix" / "hotfix.db").read_bytes().decode("latin-1")
    revoked = hotfix("users", "revoke", "LEE@shop.example", *where, "--json")
    assert revoked.json() == {"email": "lee@shop.example", "revoked": 1}
    assert hotfix("users", "list", *where, "--json").json()[0]["tokens"][0]["revoked_at"]


def test_bad_input_is_a_usage_error(hotfix: Invoke, tmp_path: Path) -> None:
    where = ["--dir", str(tmp_path)]
    for args, says in [(["lee", "--role", "approver"], "not an email"),
                       (["lee@x.y", "--role", "boss"], "not a role"),
                       (["lee@x.y", "--role", "viewer", "--expires", "soon"], "not a lifetime"),
                       (["lee@x.y", "--role", "viewer", "--project", "Bad Name"],
                        "not a project name")]:
        result = hotfix("users", "add", *args, *where)
        assert result.code == 2, (args, result.err)
        assert says in result.err
    assert hotfix("users", "revoke", "nobody@x.y", *where).code == 1


def test_serve_refuses_to_start_without_an_admin(hotfix: Invoke, tmp_path: Path) -> None:
    refused = hotfix("serve", "--dir", str(tmp_path), "--listen", "127.0.0.1:1")
    assert refused.code == 1
    assert "no admin" in refused.err
    assert "hotfix users add YOU@EXAMPLE.COM --role admin" in refused.err
    assert hotfix("users", "add", "a@x.y", "--role", "viewer", "--dir", str(tmp_path)).code == 0
    assert hotfix("serve", "--dir", str(tmp_path), "--listen", "127.0.0.1:1").code == 1
    bad = hotfix("serve", "--dir", str(tmp_path), "--listen", "nowhere")
    assert bad.code == 2
    assert "is not host:port" in bad.err
