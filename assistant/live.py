"""The assistant a long-running process serves, following the live build by itself.

A background thread looks at the index's ``current.json`` every ``settings.reload_seconds``; when
another process (``add``, ``index``, an upload elsewhere) made a new build live, it opens that build
and swaps it in whole. Requests already running finish on the build they started with, which keeps
its lease for a grace period, so no prune deletes it under them. If the new build cannot be opened
(another embedding model, a damaged file), the current one keeps serving and the error is logged.
"""
from __future__ import annotations

import logging
import threading
import time

from index.errors import PolicyError
from index.leases import TTL
from index.store import read_pointer

from .config import Settings
from .service import Assistant

log = logging.getLogger(__name__)
GRACE = 120.0  # seconds a replaced build stays leased: longer than any answer may take


class Live:
    def __init__(self, settings: Settings, follow: bool = True):
        self.settings = settings
        self.assistant = Assistant(settings)
        self.failure: str | None = None  # why the live build could not be opened, if it could not
        self._lock = threading.Lock()
        self._retired: list[tuple[float, Assistant]] = []
        self._stop = threading.Event()
        if follow:
            threading.Thread(target=self._follow, name="follow-index", daemon=True).start()

    @property
    def build_id(self) -> str:
        return self.assistant.snapshot.build_id

    def refresh(self) -> bool:
        """Switch to the live build if it is not the one served; True when it switched."""
        with self._lock:  # one opener at a time (the follower, or an upload in this process)
            pointer = read_pointer(self.settings.index_dir)
            if not pointer or pointer.get("build") == self.build_id:
                return False
            fresh = Assistant(self.settings)
            self._retired.append((time.monotonic(), self.assistant))
            self.assistant = fresh
            log.warning("now serving build %s (%d documents)", fresh.snapshot.build_id, len(fresh.documents))
            return True

    def stop(self) -> None:
        self._stop.set()

    def _follow(self) -> None:
        renewed = time.monotonic()
        while not self._stop.wait(self.settings.reload_seconds):
            try:
                self.refresh()
                self.failure = None
            except PolicyError as e:
                if str(e) != self.failure:
                    log.error("cannot open the new build, still serving %s: %s", self.build_id, e)
                self.failure = str(e)
            except Exception as e:  # keep following whatever one attempt hit
                log.exception("cannot open the new build, still serving %s", self.build_id)
                self.failure = f"{type(e).__name__}: {e}"
            now = time.monotonic()
            with self._lock:
                while self._retired and now - self._retired[0][0] > GRACE:
                    self._retired.pop(0)[1].close()
            if now - renewed > TTL / 4:  # only readers on other machines need their lease renewed
                self.assistant.lease.renew()
                renewed = now
