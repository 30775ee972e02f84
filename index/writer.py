"""One writer at a time: a file lock in the data directory around every change to library or index.

``add``, ``index`` and web uploads all take it, in this process or any other sharing the data
directory. The operating system drops the lock when its holder dies (kill -9 included), so a crash
never leaves it stuck. Beside the lock, ``write.lock.json`` says who holds it, for the message a
waiting writer prints.
"""
from __future__ import annotations

import json
import os
import socket
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from filelock import FileLock, Timeout

from .errors import StoreError

LOCK = "write.lock"


@contextmanager
def writer(data_dir: Path, wait: float, on_wait: Callable[[str], None] | None = None):
    """Hold the data directory's writer lock, waiting at most ``wait`` seconds for another writer."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(data_dir / LOCK))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait:
            on_wait(f"waiting for another build to finish ({holder(data_dir)})…")
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise StoreError(f"another build is running ({holder(data_dir)}); try again when it has "
                             "finished — only one add/index/upload may change the library at a time") from None
    info = data_dir / (LOCK + ".json")
    try:
        info.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                    "since": time.strftime("%Y-%m-%d %H:%M:%S"),
                                    "command": " ".join(sys.argv[:4])}, ensure_ascii=False), encoding="utf-8")
        yield
    finally:
        info.unlink(missing_ok=True)
        lock.release()


def holder(data_dir: Path) -> str:
    """Who holds the lock, as far as its holder said."""
    try:
        h = json.loads((data_dir / (LOCK + ".json")).read_text(encoding="utf-8"))
        return f"pid {h['pid']} on {h['host']} since {h['since']}: {h['command']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "holder unknown"
