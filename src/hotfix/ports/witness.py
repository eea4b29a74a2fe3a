"""The team server's signing key (``hotfix.adapters.signing``) and what its stores keep of
its signatures (``hotfix.adapters.store.witness``). docs/security.md says what it proves."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from hotfix.domain.record.witness import Witnessed


class Signer(Protocol):
    """An Ed25519 key held outside the database."""

    @property
    def key_id(self) -> str:
        """A short fingerprint of the public key, stored beside each signature."""
        ...

    @property
    def public_key(self) -> str:
        """The raw public key, base64: what a client verifies with."""
        ...

    def sign(self, message: bytes) -> str:
        """The signature of ``message``, base64."""
        ...

    def verify(self, message: bytes, signature: str, key_id: str) -> bool:
        """Whether ``signature`` is this key's (``key_id`` its fingerprint) of ``message``."""
        ...


class WitnessedLog(Protocol):
    """An event log whose heads the server signs as it appends."""

    def witness(self, signer: Signer, project: str) -> int:
        """Sign from now on; index and sign the records written before (their chains must
        verify); how many were adopted."""
        ...

    def witnessed(self, only: Collection[int] | None = None) -> Witnessed:
        """The signed running head, and the signed heads and index entries of the records
        numbered ``only`` (every record when None: the whole index)."""
        ...
