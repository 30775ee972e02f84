"""Load against the JSON API: steady clients, then a burst; prints errors, latency and throughput.

    python scripts/load.py --url http://127.0.0.1:7860 [--clients 16 --per-client 50 --burst 64]

Start the app first (`make run`, or `python -m assistant serve`). Questions come from
eval/questions.jsonl. A 503 with Retry-After is the queue refusing overflow, counted apart from errors;
anything else that is not a 200 (or a timeout, or a dropped connection) is an error.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

QUESTIONS = Path(__file__).resolve().parent.parent / "eval" / "questions.jsonl"


@dataclass
class Stats:
    name: str
    ok: list[float] = field(default_factory=list)        # seconds of each answered request
    rejected: list[float] = field(default_factory=list)  # seconds until each 503
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        lat = sorted(self.ok)
        pct = (lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000) if lat else (lambda p: float("nan"))
        slowest_503 = max(self.rejected) * 1000 if self.rejected else 0.0
        return (f"{self.name}: {len(self.ok)} answered, {len(self.rejected)} rejected (503, slowest "
                f"{slowest_503:.0f} ms), {len(self.errors)} errors | latency p50 {pct(0.5):.0f} ms, "
                f"p95 {pct(0.95):.0f} ms, max {(lat[-1] * 1000 if lat else float('nan')):.0f} ms | "
                f"{len(self.ok) / self.seconds if self.seconds else 0:.1f} answers/s")


async def _one(client: httpx.AsyncClient, url: str, question: str, stats: Stats) -> None:
    t = time.perf_counter()
    try:
        r = await client.post(url + "/api/ask", json={"question": question})
    except httpx.HTTPError as e:
        stats.errors.append(f"{type(e).__name__}: {e}")
        return
    took = time.perf_counter() - t
    if r.status_code == 200:
        stats.ok.append(took)
    elif r.status_code == 503 and r.headers.get("retry-after"):
        stats.rejected.append(took)
    else:
        stats.errors.append(f"HTTP {r.status_code}: {r.text[:200]}")


async def steady(url: str, clients: int, per_client: int, questions: list[str], timeout: float = 60) -> Stats:
    """``clients`` clients, each asking ``per_client`` questions one after another."""
    stats = Stats(f"{clients} clients x {per_client} questions")
    limits = httpx.Limits(max_connections=clients + 8)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
        async def worker(k: int):
            for i in range(per_client):
                await _one(client, url, questions[(k * per_client + i) % len(questions)], stats)

        t = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(clients)))
        stats.seconds = time.perf_counter() - t
    return stats


async def burst(url: str, n: int, questions: list[str], timeout: float = 60) -> Stats:
    """``n`` questions sent at the same moment."""
    stats = Stats(f"burst of {n}")
    async with httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=n + 8)) as client:
        t = time.perf_counter()
        await asyncio.gather(*(_one(client, url, questions[i % len(questions)], stats) for i in range(n)))
        stats.seconds = time.perf_counter() - t
    return stats


def load_questions(path: Path = QUESTIONS) -> list[str]:
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", default="http://127.0.0.1:7860")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--per-client", type=int, default=50)
    p.add_argument("--burst", type=int, default=64)
    args = p.parse_args()
    questions = load_questions()
    for stats in (asyncio.run(steady(args.url, args.clients, args.per_client, questions)),
                  asyncio.run(burst(args.url, args.burst, questions))):
        print(stats.line())
        for error in sorted(set(stats.errors))[:5]:
            print("   error:", error)


if __name__ == "__main__":
    main()
