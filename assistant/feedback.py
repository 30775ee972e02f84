"""Feedback on answers (👍/👎 and a comment) in a SQLite file, rate-limited per session; exported as CSV."""
from __future__ import annotations

import csv
import json
import sqlite3
import threading
import time
from collections import deque
from pathlib import Path

SCHEMA = """CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT NOT NULL DEFAULT ''
)"""
COLUMNS = ("id", "created_at", "question", "answer", "citations", "rating", "comment")


class FeedbackStore:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def add(self, question: str, answer: str, citations: list[dict], rating: int, comment: str = "") -> int:
        if rating not in (-1, 1):
            raise ValueError("rating must be 1 (👍) or -1 (👎)")
        with self._connect() as db:
            cur = db.execute(
                "INSERT INTO feedback (created_at, question, answer, citations, rating, comment) VALUES (?,?,?,?,?,?)",
                (time.strftime("%Y-%m-%dT%H:%M:%S%z"), question, answer,
                 json.dumps(citations, ensure_ascii=False), rating, comment.strip()[:2000]))
            return int(cur.lastrowid)

    def rows(self) -> list[dict]:
        with self._connect() as db:
            return [dict(zip(COLUMNS, r)) for r in db.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id")]

    def export_csv(self, out: Path) -> int:
        rows = self.rows()
        with open(out, "w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel opens Chinese text right
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        return len(rows)


class RateLimit:
    """At most ``limit`` events per key in any ``window`` seconds, in this process's memory.

    Keys that fall quiet are forgotten, and at most ``max_keys`` are tracked, so a flood of fresh
    sessions costs bounded memory.
    """

    def __init__(self, limit: int, window: float = 60.0, max_keys: int = 10_000):
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self._events: dict[str, deque] = {}
        self._lock = threading.Lock()

    def wait(self, key: str) -> float:
        """0 and the event is counted, or the seconds until ``key`` may act again."""
        now = time.monotonic()
        with self._lock:
            events = self._events.get(key)
            if events is None:
                if len(self._events) >= self.max_keys:
                    self._forget(now)
                events = self._events[key] = deque()
            while events and now - events[0] >= self.window:
                events.popleft()
            if len(events) >= self.limit:
                return self.window - (now - events[0])
            events.append(now)
            return 0.0

    def _forget(self, now: float) -> None:
        for key in [k for k, ev in self._events.items() if not ev or now - ev[-1] >= self.window]:
            del self._events[key]
        while len(self._events) >= self.max_keys:  # all active: drop the oldest tracked
            del self._events[next(iter(self._events))]
