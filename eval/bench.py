"""Measuring the assistant as a user meets it: every figure comes from a fresh process of its own.

``measure`` runs, for one library, child processes of this module (``python -m eval.bench PROBE …``) with the
library given the way a user gives it (POLICY_DATA_DIR, POLICY_EXTRA_LIBRARIES); each prints one JSON line:

- ``build``     what ``python -m assistant index`` does: imports, model load, parse, embed, write;
- ``first``     a cold start: import, open the index, answer one question;
- ``serve``     open the index, answer every question once (the first pass), then ``rounds`` times more, timed;
- ``baseline``  the plain LangChain recipe (``eval.baseline``) on the same library, timed the same way; its
  vectors are cached in the bench folder, as embedding its chunks costs as much as our own build.

``os.wait4`` gives each child's peak RSS, so the builder's memory is never counted as the server's.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from .suites import CORPUS_DEV, EVAL

ROOT = EVAL.parent
QUESTIONS = EVAL / "questions.jsonl"
CORPUS_DEV_QUESTIONS = (EVAL / "corpus_dev" / "report.jsonl", EVAL / "corpus_dev" / "calibrate.jsonl")
SYNTHETIC_CLAUSES = 50_000
COLD_STARTS = 3  # fresh processes timed to their first answer; the median is reported


@dataclass(frozen=True)
class Library:
    name: str
    label: str
    extra: tuple[Path, ...]        # libraries read in place beside the built-in one
    questions: tuple[Path, ...]
    cache: Path | None = None      # a folder keeping the index between runs (None: a fresh one each run)


def libraries(bench_dir: Path) -> dict[str, Library]:
    synthetic = bench_dir / "synthetic"
    return {
        "builtin": Library("builtin", "the five built-in texts", (), (QUESTIONS,)),
        "corpus-dev": Library("corpus-dev", "built-in + ../shared/corpus-dev, read in place", (CORPUS_DEV,),
                              (QUESTIONS, *CORPUS_DEV_QUESTIONS)),
        "synthetic": Library("synthetic", f"built-in + corpus-dev + ≥ {SYNTHETIC_CLAUSES:,} synthetic clauses "
                             f"(varied copies of corpus-dev, in {synthetic})",
                             (CORPUS_DEV, synthetic / "library"), CORPUS_DEV_QUESTIONS, synthetic),
    }


@dataclass
class Figures:
    """One library's figures; times in seconds or milliseconds as named, memory in MB."""

    library: Library
    documents: int = 0
    clauses: int = 0
    windows: int = 0
    embedded: int | None = None        # by the cold build: a text met again is embedded once
    cold_build_s: float | None = None
    cold_build_peak_mb: float | None = None
    cold_build_note: str = ""          # e.g. when a cached index was measured
    rebuild_s: float | None = None     # the whole command, from process start
    rebuild_inner_s: float | None = None  # inside build(): the check itself
    rebuild_embedded: int | None = None
    questions: int = 0
    warm_ms: list[float] = field(default_factory=list)
    first_pass_ms: list[float] = field(default_factory=list)
    retrieve_p50_ms: float | None = None
    cold_start_s: list[float] = field(default_factory=list)
    serve_peak_mb: float | None = None
    baseline_ms: list[float] = field(default_factory=list)
    baseline_note: str = ""
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before and after

    def value(self, key: str) -> float | None:
        """A figure by the name the targets use."""
        pct = lambda xs, p: float(np.percentile(xs, p)) if xs else None  # noqa: E731
        return {"cold_build_s": self.cold_build_s, "rebuild_s": self.rebuild_s,
                "warm_p50_ms": pct(self.warm_ms, 50), "warm_p95_ms": pct(self.warm_ms, 95),
                "warm_max_ms": max(self.warm_ms) if self.warm_ms else None,
                "cold_start_s": statistics.median(self.cold_start_s) if self.cold_start_s else None,
                "serve_peak_mb": self.serve_peak_mb,
                "baseline_p50_ms": pct(self.baseline_ms, 50)}.get(key)


