"""The nginx configuration hotfix writes: a main file and an upstream block with weights.

The access log is one JSON object per request (``escape=json``), read back by
``hotfix.adapters.metrics.router_log``:

    {"msec": "1712345678.123", "request_time": "0.004", "status": "200",
     "upstream": "127.0.0.1:9001", "upstream_status": "200", "upstream_time": "0.003"}

When nginx retried, ``upstream``, ``upstream_status`` and ``upstream_time`` list every
attempt, comma-separated; each attempt counts for its own version.
"""

from __future__ import annotations

from pathlib import Path

from hotfix.ports import Split

UPSTREAM = "hotfix_app"
WEIGHT_SCALE = 100  # nginx weights are integers: percent x 100 shared by a version's servers

LOG_FORMAT = (
    "'{\"msec\":\"$msec\",\"request_time\":\"$request_time\",\"status\":\"$status\","
    "\"upstream\":\"$upstream_addr\",\"upstream_status\":\"$upstream_status\","
    "\"upstream_time\":\"$upstream_response_time\"}'"
)


def main_conf(home: Path, listen: str, upstream_file: Path, client_keepalive: int = 0) -> str:
    """``client_keepalive`` 0: one request per client connection, so a reload (every weight
    change) never closes a kept-alive connection under a client that sends on it."""
    tmp = home / "tmp"
    temp_paths = "\n".join(f"    {kind}_temp_path {tmp / kind};"
                           for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""# written by hotfix: do not edit (hotfix rewrites it)
worker_processes 1;
daemon on;
pid {home / "nginx.pid"};
error_log {home / "error.log"} warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_timeout {client_keepalive};
    log_format hotfix_json escape=json {LOG_FORMAT};
{temp_paths}
    include {upstream_file};
    server {{
        listen {listen} backlog=1024;
        access_log {home / "access.jsonl"} hotfix_json buffer=16k flush=100ms;
        location / {{
            proxy_pass http://{UPSTREAM};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
        }}
    }}
}}
"""


def upstream_conf(split: Split, sticky_header: str = "", sticky_cookie: str = "") -> str:
    lines = [f"upstream {UPSTREAM} {{"]
    if sticky_header:
        lines.append(f"    hash $http_{sticky_header.lower().replace('-', '_')} consistent;")
    elif sticky_cookie:
        lines.append(f"    hash $cookie_{sticky_cookie} consistent;")
    servers = [line for version in sorted(split.backends) for line in _servers(split, version)]
    lines += servers or ["    server 127.0.0.1:9 down;  # no version has traffic weight"]
    lines += ["    keepalive 64;", "}", ""]
    return "\n".join(lines)


def _servers(split: Split, version: str) -> list[str]:
    addresses = split.backends[version]
    weight = split.weight(version)
    if weight <= 0 or not addresses:
        return []
    each = max(1, round(weight * WEIGHT_SCALE / len(addresses)))
    return [f"    server {address} weight={each} max_fails=0;  # {version}"
            for address in addresses]
