"""Facts about the Python that runs this script, printed as one JSON object.

Run as a script by a project's own interpreter (``python env_probe.py``), so it must not
import hotfix and must run on every Python a project may use: 3.7 to 3.13 (no syntax or
library newer than 3.7's).

Prints ``version``, ``executable``, ``base_executable`` (the interpreter a virtualenv was
made from: overlays are made from it), ``prefix``, ``in_venv``, ``sites`` (the
site-packages folders it sees), ``pip`` (whether ``python -m pip`` works) and ``packages``
(every distribution it sees, name -> version; the first found wins, as for imports).
"""

from __future__ import annotations

import json
import os
import sys


def base_executable() -> str:
    base_prefix = getattr(sys, "base_prefix", sys.prefix)
    if sys.prefix == base_prefix:
        return os.path.realpath(sys.executable)
    home = _pyvenv_home()
    names = [f"python{sys.version_info[0]}.{sys.version_info[1]}", "python3", "python"]
    for name in names if home else []:
        candidate = os.path.join(home, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.realpath(candidate)
    return os.path.realpath(sys.executable)


def _pyvenv_home() -> str:
    try:
        with open(os.path.join(sys.prefix, "pyvenv.cfg"), encoding="utf-8") as cfg:
            for line in cfg:
                key, _, value = line.partition("=")
                if key.strip() == "home":
                    return value.strip()
    except OSError:
        pass
    return ""


def packages() -> dict[str, str]:
    out: dict[str, str] = {}
    for entry in sys.path:
        if not os.path.isdir(entry):
            continue
        for name in sorted(os.listdir(entry)):
            found = _metadata(os.path.join(entry, name))
            if found and found[0] not in out:
                out[found[0]] = found[1]
    return out


def _metadata(path: str) -> tuple[str, str] | None:
    if path.endswith(".dist-info"):
        path = os.path.join(path, "METADATA")
    elif path.endswith(".egg-info") and os.path.isdir(path):
        path = os.path.join(path, "PKG-INFO")
    elif not path.endswith(".egg-info"):
        return None
    fields: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as meta:
            for line in meta:
                if not line.strip():
                    break
                key, _, value = line.partition(":")
                fields.setdefault(key.strip().lower(), value.strip())
    except OSError:
        return None
    if fields.get("name") and fields.get("version"):
        return fields["name"], fields["version"]
    return None


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def main() -> None:
    sites = [p for p in sys.path if os.path.basename(p) in ("site-packages", "dist-packages")]
    print(json.dumps({
        "version": list(sys.version_info[:3]),
        "executable": sys.executable,
        "base_executable": base_executable(),
        "prefix": sys.prefix,
        "in_venv": sys.prefix != getattr(sys, "base_prefix", sys.prefix),
        "sites": sites,
        "pip": _has("pip"),
        "packages": packages(),
    }))


if __name__ == "__main__":
    main()