def measure(library: Library, bench_dir: Path, rounds: int = 3, baseline: str = "auto", say=print) -> Figures:
    """Every figure for ``library``. ``baseline``: "yes" (build it even if its vectors are not cached),
    "auto" (build it unless that means embedding a large library: then only from cached vectors), "no"."""
    figures = Figures(library, load=(os.getloadavg()[0], 0.0))
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        data_dir = library.cache / "var" if library.cache else Path(tmp) / "var"
        env = _env(data_dir, library.extra)
        _builds(figures, data_dir, env, library.cache, say)
        questions = [str(p) for p in library.questions]
        say(f"  answering {len(questions)} question file(s): a first pass, then {rounds} timed rounds…")
        served, peak, _ = child(["serve", "--rounds", str(rounds), *questions], env)
        figures.questions, figures.warm_ms, figures.first_pass_ms = served["questions"], served["warm"], \
            served["first"]
        figures.retrieve_p50_ms, figures.serve_peak_mb = served["retrieve_p50"], peak
        for _ in range(COLD_STARTS):
            t0 = time.time()
            done, _, _ = child(["first", "--question", served["first_question"]], env)
            figures.cold_start_s.append(done["answered"] - t0)
        if baseline != "no":
            cached_only = baseline == "auto" and library.cache is not None
            say("  the plain LangChain recipe on the same library…")
            got, _, _ = child(["baseline", "--rounds", str(rounds), "--cache", str(bench_dir / "baseline.sqlite3"),
                               *(["--cached-only"] if cached_only else []), *questions], env, progress=True)
            if "skipped" in got:
                figures.baseline_note = (f"not built: {got['skipped']:,} of its {got['chunks']:,} chunks "
                                         f"({got['chars'] / 1e6:.1f} M characters) are not embedded yet, about as "
                                         "long as our own cold build; `scripts/bench.py --libraries synthetic "
                                         "--baseline yes` embeds them once (cached)")
            else:
                figures.baseline_ms = got["warm"]
    figures.load = (figures.load[0], os.getloadavg()[0])
    return figures


def _builds(figures: Figures, data_dir: Path, env: dict, cache: Path | None, say) -> None:
    """The cold build (or, for a cached library, its record) and a no-change rebuild."""
    from index.store import read_pointer

    record = cache / "cold-build.json" if cache else None
    if record and read_pointer(data_dir / "index") and record.exists():
        cold = json.loads(record.read_text(encoding="utf-8"))
        figures.cold_build_note = f"measured {cold['date']} when the cached index was built (load {cold['load']:.1f})"
    else:
        say(f"  cold build in {data_dir} (a fresh process: imports, model load, parse, embed, write)…")
        t0 = time.time()
        report, peak, _ = child(["build"], env, progress=True)
        cold = {**report, "seconds": report["done"] - t0, "peak_mb": peak, "date": time.strftime("%Y-%m-%d %H:%M"),
                "load": os.getloadavg()[0]}
        if record:
            record.parent.mkdir(parents=True, exist_ok=True)
            record.write_text(json.dumps(cold), encoding="utf-8")
    figures.cold_build_s, figures.cold_build_peak_mb = cold["seconds"], cold["peak_mb"]
    figures.documents, figures.clauses, figures.windows = cold["documents"], cold["clauses"], cold["windows"]
    figures.embedded = cold.get("embedded")
    for attempt in range(2):  # a cached index older than the library is brought up to date first
        t0 = time.time()
        report, _, _ = child(["build"], env, progress=True)
        figures.rebuild_s, figures.rebuild_inner_s = report["done"] - t0, report["seconds"]
        figures.rebuild_embedded = report["embedded"]
        if report["unchanged"] or attempt:
            break
        say(f"  the cached index was out of date: {report['embedded']:,} windows embedded; rebuilding again")


