"""Server mode: the same index in a real `chroma run` server on 127.0.0.1."""
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.service import Assistant, build

from .servers import free_port, running
from .test_store import small_library

pytestmark = pytest.mark.slow


@pytest.fixture
def chroma_server(tmp_path):
    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = free_port()

    def ready():
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True

    with running([exe, "run", "--path", str(tmp_path / "server-db"), "--host", "127.0.0.1", "--port", str(port)],
                 ready, "chroma run", timeout=60, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
        yield port


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
