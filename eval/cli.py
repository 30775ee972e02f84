"""The ``eval`` subcommand of ``python -m assistant``, contributed through an entry point."""
from __future__ import annotations

from pathlib import Path

from assistant.config import Settings
from index.errors import PolicyError


def register(sub) -> None:
    e = sub.add_parser("eval", help="score the assistant (and the plain LangChain baseline) on a question set")
    e.add_argument("--questions", metavar="FILE.jsonl", help="default: eval/questions.jsonl")
    e.add_argument("--out", metavar="DIR", help="write report.md, metrics.json and slices.png here")
    e.add_argument("--no-baseline", action="store_true", help="skip the baseline run")
    e.set_defaults(run=run)


def run(args, settings: Settings) -> int:
    from assistant.service import Assistant, build

    from .baseline import Baseline
    from .report import comparison, table, write
    from .run import QUESTIONS, asker, evaluate, load_questions, summarize

    build(settings, progress=False)
    assistant = Assistant(settings)
    path = Path(args.questions) if args.questions else QUESTIONS
    try:
        questions = load_questions(path)
    except (OSError, ValueError) as e:
        raise PolicyError(f"cannot read the question file {path}: {e}") from e

    rows, answers = evaluate(asker(assistant), questions)
    summary = summarize(rows)
    base = None
    if not args.no_baseline:
        base = summarize(evaluate(Baseline(settings.library_dir, settings.embedding_model).ask, questions)[0])
    print(table(summary))
    if base:
        print()
        print(comparison(summary, base))
    if args.out:
        write(Path(args.out), summary, base, rows, answers, questions)
        print(f"\nreport written to {args.out}/report.md")
    return 0
