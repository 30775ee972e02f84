"""The command line as a user meets it: real processes, exit codes, one-line errors, JSON output."""
import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def run(args, settings=None, tmp_path=None, input_text=None):
    env = dict(os.environ)
    if settings is not None:
        env["POLICY_DATA_DIR"] = str(settings.data_dir)
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True,
                          env=env, timeout=300, input=input_text)


@pytest.mark.parametrize("question, message", [("", "empty"), ("   \n ", "empty"),
                                                ("政" * 2001, "2001")])
def test_bad_questions_get_a_clear_message_and_exit_2(question, message):
    result = run(["ask", question])
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_ask_json_cites_the_ethics_clause_with_three_working_days(corpus_settings):
    result = run(["ask", "--json", "多中心临床研究参与单位要在几个工作日内反馈伦理审查结果互认意见？"], corpus_settings)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) >= {"id", "question", "language", "answer", "abstained", "citations", "retrieved",
                           "timings_ms"}
    first = answer["citations"][0]
    assert first["clause_id"] == "gd-2024-action-plan:10" and first["doc_number"] == "粤府办〔2024〕11号"
    assert first["clause_path"] == "十、建立临床研究伦理审查结果互认"
    assert "3个工作日" in first["quote"] and first["quote"] in first["text"]
    assert "[1]" in answer["answer"] and not answer["abstained"] and answer["language"] == "zh"
    assert len(answer["retrieved"]) == 10 and set(answer["timings_ms"]) == {"retrieve", "answer", "total"}


def test_batch_answers_in_order_with_ids(corpus_settings, tmp_path):
    questions = tmp_path / "q.jsonl"
    lines = [{"id": "a", "question": "How much can a category-1 drug get in Hangzhou?"},
             {"id": "b", "question": ""},
             {"id": "c", "question": "汕头的药厂做技术改造能补多少？"}]
    text = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n{not json\n"
    questions.write_text(text, encoding="utf-8")
    result = run(["ask", "--json", "--questions", str(questions)], corpus_settings)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c", None]  # a broken line is not given its neighbour's id
    assert "error" in out[1] and "empty" in out[1]["error"]
    assert out[3]["line"] == 4 and "error" in out[3]
    assert result.returncode == 1  # one line failed: say so, after answering the others


@pytest.mark.parametrize("name, content, reason", [
    ("binary.txt", b"\x00\x01\x02garbage\x00" * 50, "binary"),
    ("empty.md", b"", "empty"),
    ("broken.pdf", b"%PDF-1.4 not really a pdf", "PDF"),
    ("broken.docx", b"PK\x03\x04 not a zip", "docx"),
    ("sheet.xlsx", b"whatever", "unsupported"),
])
def test_adding_a_bad_file_is_refused_and_writes_nothing(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    data = tmp_path / "var"
    result = subprocess.run([sys.executable, "-m", "assistant", "add", str(path), "--title", "x"],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "POLICY_DATA_DIR": str(data)})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert name in result.stderr and reason.lower() in result.stderr.lower()
    assert not (data / "library").exists()


def test_adding_a_gbk_policy_makes_it_answerable(tmp_path):
    path = tmp_path / "shenzhen.txt"
    path.write_bytes("深圳市支持办法\n\n一、资助标准\n\n（一）临床试验资助。对完成临床试验的创新药给予最高1000万元资助。\n"
                     .encode("gbk"))
    env = {**os.environ, "POLICY_DATA_DIR": str(tmp_path / "var")}
    added = subprocess.run([sys.executable, "-m", "assistant", "add", str(path), "--title", "深圳市支持办法",
                            "--region", "广东省", "--id", "sz"], capture_output=True, text=True, env=env, timeout=300)
    assert added.returncode == 0, added.stderr
    asked = subprocess.run([sys.executable, "-m", "assistant", "ask", "--json", "完成临床试验的创新药最高资助多少？"],
                           capture_output=True, text=True, env=env, timeout=300)
    answer = json.loads(asked.stdout)
    assert answer["citations"][0]["document_id"] == "sz" and "1000万元" in answer["answer"]