def _env(data_dir: Path, extra: tuple[Path, ...]) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("POLICY_CHROMA_HOST", "POLICY_CHROMA_PORT")}
    env.update(POLICY_DATA_DIR=str(data_dir), POLICY_EXTRA_LIBRARIES=os.pathsep.join(str(p) for p in extra),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    return env


def child(args: list[str], env: dict, progress: bool = False) -> tuple[dict, float, float]:
    """Run one probe in a fresh process: (its JSON result, its peak RSS in MB, its wall seconds)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "eval.bench", *args], env=env, cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=None if progress else err)
        out = proc.stdout.read()
        proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            err.seek(0)
            raise RuntimeError(f"probe {args[0]} failed (exit {proc.returncode}): "
                               f"{err.read().decode(errors='replace')[-2000:]}")
    return json.loads(out.decode().strip().splitlines()[-1]), usage.ru_maxrss / 1024, time.perf_counter() - t0


# -- the probes, each run in its own process -------------------------------------------------------------

def _probe_build(args) -> dict:
    from assistant.config import Settings
    from assistant.indexing import build  # what the CLI imports: not the answering stack

    r = build(Settings.from_env(), progress=True)
    return {"done": time.time(), "seconds": r.seconds, "documents": r.documents, "clauses": r.clauses,
            "windows": r.windows if not r.unchanged else None, "embedded": r.embedded, "unchanged": r.unchanged}


def _probe_first(args) -> dict:
    from assistant.config import Settings
    from assistant.service import Assistant

    answer = Assistant(Settings.from_env()).ask(args.question, extractive=True)
    return {"answered": time.time(), "abstained": answer.abstained}


def _questions(paths: list[str]) -> list[str]:
    from .run import load_questions

    return [q["question"] for p in paths for q in load_questions(Path(p))]


def _timed(ask, questions: list[str], rounds: int) -> tuple[list[float], list[float], list]:
    """(first pass ms, later rounds ms, the later rounds' results)."""
    def once(q):
        t = time.perf_counter()
        result = ask(q)
        return (time.perf_counter() - t) * 1000, result

    first = [once(q)[0] for q in questions]
    later = [once(q) for _ in range(rounds) for q in questions]
    return first, [ms for ms, _ in later], [r for _, r in later]


def _probe_serve(args) -> dict:
    from assistant.config import Settings
    from assistant.service import Assistant

    assistant = Assistant(Settings.from_env())
    questions = _questions(args.questions)
    first, warm, answers = _timed(lambda q: assistant.ask(q, extractive=True), questions, args.rounds)
    retrieve = [a.timings_ms["retrieve"] for a in answers]
    return {"questions": len(questions), "first": first, "warm": warm, "retrieve_p50": statistics.median(retrieve),
            "first_question": questions[0]}


def _probe_baseline(args) -> dict:
    from assistant.config import Settings
    from assistant.service import library
    from index.embed import load_embedder

    from .baseline import Baseline, split

    settings = Settings.from_env()
    documents = library(settings)
    cached = CachedEmbeddings(load_embedder(settings.embedding_model), Path(args.cache), settings.embedding_model)
    chunks = split(documents)
    if args.cached_only:
        missing = cached.missing([c.page_content for c in chunks])
        if missing:
            return {"skipped": len(missing), "chunks": len(chunks), "chars": sum(len(t) for t in missing)}
    base = Baseline(documents, settings.embedding_model, embedder=cached)
    _, warm, _ = _timed(base.ask, _questions(args.questions), args.rounds)
    return {"warm": warm}


class CachedEmbeddings(Embeddings):
    """Vectors of passages embedded before, from a SQLite file; new ones embedded in batches (with a progress
    bar) and stored as they come, so an interrupted run keeps what it paid for. Queries are never cached."""

    BATCH = 64

    def __init__(self, inner: Embeddings, path: Path, model: str):
        self.inner, self.model = inner, model
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")

    def _key(self, text: str) -> str:
        return hashlib.sha1(f"{self.model}\0{text}".encode()).hexdigest()

    def _found(self, keys: list[str]) -> dict[str, list[float]]:
        found = {}
        for start in range(0, len(keys), 500):
            part = keys[start:start + 500]
            rows = self.db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})",
                                   part)
            found.update((k, np.frombuffer(v, dtype=np.float32).tolist()) for k, v in rows)
        return found

    def missing(self, texts: list[str]) -> list[str]:
        found = self._found([self._key(t) for t in texts])
        return list({t: None for t in texts if self._key(t) not in found})

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        from tqdm import tqdm

        todo = self.missing(texts)
        with tqdm(total=len(todo), desc="baseline embedding", unit="chunk", disable=not todo) as bar:
            for start in range(0, len(todo), self.BATCH):
                batch = todo[start:start + self.BATCH]
                vectors = self.inner.embed_documents(batch)
                self.db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                                    [(self._key(t), np.asarray(v, dtype=np.float32).tobytes())
                                     for t, v in zip(batch, vectors)])
                self.db.commit()
                bar.update(len(batch))
        found = self._found([self._key(t) for t in texts])
        return [found[self._key(t)] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def _main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m eval.bench", description="one benchmark probe (see scripts/bench.py)")
    sub = p.add_subparsers(required=True)
    sub.add_parser("build").set_defaults(run=_probe_build)
    f = sub.add_parser("first")
    f.add_argument("--question", required=True)
    f.set_defaults(run=_probe_first)
    for name, run in (("serve", _probe_serve), ("baseline", _probe_baseline)):
        s = sub.add_parser(name)
        s.add_argument("questions", nargs="+")
        s.add_argument("--rounds", type=int, default=3)
        if name == "baseline":
            s.add_argument("--cache", required=True)
            s.add_argument("--cached-only", action="store_true")
        s.set_defaults(run=run)
    args = p.parse_args(argv)
    print(json.dumps(args.run(args)), flush=True)


if __name__ == "__main__":
    _main()
