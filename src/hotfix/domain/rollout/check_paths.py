"""Which request paths a production check may send: a path on production, nothing else.

A smoke or bug check names a path (``/checkout``), never a URL: no scheme, no host, no
``//`` (a host to a URL parser), no ``@`` before the first ``/`` (a user name before a host
when glued to a base URL), no backslash (a slash to some servers), no space or control
character.
"""

from __future__ import annotations

PATH_HINT = 'give a path on production that starts with one "/", e.g. /checkout?country=DE'


def path_problem(path: object) -> str | None:
    """Why ``path`` may not be sent to production, None when it may."""
    if not isinstance(path, str):
        return f"the path must be text, got {path!r}"
    if not path.startswith("/"):
        return f"the path {path!r} must start with '/' (a path, not a URL or host)"
    if path.startswith("//"):
        return f"the path {path!r} starts with '//', which names another host"
    if "\\" in path:
        return f"the path {path!r} holds a backslash, which some servers read as '/'"
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path):
        return f"the path {path!r} holds a space or control character"
    return None
