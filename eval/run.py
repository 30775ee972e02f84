"""Run the assistant over a question set and score it overall, per slice and per language."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from . import metrics as m

QUESTIONS = Path(__file__).resolve().parent / "questions.jsonl"
SLICES = ("plain", "paraphrase", "cross_lingual", "multi", "unanswerable")


def load_questions(path: Path = QUESTIONS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def slice_of(q: dict) -> str:
    if not q.get("answerable", True):
        return "unanswerable"
    for flag, name in (("all_evidence", "multi"), ("cross_lingual", "cross_lingual"), ("paraphrase", "paraphrase")):
        if q.get(flag):
            return name
    return "plain"


def score(q: dict, answer: dict) -> dict:
    """Per-question scores from an ``ask --json`` answer object."""
    retrieved = [r["text"] for r in answer["retrieved"]]
    cited = [c["text"] for c in answer["citations"]]
    row = {"id": q["id"], "slice": slice_of(q), "lang": q["lang"], "answerable": q.get("answerable", True),
           "abstained": answer["abstained"], "latency_ms": answer["timings_ms"]["total"],
           "verbatim": m.verbatim([(c["quote"], c["text"]) for c in answer["citations"]]),
           "unsupported": len(answer.get("unsupported_numbers", []))}
    if "mode" in answer:  # LLM mode ran: was the model's answer shown, and how much of it survived
        checked = answer["verification"] or {"sentences": 0, "kept": 0}
        row.update(llm_answered=answer["mode"] == "llm", sentences=checked["sentences"], kept=checked["kept"])
    if row["answerable"]:
        ev, every = q["evidence"], bool(q.get("all_evidence"))
        row.update(recall_at_1=m.recall_at(retrieved, ev, 1, every), recall_at_5=m.recall_at(retrieved, ev, 5, every),
                   mrr_at_10=m.mrr_at(retrieved, ev), ndcg_at_10=m.ndcg_at(retrieved, ev),
                   citation_recall=m.citation_recall(cited, ev), citation_precision=m.citation_precision(cited, ev),
                   fact_accuracy=m.fact_accuracy(answer["answer"], q["facts"]),
                   false_abstention=float(answer["abstained"]))
    return row


METRICS = ("recall_at_1", "recall_at_5", "mrr_at_10", "ndcg_at_10", "citation_recall", "citation_precision",
           "fact_accuracy", "false_abstention")


def summarize(rows: list[dict]) -> dict:
    """Aggregates for all questions, each slice and each language."""
    groups = {"all": rows}
    groups.update({s: [r for r in rows if r["slice"] == s] for s in SLICES})
    groups.update({f"lang={lang}": [r for r in rows if r["lang"] == lang] for lang in ("zh", "en")})
    return {name: _aggregate(rs) for name, rs in groups.items() if rs}


def _aggregate(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    out = {"n": len(rows)}
    for key in METRICS:
        out[key] = m.mean([r.get(key) for r in answerable])
    out["abstention_on_unanswerable"] = m.mean([float(r["abstained"]) for r in unanswerable])
    out["verbatim_quote_rate"] = m.mean([r["verbatim"] for r in rows])
    out["unsupported_numbers"] = sum(r["unsupported"] for r in rows)
    written = [r for r in rows if "llm_answered" in r]
    if written:
        out["llm_answered"] = m.mean([float(r["llm_answered"]) for r in written])
        sentences = sum(r["sentences"] for r in written)
        out["sentences_kept"] = sum(r["kept"] for r in written) / sentences if sentences else None
    latencies = [r["latency_ms"] for r in rows]
    out["latency_p50_ms"], out["latency_p95_ms"] = m.percentile(latencies, 50), m.percentile(latencies, 95)
    return out


def asker(assistant, llm: bool = False):
    """``ask(question) -> dict``: the ``ask --json`` object plus the numbers no cited clause holds;
    extractive unless ``llm``."""
    from assistant.cite import unsupported_numbers

    def ask(question: str) -> dict:
        answer = assistant.ask(question, extractive=not llm)
        result = answer.to_dict()
        # an abstention states no facts: its "see also" lines are references, not claims
        result["unsupported_numbers"] = [] if answer.abstained else \
            sorted(unsupported_numbers(answer.text, answer.citations))
        return result

    return ask


def evaluate(ask, questions: list[dict]) -> tuple[list[dict], list[dict]]:
    """``ask(question) -> answer dict``; returns (scored rows, answers)."""
    rows, answers = [], []
    for q in questions:
        answer = ask(q["question"])
        answers.append(answer)
        rows.append(score(q, answer))
    return rows, answers


@dataclass
class SuiteResult:
    """One question set asked of one configuration: scores, answers, and the baseline's scores beside them."""

    suite: str
    glossary: bool
    questions: list[dict]
    rows: list[dict]
    answers: list[dict]
    summary: dict
    baseline: dict | None = None

    @property
    def label(self) -> str:
        return f"{self.suite}, glossary {'on' if self.glossary else 'off'}"

    def text(self) -> str:
        from .report import comparison, table, verification_table

        parts = [f"## {self.label} ({len(self.questions)} questions)", "", table(self.summary)]
        if "llm_answered" in self.summary.get("all", {}):
            parts += ["", verification_table(self.summary)]
        if self.baseline:
            parts += ["", comparison(self.summary, self.baseline)]
        return "\n".join(parts) + "\n"


def run_suite(suite, settings, baseline: bool = False, llm: bool = False) -> SuiteResult:
    """Build (or reuse) the suite's index, ask every question (in LLM mode if ``llm``), score; optionally
    the baseline too."""
    from assistant.service import Assistant, build, library
    from index.errors import PolicyError

    from .baseline import Baseline

    try:
        questions = load_questions(suite.questions)
    except (OSError, ValueError) as e:
        raise PolicyError(f"cannot read the question file {suite.questions}: {e}") from e
    build(settings, progress=False)
    rows, answers = evaluate(asker(Assistant(settings), llm=llm), questions)
    base = None
    if baseline:
        base = summarize(evaluate(Baseline(library(settings), settings.embedding_model).ask, questions)[0])
    return SuiteResult(suite.name, settings.glossary, questions, rows, answers, summarize(rows), base)
