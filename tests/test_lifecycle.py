"""Faults while the library changes: kill -9 mid-build, two writers at once, rebuilds under live traffic,
readers that outlive several builds, a damaged Chroma database. Real processes, a real Chroma."""
import json
import os
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from assistant.config import Settings
from assistant.service import Assistant, build, unindexed
from index.library import read_listing as listing
from index.store import read_pointer

from .servers import app_server
from .test_store import ZH, small_library

pytestmark = pytest.mark.slow
NEW = "一、总则\n\n（一）深圳临床试验补助。对完成III期临床试验的创新药给予最高2000万元补助。\n"
OTHER = "一、总则\n\n（一）珠海器械奖励。对取得第三类医疗器械注册证的产品给予最高300万元奖励。\n"


@pytest.fixture
def settings(tmp_path):
    s = Settings(data_dir=tmp_path / "var", library_dir=small_library(tmp_path / "lib"))
    build(s, progress=False)
    return s


def cli(settings, *args, wait=True):
    env = {**os.environ, "POLICY_DATA_DIR": str(settings.data_dir), "POLICY_LIBRARY_DIR": str(settings.library_dir)}
    command = [sys.executable, "-m", "assistant", *args]
    if not wait:
        return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def kill_while_writing(proc, settings, delay):
    """kill -9 ``proc`` ``delay`` seconds after it took the writer lock (or as it ends)."""
    lock_info = settings.data_dir / "write.lock.json"
    deadline = time.time() + 120
    while not lock_info.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


