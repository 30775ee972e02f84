"""Result records of the answering side; ``Answer.to_dict`` is the ``ask --json`` schema."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from index.errors import PolicyError
from index.types import Clause, Document

if TYPE_CHECKING:
    from .verify import Verification


class QuestionError(PolicyError):
    """The question cannot be answered as asked: empty, too long, or not text."""


@dataclass(frozen=True)
class Hit:
    """One retrieved clause; ``why`` names the rankers that found it and their ranks."""

    clause: Clause
    score: float
    rank: int
    why: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"clause_id": self.clause.id, "clause_path": self.clause.path_text,
                "text": self.clause.text, "score": round(self.score, 6)}


@dataclass(frozen=True)
class Citation:
    """A verbatim quote: ``clause.text[quote_start:quote_end] == quote``, checked when made."""

    n: int
    clause: Clause
    document: Document
    quote: str
    quote_start: int
    quote_end: int

    def to_dict(self) -> dict:
        return {"n": self.n, "clause_id": self.clause.id, "document_id": self.document.id,
                "document_title": self.document.title, "doc_number": self.document.cite_number,
                "clause_path": self.clause.path_text, "quote": self.quote, "text": self.clause.text,
                "start": self.clause.start + self.quote_start, "end": self.clause.start + self.quote_end}


@dataclass(frozen=True)
class Answer:
    question: str
    language: str
    text: str
    abstained: bool
    citations: list[Citation]
    retrieved: list[Hit]
    timings_ms: dict
    id: object = None
    see_also: list[Hit] = field(default_factory=list)
    rewritten: str | None = None
    abstention: str | None = None   # the check that made it abstain (assistant.checks)
    signals: dict | None = None     # what the abstention checks weighed (for calibration, not serialised)
    # LLM mode (see writer.py): "llm" when the text is the model's verified answer; the note says what
    # the verifier removed or why the extractive answer is shown instead
    mode: str = "extractive"
    note: str | None = None
    verification: Verification | None = None

    def to_dict(self) -> dict:
        d = {"id": self.id, "question": self.question, "language": self.language, "answer": self.text,
             "abstained": self.abstained, "citations": [c.to_dict() for c in self.citations],
             "retrieved": [h.to_dict() for h in self.retrieved],
             "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()}}
        if self.abstention:
            d["abstention"] = self.abstention
        if self.see_also:
            d["see_also"] = [{"clause_id": h.clause.id, "clause_path": h.clause.path_text}
                             for h in self.see_also]
        if self.rewritten:
            d["rewritten_question"] = self.rewritten
        if self.note or self.verification:  # only when LLM mode ran
            d.update(mode=self.mode, note=self.note,
                     verification=self.verification.to_dict() if self.verification else None)
        return d
