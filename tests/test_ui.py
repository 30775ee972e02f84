"""Web handlers without a browser: rendering, follow-ups, feedback in SQLite, guarded uploads."""
import csv
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document as Docx

from web import ui
from assistant.config import Settings
from assistant.feedback import FeedbackStore
from index.errors import LoadError, PolicyError

pytestmark = pytest.mark.slow


def test_follow_up_is_answered_as_a_standalone_question(assistant):
    first = ui.ask(assistant, "南沙种子投资基金的投资损失允许率是多少？", None)
    second = ui.ask(assistant, "那杭州呢？", first.question)
    assert second.rewritten and "杭州" in second.rewritten and "投资损失允许率" in second.rewritten
    assert "按上文理解为" in ui.answer_markdown(second)


def test_markup_in_questions_and_answers_is_inert(assistant):
    turn = ui.ask(assistant, "<script>alert(1)</script> 伦理审查结果互认要几个工作日？", None)
    md = ui.answer_markdown(turn)
    assert "<script>" not in md
    html = ui.citations_html(turn.answer, assistant.documents)
    assert "<script" not in html


def test_citation_cards_mark_the_quote_and_carry_a_hidden_viewer(assistant):
    turn = ui.ask(assistant, "多中心临床研究参与单位要在几个工作日内反馈伦理审查结果互认意见？", None)
    html = ui.citations_html(turn.answer, assistant.documents)
    assert 'data-cite="1"' in html and 'data-viewer="1" hidden' in html
    assert "<mark>" in html and "3个工作日" in html.split("<mark>")[1].split("</mark>")[0]
    assert "粤府办〔2024〕11号" in html and "十、建立临床研究伦理审查结果互认" in html


def test_abstentions_show_see_also_cards(assistant):
    turn = ui.ask(assistant, "上海对完成II期临床试验的1类创新药补贴多少钱？", None)
    assert ui.answer_markdown(turn).startswith("**未能回答**")
    assert "see-also" in ui.citations_html(turn.answer, assistant.documents)


def test_feedback_goes_to_sqlite_and_exports_as_csv(assistant, tmp_path):
    store = FeedbackStore(tmp_path / "var" / "feedback.sqlite3")
    turn = ui.ask(assistant, "汕头的药厂做技术改造能补多少？", None)
    assert "saved" in ui.record_feedback(store, turn, -1, "引用对了但想要更短")
    assert ui.record_feedback(store, None, 1, "").startswith("请先提问")
    out = tmp_path / "fb.csv"
    result = subprocess.run([sys.executable, "-m", "assistant", "feedback", "export", "--out", str(out)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert len(rows) == 1 and rows[0]["rating"] == "-1" and "gd-2024-action-plan:28" in rows[0]["citations"]


def test_library_rows_and_outline(assistant):
    rows = ui.library_rows(assistant.documents, assistant.snapshot.clauses)
    assert ["gd-2024-action-plan", "粤府办〔2024〕11号"] == [rows[0][0], rows[0][2]] and rows[0][-1] == 40
    outline = ui.outline_html([c for c in assistant.snapshot.clauses if c.document_id == "nansha-opinions"])
    assert "10. 积极推动创新改革突破" in outline


def make_docx(path: Path) -> Path:
    doc = Docx()
    doc.add_paragraph("某市支持生物医药产业发展办法")
    doc.add_paragraph("一、研发支持")
    doc.add_paragraph("（一）临床试验补助。对完成II期临床试验的创新药给予最高800万元补助。")
    doc.save(path)
    return path


def test_uploads_need_the_token_and_a_sane_file(tmp_path):
    path = make_docx(tmp_path / "p.docx")
    with pytest.raises(PolicyError, match="disabled"):
        ui.check_upload(Settings(data_dir=tmp_path), "x", str(path))
    settings = Settings(data_dir=tmp_path, admin_token="s3cret")
    with pytest.raises(PolicyError, match="wrong admin token"):
        ui.check_upload(settings, "guess", str(path))
    bad = tmp_path / "p.exe"
    bad.write_bytes(b"MZ")
    with pytest.raises(LoadError, match="unsupported"):
        ui.check_upload(settings, "s3cret", str(bad))
    outline = ui.preview_upload(settings, "s3cret", str(path), {"title": "某市办法"})
    assert "（一）临床试验补助" in outline and not (tmp_path / "library").exists()  # preview writes nothing


def test_an_uploaded_docx_becomes_answerable(tmp_path):
    from assistant.service import Assistant, add, build

    settings = Settings(data_dir=tmp_path / "var", admin_token="s3cret")
    build(settings, progress=False)
    paths = ui.check_upload(settings, "s3cret", str(make_docx(tmp_path / "p.docx")))
    items, report = add(settings, paths, {"title": "某市支持生物医药产业发展办法", "region": "广东省"})
    document = items[0].document
    assert report.embedded >= 1 and report.reused > 0  # the built-in library was not re-embedded
    answer = Assistant(settings).ask("完成II期临床试验的创新药最高补助多少？")
    assert answer.citations[0].document.id == document.id and "800万元" in answer.text
