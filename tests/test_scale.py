"""More than one machine: two app processes serve one index, vectors in a `chroma run` server, snapshots in one
shared data directory. A document uploaded through one is answered by the other without a restart."""
import httpx
import pytest

from index.store import read_pointer

from .servers import app_server
from .test_server_mode import chroma_server  # noqa: F401 (a fixture)
from .test_store import small_library

pytestmark = pytest.mark.slow
TOKEN = "scale-test-token"
NEW = ("一、总则\n\n（一）佛山器械奖励。对取得第三类医疗器械注册证的产品给予最高350万元奖励。\n\n"
       "（二）佛山临床补助。对完成II期临床试验的创新药给予最高800万元补助。\n")
QUESTION = "佛山取得第三类医疗器械注册证的产品最高奖励多少？"


def upload(url: str, path, title: str) -> str:
    """The admin upload, as the Admin tab sends it: the file to gradio's upload route, then "confirm"."""
    from gradio_client import Client, handle_file

    client = Client(url, headers={"X-Admin-Token": TOKEN}, verbose=False)
    result = client.predict(TOKEN, [handle_file(str(path))], title, "", "", "", "佛山", "",
                            api_name="/confirm")
    return result[0] if isinstance(result, (list, tuple)) else result


def wait_for_build(url: str, build: str, seconds: float = 30) -> dict:
    import time

    deadline = time.time() + seconds
    while True:
        health = httpx.get(url + "/api/health", timeout=10).json()
        if health["build"] == build or time.time() > deadline:
            return health
        time.sleep(0.3)


def test_a_document_uploaded_through_one_app_is_answered_by_another(tmp_path, chroma_server):  # noqa: F811
    shared = tmp_path / "shared"  # the data directory every machine mounts
    env = dict(POLICY_DATA_DIR=shared, POLICY_LIBRARY_DIR=small_library(tmp_path / "lib"),
               POLICY_CHROMA_HOST="127.0.0.1", POLICY_CHROMA_PORT=chroma_server, POLICY_ADMIN_TOKEN=TOKEN)
    with app_server(tmp_path / "a.log", **env) as a, app_server(tmp_path / "b.log", **env) as b:
        before = httpx.post(b + "/api/ask", json={"question": QUESTION}, timeout=60).json()
        assert all(c["document_title"] != "佛山医疗器械办法" for c in before["citations"])
        (tmp_path / "upload").mkdir()
        doc = tmp_path / "upload" / "foshan.txt"
        doc.write_text(NEW, encoding="utf-8")
        report = upload(a, doc, "佛山医疗器械办法")
        assert "indexed" in report, report
        live = read_pointer(shared / "index")["build"]
        assert not (shared / "index" / "chroma").exists()  # vectors in the server, snapshots in the shared folder
        for url in (a, b):
            assert wait_for_build(url, live)["build"] == live
        answer = httpx.post(b + "/api/ask", json={"question": QUESTION}, timeout=60).json()
    assert not answer["abstained"], answer["answer"]
    cited = answer["citations"][0]
    assert cited["document_title"] == "佛山医疗器械办法" and "350万元" in cited["quote"]
