"""Benchmark: build, rebuild, warm answers, cold start and memory on up to three libraries, beside the targets.

    python scripts/bench.py                          # `make bench`: builtin, corpus-dev
    python scripts/bench.py --libraries synthetic    # `make bench-large`: ≥ 50,000 clauses, built once, cached

Libraries: ``builtin`` (the five built-in texts), ``corpus-dev`` (+ ../shared/corpus-dev, read in place),
``synthetic`` (+ varied copies of corpus-dev up to 50,000 clauses, generated once into the bench folder,
POLICY_BENCH_DIR, default ~/.cache/policy-assistant/bench, where its index is built once and kept). Every figure
comes from a fresh process (``eval/bench.py``); targets are in ``eval/bench_targets.toml``.
"""
from __future__ import annotations

import argparse
import os
import sys
import tomllib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from eval import synthetic  # noqa: E402
from eval.bench import SYNTHETIC_CLAUSES, Figures, libraries, measure  # noqa: E402
from eval.suites import CORPUS_DEV  # noqa: E402

TARGETS = tomllib.loads((ROOT / "eval" / "bench_targets.toml").read_text(encoding="utf-8"))


def main() -> int:
    settings = Settings.from_env()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--libraries", default="builtin,corpus-dev",
                   help="comma-separated, of builtin, corpus-dev, synthetic (default: builtin,corpus-dev)")
    p.add_argument("--rounds", type=int, default=3, help="timed rounds over the question list (default 3)")
    p.add_argument("--baseline", choices=["auto", "yes", "no"], default="auto",
                   help="the LangChain recipe beside ours; auto: on the synthetic library only from cached vectors")
    p.add_argument("--bench-dir", type=Path, default=settings.bench_dir,
                   help=f"cache of the synthetic library, its index and the baseline's vectors ({settings.bench_dir})")
    args = p.parse_args()
    known = libraries(args.bench_dir)
    names = [n.strip() for n in args.libraries.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        p.error(f"unknown library {', '.join(unknown) or '(none)'}; choose from {', '.join(known)}")
    if any(n != "builtin" for n in names) and not CORPUS_DEV.is_dir():
        p.error(f"{CORPUS_DEV} not found: corpus-dev is read in place (set POLICY_CORPUS_DEV)")
    print(f"model {settings.embedding_model}; {os.cpu_count()} cores; bench folder {args.bench_dir}", flush=True)
    for name in names:
        library = known[name]
        print(f"\n== {name}: {library.label} ==", flush=True)
        if name == "synthetic":
            made = synthetic.ensure(CORPUS_DEV, library.cache / "library", SYNTHETIC_CLAUSES)
            print(f"  synthetic library {'generated' if made.created else 'reused'}: {made.documents:,} documents, "
                  f"{made.clauses:,} clauses", flush=True)
        report(measure(library, args.bench_dir, args.rounds, args.baseline, say=lambda m: print(m, flush=True)))
    return 0


def report(f: Figures) -> None:
    targets = TARGETS.get(f.library.name, {})
    distinct = f" ({f.embedded:,} distinct texts embedded)" if f.embedded not in (None, f.windows) else ""
    print(f"  {f.documents:,} documents, {f.clauses:,} clauses, {f.windows:,} windows{distinct}; "
          f"{f.questions} questions × {len(f.warm_ms) // max(f.questions, 1)} rounds; "
          f"load average {f.load[0]:.1f} → {f.load[1]:.1f} on {os.cpu_count()} cores")
    print(f"  {'figure':<48}{'measured':>12}   target")
    row = _rower(f, targets)
    row("cold build, incl. model load", "cold_build_s", "s")
    if f.cold_build_note:
        print(f"      ({f.cold_build_note})")
    _line("  builder's peak RSS", f"{f.cold_build_peak_mb:,.0f} MB")
    row("no-change rebuild (the whole command)", "rebuild_s", "s", 2)
    _line("  inside build() · windows re-embedded", f"{f.rebuild_inner_s:.2f} s · {f.rebuild_embedded}")
    row("warm retrieve+answer p50", "warm_p50_ms", "ms")
    row("warm retrieve+answer p95", "warm_p95_ms", "ms")
    row("warm retrieve+answer max", "warm_max_ms", "ms")
    _line("  of which retrieve, p50", f"{f.retrieve_p50_ms:.1f} ms")
    first = f.first_pass_ms
    _line("  first time each question is asked, p50 / p95",
          f"{_pct(first, 50):.1f} / {_pct(first, 95):.1f} ms")
    row(f"cold start to first answer (median of {len(f.cold_start_s)})", "cold_start_s", "s")
    row("peak RSS while serving", "serve_peak_mb", "MB", 0)
    base = f.value("baseline_p50_ms")
    if base:
        ours = f.value("warm_p50_ms")
        _line("LangChain recipe, warm query p50 (same library)",
              f"{base:.1f} ms", f"ours takes {ours / base:.1f}× its time (p95: {_pct(f.baseline_ms, 95):.1f} ms)")
    else:
        _line("LangChain recipe", "—", f.baseline_note or "not run (--baseline no)")


def _rower(f: Figures, targets: dict):
    def row(label: str, key: str, unit: str, digits: int = 1) -> None:
        value = f.value(key)
        if value is None:
            _line(label, "—")
            return
        shown = f"{value:,.{digits}f} {unit}"
        target = targets.get(key)
        if target is None:
            _line(label, shown)
            return
        verdict = "met" if value <= target else f"MISSED by {value - target:,.{digits}f} {unit} ({value / target:.1f}×)"
        _line(label, shown, f"≤ {target:,} {unit}  {verdict}")
    return row


def _line(label: str, measured: str, note: str = "") -> None:
    print(f"  {label:<48}{measured:>12}   {note}".rstrip(), flush=True)


def _pct(values: list[float], p: float) -> float:
    return float(np.percentile(values, p)) if values else float("nan")


if __name__ == "__main__":
    sys.exit(main())
