"""Answers handed to the browser are signed, so what comes back from it (a vote on an answer restored
from the browser's storage) is taken only if this server said it.

The key is made once per data directory (``web.key``, readable by its owner only) and shared by every app
process serving it, so signatures outlive restarts.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from index.errors import PolicyError

UNSIGNED = ("sig", "vote", "comment")  # what the browser may change: the reader's own vote and comment


class Signer:
    def __init__(self, key: bytes):
        self._key = key

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> "Signer":
        path = Path(data_dir) / "web.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fresh = path.with_name(f"web.key.{os.getpid()}.tmp")
            fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(32))
            try:
                os.link(fresh, path)  # atomic and never overwrites: with two starting processes, the first wins
            except FileExistsError:
                pass
            finally:
                fresh.unlink()
        return cls(path.read_bytes())

    def sign(self, record: dict) -> dict:
        return {**record, "sig": self._digest(record)}

    def verify(self, record) -> dict:
        """The signed part of ``record``; PolicyError if it is not, unchanged, an answer signed here."""
        if not isinstance(record, dict) or not isinstance(record.get("sig"), str):
            raise PolicyError("not an answer from this server")
        try:
            good = hmac.compare_digest(record["sig"], self._digest(record))
        except (TypeError, ValueError):
            good = False
        if not good:
            raise PolicyError("this answer was not given by this server, or was changed since")
        return {k: v for k, v in record.items() if k not in UNSIGNED}

    def _digest(self, record: dict) -> str:
        body = {k: v for k, v in record.items() if k not in UNSIGNED}
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hmac.new(self._key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()