@pytest.mark.parametrize("delay", [0.2, 2.0, 4.0, 6.0])
def test_kill_9_during_index_never_breaks_the_index(settings, delay):
    small_library(settings.library_dir, zh=ZH.replace("500万元", "900万元"))
    kill_while_writing(cli(settings, "index", "--rebuild", "--quiet", wait=False), settings, delay)
    answer = Assistant(settings).ask("支持企业的项目奖励最多多少万元？").text
    assert "500万元" in answer or "900万元" in answer  # the old build, or the new one if it got that far
    done = cli(settings, "index", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "900万元" in Assistant(settings).ask("支持企业的项目奖励最多多少万元？").text
    assert not list((settings.index_dir / "builds").glob("*.partial"))  # the killed build's leftovers are gone


@pytest.mark.parametrize("delay", [0.2, 3.0, 5.0, 7.0])
def test_kill_9_during_add_loses_nothing_and_the_next_index_repairs_it(settings, tmp_path, delay):
    kill_while_writing(cli(settings, "add", write(tmp_path, "sz.txt", NEW), "--title", "深圳办法", "--id", "sz",
                           wait=False), settings, delay)
    listed = [e["id"] for e in listing(settings.user_library_dir)]  # valid JSON, whatever the moment
    assert listed in ([], ["sz"])
    assert "500万元" in Assistant(settings).ask("支持企业的项目奖励最多多少万元？").text  # nothing else lost
    repaired = cli(settings, "index", "--quiet")
    assert repaired.returncode == 0, repaired.stderr
    assert unindexed(settings) == []  # every listed document is indexed now
    if not listed:  # it never made it into the library: adding again works (the id is free)
        again = cli(settings, "add", write(tmp_path, "sz.txt", NEW), "--title", "深圳办法", "--id", "sz")
        assert again.returncode == 0, again.stderr
    answer = Assistant(settings).ask("完成III期临床试验的创新药最高补助多少？")
    assert answer.citations and answer.citations[0].document.id == "sz"


def test_a_document_listed_but_not_indexed_is_reported_and_indexed(settings, tmp_path):
    folder = settings.user_library_dir
    folder.mkdir(parents=True)
    (folder / "sz.txt").write_text(NEW, encoding="utf-8")
    (folder / "library.json").write_text(json.dumps([{"id": "sz", "file": "sz.txt", "title": "深圳办法"}]),
                                         encoding="utf-8")
    asked = cli(settings, "ask", "Grants?")
    assert asked.returncode == 0 and "listed in the library but not indexed: sz" in asked.stderr
    indexed = cli(settings, "index", "--quiet")
    assert indexed.returncode == 0 and "not in the index (an interrupted add?): sz" in indexed.stderr
    assert unindexed(settings) == []


def test_two_concurrent_adds_keep_both_documents(settings, tmp_path):
    first = cli(settings, "add", write(tmp_path, "sz.txt", NEW), "--title", "深圳办法", "--id", "sz", wait=False)
    second = cli(settings, "add", write(tmp_path, "zh.txt", OTHER), "--title", "珠海办法", "--id", "zh", wait=False)
    outs = [p.communicate(timeout=300) for p in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outs
    assert any("waiting for another build" in err for _, err in outs)  # one waited for the other, and said so
    assert sorted(e["id"] for e in listing(settings.user_library_dir)) == ["sz", "zh"]
    a = Assistant(settings)
    assert a.ask("完成III期临床试验的创新药最高补助多少？").citations[0].document.id == "sz"
    assert a.ask("取得第三类医疗器械注册证的产品最高奖励多少？").citations[0].document.id == "zh"


def test_a_reader_keeps_its_build_through_later_builds_until_it_closes(settings):
    reader = Assistant(settings)
    old = reader.snapshot.build_id
    for amount in ("600万元", "700万元", "800万元"):  # three newer builds: old is neither live nor previous
        small_library(settings.library_dir, zh=ZH.replace("500万元", amount))
        build(settings, progress=False)
    assert (settings.index_dir / "builds" / old).exists()
    answer = reader.ask("支持企业的项目奖励最多多少万元？")  # dense search still reads its collection
    assert "500万元" in answer.text and answer.retrieved
    reader.close()
    small_library(settings.library_dir, zh=ZH.replace("500万元", "950万元"))
    build(settings, progress=False)
    assert not (settings.index_dir / "builds" / old).exists()
    assert len(list((settings.index_dir / "builds").iterdir())) == 2  # the live build and the one it replaced


def test_a_damaged_chroma_database_is_reported_then_repaired_by_rebuild(settings):
    (settings.index_dir / "chroma" / "chroma.sqlite3").write_bytes(b"SQLite format 3\x00" + b"\x00" * 2000)
    asked = cli(settings, "ask", "How many working days do reviews take?")
    assert asked.returncode == 2 and "Chroma" in asked.stderr and "Traceback" not in asked.stderr
    plain = cli(settings, "index", "--quiet")
    assert plain.returncode == 2 and "index --rebuild" in plain.stderr and "Traceback" not in plain.stderr
    repaired = cli(settings, "index", "--rebuild", "--quiet")
    assert repaired.returncode == 0 and "repaired" in repaired.stderr, repaired.stderr
    asked = cli(settings, "ask", "How many working days do reviews take?")
    assert asked.returncode == 0 and "10 working days" in asked.stdout


def test_lost_vectors_are_found_and_rebuilt_by_a_plain_index(settings):
    import shutil

    live = read_pointer(settings.index_dir)["collection"]
    shutil.rmtree(settings.index_dir / "chroma")  # a wiped database (or a reset Chroma server)
    asked = cli(settings, "ask", "How many working days do reviews take?")
    assert asked.returncode == 2 and live in asked.stderr and "index --rebuild" in asked.stderr
    result = cli(settings, "index", "--quiet")
    assert result.returncode == 0 and "repaired" in result.stderr and live in result.stderr, result.stderr
    asked = cli(settings, "ask", "How many working days do reviews take?")  # a fresh process: this one
    assert asked.returncode == 0 and "10 working days" in asked.stdout     # cached the deleted files


def test_adds_and_rebuilds_while_the_app_answers_a_steady_stream(settings, tmp_path):
    question = {"question": "How many working days do reviews take?"}
    statuses, stop = [], threading.Event()

    def stream(url):
        with httpx.Client(timeout=60) as client:
            while not stop.is_set():
                try:
                    statuses.append(client.post(url + "/api/ask", json=question).status_code)
                except httpx.HTTPError as e:
                    statuses.append(repr(e))

    with app_server(tmp_path / "app.log", POLICY_DATA_DIR=settings.data_dir,
                    POLICY_LIBRARY_DIR=settings.library_dir) as url:
        asker = threading.Thread(target=stream, args=(url,))
        asker.start()
        try:
            steps = [cli(settings, "add", write(tmp_path, "sz.txt", NEW), "--title", "深圳办法", "--id", "sz"),
                     cli(settings, "index", "--rebuild", "--quiet"),
                     cli(settings, "add", write(tmp_path, "zh.txt", OTHER), "--title", "珠海办法", "--id", "zh")]
            assert all(s.returncode == 0 for s in steps), [s.stderr for s in steps]
            live = read_pointer(settings.index_dir)["build"]
            deadline = time.time() + 20
            while httpx.get(url + "/api/health").json()["build"] != live and time.time() < deadline:
                time.sleep(0.2)
            answer = httpx.post(url + "/api/ask", json={"question": "取得第三类医疗器械注册证的产品最高奖励多少？"},
                                timeout=60).json()
        finally:
            stop.set()
            asker.join()
    assert len(statuses) > 10 and set(statuses) == {200}, [s for s in statuses if s != 200][:5]
    assert answer["citations"][0]["document_id"] == "zh"  # the app sees the new document without a restart


WORKER_PARENT = """
import os, time
from index import workers

if __name__ == "__main__":
    with workers.pool(1) as pool:
        print(pool.submit(os.getpid).result(), flush=True)
        pool.submit(time.sleep, 120)
        time.sleep(120)
"""


def test_a_build_killed_mid_way_leaves_no_worker_process_behind():
    """The build's worker processes (embedding, tokenising) die with it: none is left holding memory."""
    parent = subprocess.Popen([sys.executable, "-c", WORKER_PARENT], stdout=subprocess.PIPE, text=True,
                              cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    worker = int(parent.stdout.readline())
    parent.kill()
    parent.wait(10)
    deadline = time.time() + 10
    while time.time() < deadline and _running(worker):
        time.sleep(0.1)
    assert not _running(worker)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited; only its parent may reap it
    except FileNotFoundError:
        return False
