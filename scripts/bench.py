"""Benchmark: index build time, no-change rebuild, warm query latency (retrieve+answer), peak memory.

Prints figures; run with `make bench` (or `python scripts/bench.py`). Uses a fresh temporary data dir.
"""
from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.config import Settings  # noqa: E402
from assistant.service import Assistant, build  # noqa: E402
from eval.run import load_questions  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "var")
        t = time.perf_counter()
        first = build(settings, progress=False)
        cold = time.perf_counter() - t
        t = time.perf_counter()
        again = build(settings, progress=False)
        rebuild = time.perf_counter() - t
        assistant = Assistant(settings)
        questions = [q["question"] for q in load_questions()]
        for q in questions:  # warm-up pass: caches, jieba dictionary, model graph
            assistant.ask(q)
        latencies = []
        for _ in range(3):
            for q in questions:
                t = time.perf_counter()
                assistant.ask(q)
                latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"index build (corpus, cold, incl. model load): {cold:6.1f} s  "
          f"({first.documents} documents, {first.clauses} clauses, {first.windows} windows embedded)")
    print(f"rebuild with no changes:                       {rebuild:6.2f} s  (embedded {again.embedded})")
    print(f"warm query retrieve+answer, {len(latencies)} queries:   p50 {statistics.median(latencies):5.1f} ms  "
          f"p95 {latencies[int(0.95 * (len(latencies) - 1))]:5.1f} ms  max {latencies[-1]:5.1f} ms")
    print(f"peak memory (RSS):                             {peak_mb:6.0f} MB")


if __name__ == "__main__":
    main()
