"""Bounded everything: file reading limits, request bodies, uploads behind the admin token, gradio's file
allow-list, the shared answering queue under a burst, the feedback rate limit."""
import asyncio
import os
import resource
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from assistant.config import Settings
from assistant.feedback import FeedbackStore, RateLimit
from assistant.service import build
from index.errors import LoadError
from index.load import Limits, load_text
from web import ui
from web.gate import Busy, Gate
from web.signing import Signer

from .servers import app_server
from .test_store import small_library

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "s3cret-token"


def zip_bomb_docx(path: Path, unpacked_mb: int = 300) -> Path:
    """A .docx of about 1 MB whose document.xml unpacks to ``unpacked_mb`` MB of (valid) XML."""
    chunk = b"<w:p><w:r><w:t>" + b"a" * 4000 + b"</w:t></w:r></w:p>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
            for _ in range(unpacked_mb * 1024 * 1024 // len(chunk)):
                f.write(chunk)
            f.write(b"</w:body></w:document>")
    return path


# --- reading files ----------------------------------------------------------------------------------
def test_a_zip_bomb_docx_is_refused_before_parsing(tmp_path):
    bomb = zip_bomb_docx(tmp_path / "bomb.docx")
    assert bomb.stat().st_size < 5 * 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    with pytest.raises(LoadError, match="unpacks to .* zip bomb"):
        load_text(bomb)
    assert time.perf_counter() - t < 2.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024  # KiB: nothing was unpacked


@pytest.mark.slow
def test_adding_a_zip_bomb_is_refused_by_the_cli_quickly(tmp_path):
    bomb = zip_bomb_docx(tmp_path / "bomb.docx")
    t = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "assistant", "add", str(bomb), "--title", "bomb"],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "POLICY_DATA_DIR": str(tmp_path / "var")})
    assert result.returncode == 2 and "zip bomb" in result.stderr and "Traceback" not in result.stderr
    assert time.perf_counter() - t < 30  # the refusal, not the parse: a cold process included
    assert not (tmp_path / "var" / "library").exists()


def test_a_pdf_over_the_page_limit_is_refused(tmp_path):
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    path = tmp_path / "long.pdf"
    c = canvas.Canvas(str(path))
    for i in range(12):
        c.drawString(72, 720, f"Page {i}")
        c.showPage()
    c.save()
    with pytest.raises(LoadError, match="12 pages .limit 10"):
        load_text(path, Limits(max_pages=10))
    assert "Page 11" in load_text(path)


def test_reading_stops_at_the_deadline(tmp_path):
    path = tmp_path / "big.html"
    path.write_text("<div>" + "<p>第一条 政策内容。</p>" * 20000 + "</div>", encoding="utf-8")
    with pytest.raises(LoadError, match="longer than 0.01 s"):
        load_text(path, Limits(max_seconds=0.01))


def test_deeply_nested_html_is_refused_not_crashed(tmp_path):
    path = tmp_path / "deep.html"
    path.write_text("<div>" * 100_000 + "text" + "</div>" * 100_000, encoding="utf-8")  # 1.1 MB
    t = time.perf_counter()
    with pytest.raises(LoadError, match="nested 100,000 levels deep"):
        load_text(path)
    assert time.perf_counter() - t < 10  # was 7 minutes of quadratic clean-up


# --- the answering queue and feedback limit (in process) -----------------------------------------------
def test_the_gate_rejects_at_once_beyond_workers_plus_queue():
    gate = Gate(workers=1, queue_size=1, queue_wait=0.2)
    release = threading.Event()
    busy = gate.admit()

    def hold():
        with busy.running():
            release.wait(5)

    runner = threading.Thread(target=hold)
    runner.start()
    waiting = gate.admit()  # the one place in the queue
    t = time.perf_counter()
    with pytest.raises(Busy) as full:
        gate.admit()
    assert time.perf_counter() - t < 0.05 and full.value.retry_after >= 1
    with pytest.raises(Busy, match="no worker became free"):  # a bounded wait, then 503 too
        with waiting.running():
            pass
    release.set()
    runner.join()
    assert gate.admitted == 0
    with gate.slot():
        assert gate.admitted == 1


