"""Command line: ``python -m assistant index | ask | add | feedback`` and the commands other packages
contribute (``serve`` from ``web``, ``eval`` from ``eval``) through the entry-point group below, so this
package never imports the layers that call it. Errors are one line on stderr with exit code 2."""
from __future__ import annotations

import argparse
import json
import sys
from importlib.metadata import entry_points

from index.errors import PolicyError

from .config import Settings

COMMANDS = "policy_assistant.commands"  # entry points: callables that add a subcommand to the parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args, Settings.from_env())
    except PolicyError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _index(args, settings: Settings) -> int:
    from .service import build

    r = build(settings, rebuild=args.rebuild, progress=not args.quiet)
    if r.unchanged:
        print(f"index is up to date: {r.documents} documents, {r.clauses} clauses (build {r.build_id})")
    else:
        print(f"indexed {r.documents} documents, {r.clauses} clauses, {r.windows} windows: "
              f"{r.embedded} embedded, {r.reused} reused, {r.seconds:.1f}s (build {r.build_id})")
    return 0


def _ask(args, settings: Settings) -> int:
    from .service import Assistant, check_question

    if args.questions is None and args.question is None:
        raise PolicyError("give a question, or --questions FILE.jsonl")
    if args.questions is None:
        check_question(args.question, settings.max_question_chars)  # before the slow model load
    assistant = Assistant(settings)
    if args.questions is not None:
        return _batch(assistant, args)
    answer = assistant.ask(args.question, documents=args.document, regions=args.region, extractive=args.extractive)
    print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=1) if args.json else _readable(answer))
    return 0


def _batch(assistant, args) -> int:
    failed = 0
    try:
        lines = open(args.questions, encoding="utf-8").read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise PolicyError(f"cannot read {args.questions}: {e}") from e
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        ident = None
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise PolicyError('each line must be a JSON object {"id": …, "question": …}')
            ident = item.get("id")
            answer = assistant.ask(item.get("question"), documents=args.document, regions=args.region, id=ident,
                                   extractive=args.extractive)
            print(json.dumps(answer.to_dict(), ensure_ascii=False), flush=True)
        except (json.JSONDecodeError, PolicyError) as e:
            failed += 1
            print(json.dumps({"id": ident, "line": number, "error": str(e)}, ensure_ascii=False), flush=True)
    return 1 if failed else 0


def _readable(answer) -> str:
    lines = [answer.text, ""]
    for c in answer.citations:
        lines.append(f"[{c.n}] {c.document.title}" + (f" {c.document.cite_number}" if c.document.cite_number else ""))
        lines.append(f"    {c.clause.path_text}")
        lines.append(f"    “{c.quote.strip()}”")
    if answer.note:  # LLM mode: what the verifier removed, or why the extractive answer is shown
        lines.append(f"* {answer.note}")
    lines.append(f"({answer.timings_ms['total']:.0f} ms)")
    return "\n".join(lines)


def _add(args, settings: Settings) -> int:
    from pathlib import Path

    from .service import add

    meta = {"id": args.id, "title": args.title, "doc_number": args.doc_number, "issuer": args.issuer,
            "date": args.date, "region": args.region, "language": args.language, "source": args.source}
    meta = {k: v for k, v in meta.items() if v}
    items, report = add(settings, [Path(p) for p in args.paths], meta, progress=not args.quiet)
    if args.json:
        print(json.dumps({"files": [i.to_dict() for i in items],
                          "index": report and {"documents": report.documents, "clauses": report.clauses,
                                               "embedded": report.embedded}}, ensure_ascii=False, indent=1))
    else:
        for i in items:
            if i.skipped:
                print(f"skipped {i.source}: {i.skipped}")
            else:
                read = f"; read from the text: {', '.join(i.from_text)}" if i.from_text else ""
                print(f"added {i.entry['id']} ({i.document.title}): {i.clauses} clauses{read}")
    if report is None:
        raise PolicyError("nothing was added: " + "; ".join(f"{i.source.name}: {i.skipped}" for i in items))
    print(f"index now holds {report.documents} documents, {report.clauses} clauses "
          f"({report.embedded} newly embedded)", file=sys.stderr if args.json else sys.stdout)
    return 1 if any(i.skipped for i in items) else 0


def _feedback(args, settings: Settings) -> int:
    from pathlib import Path

    from .feedback import FeedbackStore

    out = Path(args.out)
    count = FeedbackStore(settings.feedback_path).export_csv(out)
    print(f"exported {count} feedback rows to {out}")
    return 0


def _plugins():
    return sorted(entry_points(group=COMMANDS), key=lambda e: e.name)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m assistant", description="Policy assistant with cited answers")
    sub = p.add_subparsers(required=True)
    i = sub.add_parser("index", help="build or update the index of the policy library")
    i.add_argument("--rebuild", action="store_true", help="re-embed everything, ignoring the live build")
    i.add_argument("--quiet", action="store_true", help="no progress bar")
    i.set_defaults(run=_index)
    a = sub.add_parser("ask", help="answer a question with citations")
    a.add_argument("question", nargs="?")
    a.add_argument("--json", action="store_true", help="print the answer as JSON")
    a.add_argument("--questions", metavar="FILE.jsonl", help="answer every {id, question} line of a file")
    a.add_argument("--document", action="append", help="only this document id (repeatable)")
    a.add_argument("--region", action="append", help="only documents of this region (repeatable)")
    a.add_argument("--extractive", action="store_true", help="quote the clauses even when a chat model is configured")
    a.set_defaults(run=_ask)
    d = sub.add_parser("add", help="add policy files (txt, md, html, pdf, docx) or folders of them, then index")
    d.add_argument("paths", nargs="+", metavar="FILE_OR_DIR",
                   help="files, or folders (every supported file inside; a library.json there gives metadata)")
    d.add_argument("--json", action="store_true", help="print the per-file report as JSON")
    d.add_argument("--quiet", action="store_true", help="no progress bars")
    d.add_argument("--title", help="default: read from the text")
    d.add_argument("--id", help="document id (default: from the title)")
    d.add_argument("--doc-number", help="文号, e.g. 粤府办〔2024〕11号")
    d.add_argument("--issuer")
    d.add_argument("--date")
    d.add_argument("--region", help="e.g. 广东省, 广州南沙, 杭州")
    d.add_argument("--language", choices=["zh", "en"], help="default: detected")
    d.add_argument("--source")
    d.set_defaults(run=_add)
    f = sub.add_parser("feedback", help="feedback left in the web chat")
    f.add_argument("action", choices=["export"])
    f.add_argument("--out", default="feedback.csv", help="CSV file to write (default: feedback.csv)")
    f.set_defaults(run=_feedback)
    for command in _plugins():
        command.load()(sub)
    return p


if __name__ == "__main__":
    sys.exit(main())
