"""One bounded queue for all answering: the JSON API and the chat share its workers and its waiting room.

``admit`` is instant: with ``workers + queue_size`` questions already admitted it raises ``Busy`` (the
API answers 503 with Retry-After, the chat says so) instead of letting a client wait behind a long
line. An admitted question waits at most ``queue_wait`` seconds for a worker, then gets ``Busy`` too.
"""
from __future__ import annotations

import math
import threading
import time
from contextlib import contextmanager


class Busy(Exception):
    """Too many questions at once; ``retry_after`` is a fair guess of seconds until there is room."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class Gate:
    def __init__(self, workers: int, queue_size: int, queue_wait: float):
        self.workers = workers
        self.capacity = workers + queue_size
        self.queue_wait = queue_wait
        self._slots = threading.BoundedSemaphore(workers)
        self._lock = threading.Lock()
        self._admitted = 0
        self._seconds = 0.1  # running mean of one answer's duration

    @property
    def admitted(self) -> int:
        return self._admitted

    def admit(self) -> "Ticket":
        """A place in the line, or Busy at once when the line is full."""
        with self._lock:
            if self._admitted >= self.capacity:
                raise Busy(f"busy: {self._admitted} questions are being answered or waiting; try again shortly",
                           self._retry_after())
            self._admitted += 1
        return Ticket(self)

    @contextmanager
    def slot(self):
        """Admit and run in one go (for callers already on a worker thread, such as the chat)."""
        ticket = self.admit()
        with ticket.running():
            yield

    def _retry_after(self) -> int:
        return max(1, math.ceil(self._seconds * self.capacity / self.workers))

    def _done(self, seconds: float | None) -> None:
        with self._lock:
            self._admitted -= 1
            if seconds is not None:
                self._seconds = 0.9 * self._seconds + 0.1 * seconds


class Ticket:
    """An admitted question: ``running()`` waits for a worker (bounded), then holds it."""

    def __init__(self, gate: Gate):
        self.gate = gate
        self._released = False

    @contextmanager
    def running(self):
        gate = self.gate
        if not gate._slots.acquire(timeout=gate.queue_wait):
            self.cancel()
            raise Busy(f"busy: no worker became free within {gate.queue_wait:g} s; try again shortly",
                       gate._retry_after())
        t0 = time.perf_counter()
        try:
            yield
        finally:
            gate._slots.release()
            self._release(time.perf_counter() - t0)

    def cancel(self) -> None:
        """Give the place back without running (e.g. the request failed before its turn)."""
        self._release(None)

    def _release(self, seconds: float | None) -> None:
        if not self._released:
            self._released = True
            self.gate._done(seconds)