@pytest.mark.slow
def test_votes_are_rate_limited_per_answer_and_long_comments_refused(tmp_path, assistant):
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    signer = Signer.for_data_dir(tmp_path)
    first, second = (signer.sign(ui.answer_record(ui.ask(assistant, q, None), assistant.documents))
                     for q in ("汕头的药厂做技术改造能补多少？", "南沙种子投资基金的投资损失允许率是多少？"))
    limit = RateLimit(3, window=60)

    def vote(answer, rating=1, comment="ok"):
        try:
            return ui.record_vote(store, signer, {"answer": answer, "rating": rating, "comment": comment, "lang": "en"},
                                  limit=limit, max_chars=1000)
        except ui.FeedbackError as e:
            return e

    said = [vote(first, rating) for rating in (1, -1, 1, -1, 1)]
    assert [s["rating"] for s in said[:3]] == [1, -1, 1]
    assert all(isinstance(s, ui.FeedbackError) and s.status == 429 and "too much feedback" in str(s)
               and s.retry_after >= 1 for s in said[3:])
    assert vote(second)["rating"] == 1  # another answer
    long = vote(second, comment="长" * 1001)
    assert long.status == 400 and "comment too long (1001 characters; at most 1000)" in str(long)
    assert [(r["rating"], r["comment"]) for r in store.rows()] == [(1, "ok"), (1, "ok")]  # one row per answer


# --- a running app ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("limits")
    settings = Settings(data_dir=root / "var", library_dir=small_library(root / "lib"))
    build(settings, progress=False)
    with app_server(root / "app.log", POLICY_DATA_DIR=settings.data_dir, POLICY_LIBRARY_DIR=settings.library_dir,
                    POLICY_ADMIN_TOKEN=TOKEN, POLICY_MAX_FILE_MB=1, GRADIO_TEMP_DIR=root / "uploads") as url:
        yield url, root


def _chunks(total: int, size: int = 65536):
    sent = 0
    while sent < total:
        yield b"a" * min(size, total - sent)
        sent += size


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/api/ask", "/gradio_api/queue/join", "/gradio_api/run/predict", "/no/such/route"])
def test_oversized_bodies_get_413_on_every_route(app, path):
    url, _ = app
    declared = httpx.post(url + path, content=b"x" * 200_000, timeout=30)
    assert declared.status_code == 413 and "too large" in declared.json()["error"]
    if path != "/no/such/route":  # which answers 404 before reading any of it
        chunked = httpx.post(url + path, content=_chunks(5_000_000), timeout=30)  # no Content-Length
        assert chunked.status_code == 413


@pytest.mark.slow
def test_an_upload_over_the_file_limit_gets_413_even_with_the_token(app):
    url, _ = app
    r = httpx.post(url + "/gradio_api/upload", files={"files": ("big.txt", b"x" * 2_000_000)},
                   headers={"X-Admin-Token": TOKEN}, timeout=30)
    assert r.status_code == 413


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/gradio_api/upload", "/gradio_api//upload/", "/gradio_api/upload?upload_id=x",
                                  "/gradio_api/process_recording", "/gradio_api/queue/join", "/api/ask"])
@pytest.mark.parametrize("token", [None, "wrong"])
def test_uploads_without_the_token_are_refused_on_every_route(app, path, token):
    url, root = app
    headers = {"X-Admin-Token": token} if token else {}
    r = httpx.post(url + path, files={"files": ("p.txt", "一、总则\n".encode())}, headers=headers, timeout=30)
    assert r.status_code == 401 and "admin token" in r.json()["error"]
    assert not list((root / "uploads").rglob("p.txt"))  # nothing reached the disk


@pytest.mark.slow
def test_an_upload_with_the_token_is_accepted(app):
    url, root = app
    r = httpx.post(url + "/gradio_api/upload", files={"files": ("ok.txt", "一、总则\n".encode())},
                   cookies={"policy_admin_token": TOKEN}, timeout=30)
    assert r.status_code == 200 and r.json()[0].endswith("ok.txt")


@pytest.mark.slow
def test_a_crafted_event_cannot_make_the_server_copy_a_file_it_was_never_sent(app, tmp_path):
    url, root = app
    secret = root / "var" / "feedback.sqlite3"
    secret.write_bytes(b"SQLite secret")
    data = [TOKEN, {"path": str(secret), "meta": {"_type": "gradio.FileData"}, "orig_name": "x.txt"},
            "t", "", "", "", "", ""]
    event = httpx.post(url + "/gradio_api/call/preview", json={"data": data}, timeout=30).json()["event_id"]
    result = httpx.get(url + f"/gradio_api/call/preview/{event}", timeout=30).text
    assert "event: error" in result
    assert not [p for p in (root / "uploads").rglob("*") if p.is_file() and p.read_bytes() == b"SQLite secret"]


@pytest.mark.slow
def test_64_concurrent_clients_get_answers_or_fast_503s(app):
    sys.path.insert(0, str(ROOT / "scripts"))
    from load import burst, load_questions

    url, _ = app
    stats = asyncio.run(burst(url, 64, load_questions()))
    assert not stats.errors, stats.errors[:3]
    assert len(stats.ok) + len(stats.rejected) == 64 and len(stats.ok) >= 2
    assert all(t < 2.0 for t in stats.rejected)  # overflow is told at once, never left waiting
    health = httpx.get(url + "/api/health").json()
    assert health["answering"] == 0
