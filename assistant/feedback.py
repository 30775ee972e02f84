"""Feedback on answers (👍/👎 and a comment) in a SQLite file, rate-limited per session; exported as CSV.

An answer with an id (the web chat's) holds at most one vote: voting again changes it and its comment in
place, and a vote can be taken back.
"""
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
# added later: databases written before are upgraded in place when opened
ADDED = {"answer_id": "TEXT", "updated_at": "TEXT"}
COLUMNS = ("id", "created_at", "updated_at", "answer_id", "question", "answer", "citations", "rating", "comment")


class FeedbackStore:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(SCHEMA)
            have = {row[1] for row in db.execute("PRAGMA table_info(feedback)")}
            for name, kind in ADDED.items():
                if name not in have:
                    db.execute(f"ALTER TABLE feedback ADD COLUMN {name} {kind}")
            db.execute("CREATE UNIQUE INDEX IF NOT EXISTS feedback_answer ON feedback (answer_id)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def vote(self, answer_id: str, question: str, answer: str, citations: list[dict], rating: int,
             comment: str = "") -> int:
        """The one vote on answer ``answer_id``: stored, or changed (rating and comment) if it was there."""
        if rating not in (-1, 1):
            raise ValueError("rating must be 1 (👍) or -1 (👎)")
        now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        with self._connect() as db:
            cur = db.execute(
                "INSERT INTO feedback (created_at, updated_at, answer_id, question, answer, citations, rating, comment)"
                " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (answer_id) DO UPDATE SET"
                " rating = excluded.rating, comment = excluded.comment, updated_at = excluded.updated_at"
                " RETURNING id",
                (now, now, answer_id, question, answer, json.dumps(citations, ensure_ascii=False), rating,
                 comment.strip()[:2000]))
            return int(cur.fetchone()[0])

    def retract(self, answer_id: str) -> bool:
        """Take back the vote on ``answer_id``; False when there was none."""
        with self._connect() as db:
            return db.execute("DELETE FROM feedback WHERE answer_id = ?", (answer_id,)).rowcount > 0

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
