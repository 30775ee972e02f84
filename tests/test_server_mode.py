"""Server mode: the same index in a real `chroma run` server on 127.0.0.1."""
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.service import Assistant, build

from .test_store import small_library

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(tmp_path / "server-db"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("chroma run exited at start")
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("chroma run did not open its port within 60 s")
    yield port
    proc.terminate()
    proc.wait(timeout=20)


def test_index_and_answer_through_a_chroma_server(tmp_path, chroma_server):
    settings = Settings(data_dir=tmp_path / "var", library_dir=small_library(tmp_path / "lib"),
                        chroma_host="127.0.0.1", chroma_port=chroma_server)
    report = build(settings, progress=False)
    assert report.embedded > 0
    assert not (settings.index_dir / "chroma").exists()  # vectors live in the server, not on disk here
    assert build(settings, progress=False).unchanged
    answer = Assistant(settings).ask("How many working days do reviews take?")
    assert not answer.abstained and "10 working days" in answer.text
    assert answer.citations[0].clause.id == "b:1.2"
