"""Command line: ``python -m assistant index | ask | add | feedback`` and the commands other packages
contribute (``serve`` from ``web``, ``eval`` from ``eval``) through the entry-point group below, so this
package never imports the layers that call it. Errors are one line on stderr with exit code 2."""
from __future__ import annotations

import argparse
import json
import os
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
    except BrokenPipeError:  # `ask … | head`: the reader has all it wanted
        sys.stdout = open(os.devnull, "w")
        return 0


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _index(args, settings: Settings) -> int:
    from index.store import read_pointer

    from .indexing import build, unindexed

    missing = unindexed(settings)
    if missing and read_pointer(settings.index_dir):
        _say(f"listed in the library but not in the index (an interrupted add?): {', '.join(missing)}; "
             "indexing them now")
    r = build(settings, rebuild=args.rebuild, progress=not args.quiet, on_wait=_say)
    if r.repaired:
        _say(f"repaired: {r.repaired}")
    if r.unchanged:
        print(f"index is up to date: {r.documents} documents, {r.clauses} clauses (build {r.build_id})")
    else:
        print(f"indexed {r.documents} documents, {r.clauses} clauses, {r.windows} windows: "
              f"{r.embedded} embedded, {r.reused} reused, {r.seconds:.1f}s (build {r.build_id})")
    return 0


def _ask(args, settings: Settings) -> int:
    from .validate import check_question, check_text

    if args.questions is None and args.question is None:
        raise PolicyError("give a question, or --questions FILE.jsonl")
    for name in (args.document or []) + (args.region or []):
        check_text(name, "--document/--region")
    if args.questions is None:
        check_question(args.question, settings.max_question_chars)  # before the slow model load
    else:
        lines = _lines(args.questions)
    from index.store import read_snapshot

    from .service import Assistant, unindexed
    from .validate import check_filters

    live = read_snapshot(settings.index_dir)
    if live:  # unknown names are refused before the slow model load
        check_filters(args.document, args.region, live.documents)
    assistant = Assistant(settings)
    missing = unindexed(settings)
    if missing:
        _say(f"warning: listed in the library but not indexed: {', '.join(missing)}; "
             "run `python -m assistant index`")
    if args.questions is not None:
        return _batch(assistant, lines, args)
    answer = assistant.ask(args.question, documents=args.document, regions=args.region, extractive=args.extractive)
    print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=1) if args.json else _readable(answer))
    return 0


def _lines(path: str) -> list[bytes]:
    try:
        with open(path, "rb") as f:
            return f.read().split(b"\n")
    except OSError as e:
        raise PolicyError(f"cannot read {path}: {e.strerror or e}") from e


def _batch(assistant, lines: list[bytes], args) -> int:
    """Answer every line; a bad line gets one error line (with its id when it has one) and the rest go on."""
    from .validate import ask_request, parse_json

    failed = 0
    first_line: dict = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        ident = None
        try:
            req = ask_request(parse_json(line, f"line {number}"))
            ident = req.id
            if req.id is not None and req.id in first_line:
                raise PolicyError(f"duplicate id {req.id!r} (first on line {first_line[req.id]}); not answered again")
            if req.id is not None:
                first_line[req.id] = number
            answer = assistant.ask(req.question, documents=req.documents or args.document,
                                   regions=req.regions or args.region, id=req.id, extractive=args.extractive)
            out = answer.to_dict()
        except PolicyError as e:
            out = {"id": getattr(e, "id", None) or ident, "line": number, "error": str(e)}
        except Exception as e:  # a bug must not cost the lines after it their answers
            out = {"id": ident, "line": number, "error": f"internal error ({type(e).__name__}: {e})"}
        failed += "error" in out
        print(json.dumps(out, ensure_ascii=False), flush=True)
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

    from .indexing import add

    meta = {"id": args.id, "title": args.title, "doc_number": args.doc_number, "issuer": args.issuer,
            "date": args.date, "region": args.region, "language": args.language, "source": args.source}
    meta = {k: v for k, v in meta.items() if v}
    items, report = add(settings, [Path(p) for p in args.paths], meta, progress=not args.quiet, on_wait=_say)
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
