"""The ``eval`` subcommand of ``python -m assistant``, contributed through an entry point."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from assistant.config import Settings
from index.errors import PolicyError

from .suites import DEFAULT, SUITES, Suite


def register(sub) -> None:
    e = sub.add_parser("eval", help="score the assistant (and the plain LangChain baseline) on question sets")
    e.add_argument("--suite", action="append", choices=sorted(SUITES),
                   help=f"question set(s) to run (repeatable; default: {', '.join(DEFAULT)})")
    e.add_argument("--questions", metavar="FILE.jsonl", help="a question file of your own instead of the suites")
    e.add_argument("--library", action="append", default=[], metavar="DIR",
                   help="with --questions: folders of policies to load beside the built-in library")
    e.add_argument("--glossary", choices=["on", "off", "both"], default="both",
                   help="query expansion from data/glossary (places are always used); default: both")
    e.add_argument("--out", metavar="DIR", help="write report.md, metrics.json and charts here")
    e.add_argument("--no-baseline", action="store_true", help="skip the plain LangChain recipe")
    e.add_argument("--llm", action="store_true",
                   help="answer in LLM mode (POLICY_LLM_*) and add verification rates; default: extractive")
    e.set_defaults(run=run)


def run(args, settings: Settings) -> int:
    from .report import write_all
    from .run import run_suite

    if args.llm and not settings.llm_enabled:
        raise PolicyError("eval --llm needs a chat model: set POLICY_LLM_BASE_URL and POLICY_LLM_MODEL")
    if args.questions:
        suites = [Suite("custom", Path(args.questions), tuple(Path(p) for p in args.library))]
    else:
        suites = [SUITES[name] for name in (args.suite or DEFAULT)]
    modes = {"on": [True], "off": [False], "both": [True, False]}[args.glossary]
    results = []
    for suite in suites:
        for missing in [p for p in suite.libraries if not p.is_dir()]:
            raise PolicyError(f"suite {suite.name}: library folder {missing} not found "
                              "(set POLICY_CORPUS_DEV to where corpus-dev is)")
        base = replace(settings, data_dir=suite.data_dir(settings.data_dir), extra_libraries=suite.libraries)
        for glossary in modes:
            result = run_suite(suite, replace(base, glossary=glossary),
                               baseline=not args.no_baseline and glossary == modes[0], llm=args.llm)
            print(result.text())
            results.append(result)
    if args.out:
        write_all(Path(args.out), results)
        print(f"\nreport written to {args.out}/report.md")
    return 0
