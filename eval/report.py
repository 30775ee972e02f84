"""Tables, report.md, metrics.json and a per-slice chart from scored rows."""
from __future__ import annotations

import json
from pathlib import Path

from .run import SLICES

COLUMNS = [("recall_at_1", "R@1"), ("recall_at_5", "R@5"), ("mrr_at_10", "MRR@10"), ("ndcg_at_10", "nDCG@10"),
           ("citation_recall", "cite R"), ("citation_precision", "cite P"), ("fact_accuracy", "facts"),
           ("false_abstention", "false abst"), ("abstention_on_unanswerable", "abst unans"),
           ("verbatim_quote_rate", "verbatim"), ("unsupported_numbers", "unsupp #"), ("latency_p50_ms", "p50 ms"),
           ("latency_p95_ms", "p95 ms")]
BASELINE_COLUMNS = ["recall_at_1", "recall_at_5", "mrr_at_10", "ndcg_at_10", "citation_recall", "citation_precision"]


def fmt(value) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if isinstance(value, int) or abs(value) >= 10 else f"{value:.3f}"


def table(summary: dict) -> str:
    """Markdown table: one row per group (all, slices, languages)."""
    head = "| group | n | " + " | ".join(label for _, label in COLUMNS) + " |"
    rule = "|" + "---|" * (len(COLUMNS) + 2)
    rows = [f"| {name} | {agg['n']} | " + " | ".join(fmt(agg.get(key)) for key, _ in COLUMNS) + " |"
            for name, agg in summary.items()]
    return "\n".join([head, rule, *rows])


def verification_table(summary: dict) -> str:
    """LLM mode: the share of questions answered by the model's verified text (the rest fell back to the
    extractive answer) and the share of its sentences the verifier kept."""
    lines = ["| group | n | llm answered | sentences kept |", "|---|---|---|---|"]
    lines += [f"| {name} | {agg['n']} | {fmt(agg.get('llm_answered'))} | {fmt(agg.get('sentences_kept'))} |"
              for name, agg in summary.items()]
    return "\n".join(lines)


def comparison(ours: dict, base: dict) -> str:
    """Ours beside the baseline on retrieval and citation metrics, with the ratio."""
    lines = ["| metric | ours | LangChain baseline | ratio |", "|---|---|---|---|"]
    for key in BASELINE_COLUMNS:
        a, b = ours["all"].get(key), base["all"].get(key)
        ratio = f"{a / b:.2f}×" if a is not None and b else "–"
        lines.append(f"| {key} | {fmt(a)} | {fmt(b)} | {ratio} |")
    return "\n".join(lines)


def failures(rows: list[dict], answers: list[dict], questions: list[dict]) -> str:
    out = []
    for q, row, ans in zip(questions, rows, answers):
        failed = (row["answerable"] and (row["recall_at_1"] < 1 or row["fact_accuracy"] < 1 or row["abstained"])) \
            or (not row["answerable"] and not row["abstained"])
        if not failed:
            continue
        out.append(f"### {q['id']} ({row['slice']}, {q['lang']})\n\n{q['question']}\n")
        if q.get("evidence"):
            out.append(f"- expected evidence: {' / '.join(q['evidence'])}")
        out.append(f"- abstained: {ans['abstained']} {ans.get('abstention') or ''}; cited: "
                   + (", ".join(c.get("clause_id", "?") for c in ans["citations"]) or "none"))
        out.append("- retrieved: " + ", ".join(r["clause_id"] for r in ans["retrieved"][:5]))
        out.append("- answer: " + ans["answer"].replace("\n", " ")[:300] + "\n")
    return "\n".join(out) or "None."


def chart(summary: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = [s for s in SLICES if s in summary]
    metrics = [("recall_at_1", "recall@1"), ("recall_at_5", "recall@5"), ("fact_accuracy", "fact accuracy"),
               ("abstention_on_unanswerable", "abstained (unanswerable)")]
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / len(metrics)
    for j, (key, label) in enumerate(metrics):
        values = [summary[g].get(key) or 0.0 for g in groups]
        ax.bar([i + j * width for i in range(len(groups))], values, width, label=label)
    ax.set_xticks([i + width * (len(metrics) - 1) / 2 for i in range(len(groups))], groups)
    ax.set_ylim(0, 1.05)
    ax.set_title("Quality per slice")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=len(metrics), frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(out: Path, summary: dict, base: dict | None, rows: list[dict], answers: list[dict],
          questions: list[dict]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps({"ours": summary, "baseline": base, "questions": rows},
                                                 ensure_ascii=False, indent=1), encoding="utf-8")
    chart(summary, out / "slices.png")
    parts = ["# Evaluation report", "", f"{len(questions)} questions.", "", "## Ours", "", table(summary), ""]
    if base:
        parts += ["## Against the plain LangChain recipe", "", comparison(summary, base), ""]
    parts += ["![per slice](slices.png)", "", "## Failed questions", "", failures(rows, answers, questions)]
    (out / "report.md").write_text("\n".join(parts), encoding="utf-8")


def write_all(out: Path, results) -> None:
    """report.md with every suite and glossary mode, metrics.json, and one chart per suite (glossary on)."""
    out.mkdir(parents=True, exist_ok=True)
    metrics = {r.label: {"ours": r.summary, "baseline": r.baseline, "questions": r.rows} for r in results}
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=1), encoding="utf-8")
    parts = ["# Evaluation report", ""]
    for r in results:
        parts += [r.text()]
        if r.glossary:
            name = f"slices-{r.suite}.png"
            chart(r.summary, out / name)
            parts += [f"![per slice]({name})", ""]
    for r in results:
        parts += [f"## Failed questions: {r.label}", "", failures(r.rows, r.answers, r.questions), ""]
    (out / "report.md").write_text("\n".join(parts), encoding="utf-8")
