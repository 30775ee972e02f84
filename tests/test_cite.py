"""Citation checks: quotes are spans of their clause; numbers in an answer come from cited clauses."""
import pytest

from assistant.cite import CitationError, cite, unsupported_numbers
from index.types import Clause, Document

DOC = Document("d", "某办法（2024年）", "zh", "…", doc_number="粤府办〔2024〕11号")
CLAUSE = Clause("d:1", "d", "十、", ("十、伦理审查",), "十、伦理审查。参与单位须在3个工作日内反馈，最高1,500万元。", 0, 30, "zh")


def test_a_quote_must_be_a_span_of_its_clause():
    c = cite(1, CLAUSE, DOC, 7, 21)
    assert c.quote == CLAUSE.text[7:21]
    with pytest.raises(CitationError):
        cite(1, CLAUSE, DOC, 5, 5)


def test_unsupported_numbers_ignore_citation_metadata_but_catch_invented_figures():
    c = cite(1, CLAUSE, DOC, 7, len(CLAUSE.text))
    lead = f"根据《{DOC.title}》（{DOC.doc_number}）“十、伦理审查”：“{c.quote}”[1]"
    assert unsupported_numbers(lead, [c]) == set()
    assert unsupported_numbers(lead + " 另有5个工作日。", [c]) == {"5"}
    assert unsupported_numbers("最高1500万元", [c]) == set()  # 1,500 and 1500 are the same number
