"""Keys derived from SECRET_KEY, one per purpose, and a signature on what leaves the process.

The task queue and the shared page cache live in stores other processes can write to (Redis,
instance/tasks.db): what the site reads back from them is signed with a key only the site holds, and
refused when the signature does not match, so that whoever can write to the store cannot make the
site run a task or serve a page of theirs.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = b"s1"


class BadSignature(ValueError):
    """What was read back was not signed with this site's key for this purpose."""


def derived_key(secret: str | bytes, purpose: str) -> bytes:
    """A key for `purpose` alone (HKDF-SHA256 with the purpose as its info): knowing it tells nothing of
    SECRET_KEY or of another purpose's key. The one derivation of the site's keys: signatures here, the
    two-step secrets' encryption (app/models/user.py)."""
    raw = secret.encode() if isinstance(secret, str) else bytes(secret)
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(raw)


class Signer:
    """Signs bytes as `s1.<hex HMAC-SHA256>.<bytes>` and checks them back."""

    def __init__(self, secret: str | bytes, purpose: str):
        self._key = derived_key(secret, purpose)

    def _mac(self, data: bytes) -> bytes:
        return hmac.new(self._key, data, hashlib.sha256).hexdigest().encode("ascii")

    def sign(self, data: bytes) -> bytes:
        return VERSION + b"." + self._mac(data) + b"." + data

    def unsign(self, signed: bytes) -> bytes:
        """The data, or BadSignature when it was not signed with this key (or was changed since)."""
        version, _, rest = signed.partition(b".")
        mac, _, data = rest.partition(b".")
        if version != VERSION or not hmac.compare_digest(mac, self._mac(data)):
            raise BadSignature("signature mismatch")
        return data
