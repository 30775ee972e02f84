"""Reader leases: which builds running processes still read, so a new build never deletes them.

Every open ``Assistant`` records the build it reads in ``index/readers/<host>-<pid>-<n>.json``. A lease
is live while its process runs (same host: the pid answers a signal 0) or, for a process on another
machine sharing the data directory, while it was renewed within ``TTL`` seconds. Prune keeps every
build a live lease names; dead leases are removed by the next prune.
"""
from __future__ import annotations

import atexit
import itertools
import json
import os
import socket
import time
from pathlib import Path

FOLDER = "readers"
TTL = 120.0  # seconds a lease of another machine stays live without renewal
_HOST = socket.gethostname()
_counter = itertools.count()


class Lease:
    """One reader's claim on one build; ``release`` (or process exit) gives it up."""

    def __init__(self, index_dir: Path, build_id: str):
        self.path = index_dir / FOLDER / f"{_HOST}-{os.getpid()}-{next(_counter)}.json"
        self.build_id = build_id
        self.renew()
        atexit.register(self.release)

    def renew(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.write_text(json.dumps({"build": self.build_id, "host": _HOST, "pid": os.getpid(),
                                       "renewed": time.time()}), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # a read-only data directory: the previous build is still kept for readers

    def release(self) -> None:
        self.path.unlink(missing_ok=True)


def leased_builds(index_dir: Path, remove_dead: bool = False) -> set[str]:
    """Builds named by live leases; with ``remove_dead``, delete the leases of processes that are gone."""
    builds = set()
    for path in (index_dir / FOLDER).glob("*.json"):
        try:
            lease = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # being written (renames are atomic, so only a foreign file is unreadable)
        if _alive(lease, path):
            builds.add(lease.get("build"))
        elif remove_dead:
            path.unlink(missing_ok=True)
    return builds


def _alive(lease: dict, path: Path) -> bool:
    if lease.get("host") == _HOST:
        pid = lease.get("pid")
        if not isinstance(pid, int) or pid <= 0:  # 0 and -1 would address groups, not one process
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except (PermissionError, OverflowError):
            return True  # someone else's process: assume it still reads
        return True
    try:
        return time.time() - path.stat().st_mtime < TTL
    except OSError:
        return False
