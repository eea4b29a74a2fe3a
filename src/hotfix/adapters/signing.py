"""The team server's Ed25519 signing key, in a file outside the database (``ports.Signer``).

The file is PKCS#8 PEM, mode 0600. ``create_key`` writes a new one and never overwrites;
``load_key`` refuses a file others can read, or one that is not an Ed25519 private key.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from hotfix.errors import ConfigError

_HINT = "hotfix server keygen PATH writes a new key; docs/security.md: the server's witness"


class Ed25519Signer:
    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        raw = key.public_key().public_bytes(serialization.Encoding.Raw,
                                            serialization.PublicFormat.Raw)
        self._public = base64.b64encode(raw).decode()
        self._id = "ed25519:" + hashlib.sha256(raw).hexdigest()[:16]

    @property
    def key_id(self) -> str:
        return self._id

    @property
    def public_key(self) -> str:
        return self._public

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self._key.sign(message)).decode()

    def verify(self, message: bytes, signature: str, key_id: str) -> bool:
        return key_id == self._id and verify_with(self._public, message, signature)


def verify_with(public_key: str, message: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64) is the key's (raw, base64) signature of ``message``."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def create_key(path: Path) -> Ed25519Signer:
    """A new key written to ``path`` (mode 0600); an existing file is never replaced."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigError(f"{path} exists: a signing key is never replaced",
                          hint="the server's signatures are checked with it; keep it, or "
                               "move it away first if you really mean to start a new one"
                          ) from None
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return Ed25519Signer(key)


def load_key(path: Path) -> Ed25519Signer:
    """The key in ``path``; ``ConfigError`` saying what is wrong and what to do."""
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"the server's signing key {path} does not exist", hint=_HINT) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the server's signing key {path}: {exc.strerror}",
                          hint=_HINT) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"the server's signing key {path} can be read by others "
                          f"(mode {stat.S_IMODE(mode):o})", hint=f"chmod 600 {path}")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{path} is not an Ed25519 private key (PKCS#8 PEM, unencrypted)",
                          hint=_HINT)
    return Ed25519Signer(key)
