"""Team server benchmark: two ``hotfix serve`` replicas on one PostgreSQL, behind nginx.

CLIENTS threads (50) append ``time`` events for SECONDS (60; ``--quick``: 10 clients, 10 s)
to 10 hotfixes, each request through the proxy with its own token. Afterwards every
acknowledged append must be in the record (0 lost events), no event may be there twice,
and every chain must verify. Prints throughput and p50/p99 latency of an append, beside
the same load on one replica alone (the peer: what the second replica and the proxy give).

    python bench/server_bench.py [--quick] [--clients 50] [--seconds 60]

Needs PostgreSQL (HOTFIX_TEST_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1/test;
a schema of its own, dropped at the end). nginx (apt-get install nginx-light) is
the proxy when installed; without it the clients alternate between the two replicas
themselves, and the run says so.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import create_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from hotfix.adapters.store.sql import SqlStore  # noqa: E402
from hotfix.domain.record.events import verify_chain  # noqa: E402
from hotfix.services.identity.users import add_user  # noqa: E402

POSTGRES = os.environ.get("HOTFIX_TEST_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/test")
HOTFIXES = 10
ANSWERS = {"significant": "yes", "users_affected": "60%", "workaround": "no"}
NGINX_CONF = """worker_processes 1; pid {home}/nginx.pid; error_log {home}/error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; upstream hotfix {{ server {a}; server {b}; keepalive 64; }}
  server {{ listen 127.0.0.1:{port}; location / {{ proxy_pass http://hotfix;
    proxy_http_version 1.1; proxy_set_header Connection ""; }} }} }}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def schema_url() -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with create_engine(POSTGRES).begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in POSTGRES else "?"
    return schema, f"{POSTGRES}{sep}options=-csearch_path%3D{schema}"


def drop(schema: str) -> None:
    with create_engine(POSTGRES).begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


def serve(home: Path, url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HOTFIX_DATABASE_URL": url, "HOTFIX_SERVER_LISTEN": f"127.0.0.1:{port}"}
    env.pop("HOTFIX_SERVER", None)
    log = (home / f"serve-{port}.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "hotfix", "serve", "--dir", str(home)],
                            env=env, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).is_success:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    said = (home / f"serve-{port}.log").read_text(errors="replace")
    raise SystemExit(f"hotfix serve did not start: {said}")


def nginx(home: Path, a: int, b: int) -> tuple[str, subprocess.Popen[bytes] | None]:
    sbin = Path("/usr/sbin/nginx")
    binary = shutil.which("nginx") or (str(sbin) if sbin.exists() else None)
    if binary is None:
        return "none (nginx not installed): clients alternate replicas", None
    port = free_port()
    conf = home / "nginx.conf"
    conf.write_text(NGINX_CONF.format(home=home, a=f"127.0.0.1:{a}", b=f"127.0.0.1:{b}",
                                      port=port))
    proc = subprocess.Popen([binary, "-p", str(home), "-c", str(conf), "-g", "daemon off;"],
                            start_new_session=True)
    time.sleep(0.5)
    return f"nginx at 127.0.0.1:{port}", proc


class Load:
    def __init__(self, bases: list[str], tokens: list[str], keys: list[str]) -> None:
        self.bases, self.tokens, self.keys = bases, tokens, keys
        self.latencies: list[float] = []
        self.acked: Counter[str] = Counter()
        self.failed = 0
        self.lock = threading.Lock()

    def client(self, n: int, until: float) -> None:
        rng = random.Random(n)
        base = self.bases[n % len(self.bases)]
        headers = {"Authorization": f"Bearer {self.tokens[n % len(self.tokens)]}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            while time.monotonic() < until:
                key = rng.choice(self.keys)
                t0 = time.perf_counter()
                try:
                    r = http.post(f"/api/v1/projects/default/hotfixes/{key}/time",
                                  json={"duration": "1m"},
                                  headers={"Idempotency-Key": uuid.uuid4().hex})
                    ok = r.status_code == 200
                except httpx.TransportError:
                    ok = False
                took = time.perf_counter() - t0
                with self.lock:
                    if ok:
                        self.latencies.append(took)
                        self.acked[key] += 1
                    else:
                        self.failed += 1

    def run(self, clients: int, seconds: float) -> float:
        until = time.monotonic() + seconds
        threads = [threading.Thread(target=self.client, args=(n, until)) for n in range(clients)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.monotonic() - t0


def check(url: str, keys: list[str], acked: Counter[str],
          before: dict[str, int]) -> tuple[int, int, bool]:
    """(lost, doubled, chains ok): acknowledged appends against what the record holds."""
    store = SqlStore(url)
    try:
        lost = doubled = 0
        ok = True
        for key in keys:
            number = int(key.split("-")[1])
            events = store.events(number)
            ok &= verify_chain(events, store.head(number)).ok
            held = sum(e.kind == "time" for e in events) - before.get(key, 0)
            lost += max(0, acked[key] - held)
            doubled += max(0, held - acked[key])
        return lost, doubled, ok
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--clients", type=int)
    parser.add_argument("--seconds", type=float)
    args = parser.parse_args()
    clients = args.clients or (10 if args.quick else 50)
    seconds = args.seconds or (10.0 if args.quick else 60.0)
    schema, url = schema_url()
    home = Path(tempfile.mkdtemp(prefix="hotfix-server-bench-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        (home / "hotfix.toml").write_text("[server]\nrate_limit = 100000000\n")  # load, not abuse
        store = SqlStore(url)
        now = datetime.now(UTC)
        admin = add_user(store.identities, "admin@bench.example", "admin", "*", now).secret
        tokens = [add_user(store.identities, f"eng{n}@bench.example", "engineer", "*", now).secret
                  for n in range(clients)]
        store.close()
        ports = [free_port(), free_port()]
        procs += [serve(home, url, p) for p in ports]
        proxy, nginx_proc = nginx(home, *ports)
        if nginx_proc:
            procs.append(nginx_proc)
        through = ([proxy.split(" at ")[1]] if nginx_proc else [f"127.0.0.1:{p}" for p in ports])
        bases = [f"http://{b}" for b in through]
        with httpx.Client(base_url=bases[0], headers={"Authorization": f"Bearer {admin}"}) as c:
            keys = [c.post("/api/v1/projects/default/hotfixes",
                           json={"title": f"bench {n}", "answers": ANSWERS}).json()["id"]
                    for n in range(HOTFIXES)]
        print(f"server bench: {clients} clients × {seconds:.0f} s, {HOTFIXES} hotfixes, "
              f"PostgreSQL schema {schema}; proxy: {proxy}")
        for label, targets in [("one replica", [f"http://127.0.0.1:{ports[0]}"]),
                               ("two replicas", bases)]:
            before = dict.fromkeys(keys, 0)
            store = SqlStore(url)
            for k in keys:
                before[k] = sum(e.kind == "time" for e in store.events(int(k.split("-")[1])))
            store.close()
            load = Load(targets, tokens, keys)
            took = load.run(clients, seconds)
            lost, doubled, ok = check(url, keys, load.acked, before)
            lat = sorted(load.latencies)
            p50 = statistics.median(lat) * 1e3 if lat else float("nan")
            p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1e3 if lat else float("nan")
            print(f"  {label:13s} {len(lat) / took:8.1f} appends/s   p50 {p50:7.1f} ms   "
                  f"p99 {p99:7.1f} ms   acknowledged {len(lat)}   failed {load.failed}   "
                  f"lost {lost}   doubled {doubled}   chains {'intact' if ok else 'BROKEN'}")
    finally:
        for proc in procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)
        drop(schema)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
