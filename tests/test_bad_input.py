"""The bad-input catalogue: what a careless user or an attacker sends, over the CLI, a batch file and the
JSON API. Each gets a clear, specific message (exit 2 / HTTP 4xx), never a traceback or a 500, nothing is
written, and a batch answers every other line."""
import json
import os
import subprocess
import sys

import httpx
import pytest

from assistant.config import Settings
from assistant.service import build

from .servers import app_server
from .test_store import small_library

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad-input")
    settings = Settings(data_dir=root / "var", library_dir=small_library(root / "lib"))
    build(settings, progress=False)
    return settings


def cli(settings, args, extra_env=None, timeout=300):
    env = {**os.environ, "POLICY_DATA_DIR": str(settings.data_dir), "POLICY_LIBRARY_DIR": str(settings.library_dir),
           **(extra_env or {})}
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, env=env, timeout=timeout)


def policy(tmp_path, text="一、总则\n\n（一）新条款。给予不超过100万元奖励。\n", name="new.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- the command line ------------------------------------------------------------------------
CLI_CASES = {
    "empty question": (lambda t: ["ask", ""], "empty"),
    "blank question": (lambda t: ["ask", " \n\t "], "empty"),
    "no question at all": (lambda t: ["ask"], "give a question"),
    "invalid UTF-8 bytes": (lambda t: ["ask", b"grants \xff\xfe?"], "not valid UTF-8"),
    "unknown document": (lambda t: ["ask", "--document", "nope", "Grants?"], "unknown document nope; known: a, b"),
    "unknown region": (lambda t: ["ask", "--region", "火星", "Grants?"], "unknown region 火星; known: 广东省, 杭州"),
    "filters that exclude everything": (lambda t: ["ask", "--document", "a", "--region", "杭州", "Grants?"],
                                        "no loaded document"),
    "missing batch file": (lambda t: ["ask", "--questions", str(t / "none.jsonl")], "cannot read"),
    "batch file is a folder": (lambda t: ["ask", "--questions", str(t)], "cannot read"),
    "id that climbs out": (lambda t: ["add", policy(t), "--title", "x", "--id", "../../x"], "must be lower-case letters"),
    "id with a folder": (lambda t: ["add", policy(t), "--title", "x", "--id", "sub/dir"], "must be lower-case letters"),
    "id in capitals": (lambda t: ["add", policy(t), "--title", "x", "--id", "Shenzhen"], "must be lower-case letters"),
    "id taken": (lambda t: ["add", policy(t), "--title", "x", "--id", "a"], "already in the library"),
    "title with invalid bytes": (lambda t: ["add", policy(t), "--title", b"bad \xff title"], "UTF-8"),
    "file not found": (lambda t: ["add", str(t / "nope.txt"), "--title", "x"], "no such file"),
    "file yielding no clause": (lambda t: ["add", policy(t, "一、总则\n\n二、附则\n"), "--title", "x", "--id", "empty"],
                                "no clause found"),
    "setting that is not a number": (lambda t: ["ask", "Grants?"], "POLICY_WORKERS must be an integer"),
}


@pytest.mark.parametrize("case", list(CLI_CASES))
def test_cli_refuses_clearly_and_writes_nothing(small, tmp_path, case):
    make_args, message = CLI_CASES[case]
    listing = small.user_library_dir / "library.json"
    before = listing.read_bytes() if listing.exists() else None
    env = {"POLICY_WORKERS": "abc"} if case.startswith("setting") else None
    result = cli(small, make_args(tmp_path), env)
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2, stderr
    assert message in stderr and "Traceback" not in stderr
    assert b"added" not in result.stdout  # an add lists what it skipped, and adds nothing
    assert (listing.read_bytes() if listing.exists() else None) == before


# --- a batch file ------------------------------------------------------------------------------
GOOD = [(1, "g1", "How many working days do reviews take?"), (22, "g2", "支持企业的项目奖励最多多少万元？")]
BATCH = [  # (line, raw line, expected id, message)
    (2, b"{not json", None, "not valid JSON"),
    (3, b"[1, 2]", None, "expected a JSON object"),
    (4, b'"just a string"', None, "expected a JSON object"),
    (5, b'{"id": "e1", "question": ""}', "e1", "empty"),
    (6, b'{"id": "e2", "question": 42}', "e2", "question must be a string, not a number (42)"),
    (7, b'{"id": "e3"}', "e3", '"question" field is missing'),
    (8, b'{"id": "e4", "question": "\\ud800 grants"}', "e4", "lone surrogate"),
    (9, b'{"id": "e5", "question": "\xff grants"}', None, "not valid UTF-8"),
    (10, b"[" * 100_000 + b"]" * 100_000, None, "nested too deeply"),
    (11, b'{"id": ' + b"9" * 5000 + b', "question": "q"}', None, "too many digits"),
    (12, b'{"id": NaN, "question": "q"}', None, "NaN is not valid JSON"),
    (13, b'{"id": true, "question": "q"}', None, "id must be a string or an integer"),
    (14, b'{"id": "g1", "question": "Grants?"}', "g1", "duplicate id 'g1' (first on line 1)"),
    (15, b'{"id": "e6", "question": "q", "documents": ["nope"]}', "e6", "unknown document nope"),
    (16, '{"id": "e7", "question": "q", "regions": ["火星"]}'.encode(), "e7", "unknown region 火星"),
    (17, b'{"id": "e8", "question": "q", "extra": 1}', None, "unknown field(s) 'extra'"),
    (18, b'{"id": "e9", "question": "q", "question": "r"}', None, "duplicate key 'question'"),
    (19, ('{"id": "e10", "question": "%s"}' % ("政" * 3000)).encode(), "e10", "3000"),
    (20, b'{"id": "e11", "question": "q", "documents": "a"}', "e11", "documents must be a list"),
    (21, ('{"id": "%s", "question": "q"}' % ("x" * 300)).encode(), None, "id is too long"),
]


@pytest.fixture(scope="module")
def batch_output(small, tmp_path_factory):
    lines = {n: json.dumps({"id": i, "question": q}, ensure_ascii=False).encode() for n, i, q in GOOD}
    lines.update({n: raw for n, raw, _, _ in BATCH})
    path = tmp_path_factory.mktemp("batch") / "q.jsonl"
    path.write_bytes(b"\n".join(lines[n] for n in sorted(lines)) + b"\n")
    result = cli(small, ["ask", "--json", "--questions", str(path)])
    assert "Traceback" not in result.stderr.decode("utf-8", "replace")
    return result


@pytest.mark.parametrize("line, raw, ident, message", BATCH, ids=[m for _, _, _, m in BATCH])
def test_a_bad_batch_line_fails_alone_with_its_id_and_line(batch_output, line, raw, ident, message):
    out = {o["line"]: o for o in map(json.loads, batch_output.stdout.decode().splitlines()) if "line" in o}
    assert out[line]["id"] == ident and message in out[line]["error"]
    assert "internal error" not in out[line]["error"]


def test_the_good_lines_around_them_are_answered_in_order(batch_output):
    out = [json.loads(line) for line in batch_output.stdout.decode().splitlines()]
    assert len(out) == len(GOOD) + len(BATCH)
    answered = [o for o in out if "error" not in o]
    assert [o["id"] for o in answered] == ["g1", "g2"] and all(o["citations"] for o in answered)
    assert batch_output.returncode == 1  # some lines failed: say so after answering the rest


# --- the JSON API ----------------------------------------------------------------------------------
API_CASES = {
    "question is a number": (b'{"question": 42}', 400, "question must be a string"),
    "question is null": (b'{"question": null}', 400, "question must be a string, not null"),
    "question missing": (b'{"id": "k"}', 400, '"question" field is missing'),
    "empty question": (b'{"question": "  "}', 400, "empty"),
    "question too long": (('{"question": "%s"}' % ("政" * 2001)).encode(), 400, "2001"),
    "lone surrogate": (b'{"question": "\\udc80 grants"}', 400, "lone surrogate"),
    "control character": (b'{"question": "grants\\u0000"}', 400, "control character"),
    "invalid UTF-8 body": (b'{"question": "\xff\xfe"}', 400, "not valid UTF-8"),
    "not JSON": (b"question=grants", 400, "not valid JSON"),
    "empty body": (b"", 400, "not valid JSON"),
    "JSON array": (b'["grants"]', 400, "expected a JSON object"),
    "NaN id": (b'{"question": "q", "id": NaN}', 400, "NaN is not valid JSON"),
    "Infinity id": (b'{"question": "q", "id": Infinity}', 400, "Infinity is not valid JSON"),
    "float id": (b'{"question": "q", "id": 1.5}', 400, "id must be a string or an integer"),
    "huge id": (b'{"question": "q", "id": ' + b"9" * 5000 + b"}", 400, "too many digits"),
    "id beyond 2**53": (b'{"question": "q", "id": 9007199254740993}', 400, "send it as a string"),
    "deep nesting": (b"[" * 30_000 + b"]" * 30_000, 400, "nested too deeply"),
    "duplicate key": (b'{"question": "q", "question": "r"}', 400, "duplicate key"),
    "unknown field": (b'{"question": "q", "top_k": 1000}', 400, "unknown field(s) 'top_k'"),
    "unknown document": (b'{"question": "q", "documents": ["nope"]}', 400, "unknown document nope; known: a, b"),
    "unknown region": ('{"question": "q", "regions": ["火星"]}'.encode(), 400, "unknown region 火星; known"),
    "documents not a list": (b'{"question": "q", "documents": "a"}', 400, "documents must be a list"),
    "document id a number": (b'{"question": "q", "documents": [1]}', 400, "each of documents must be a string"),
}


@pytest.fixture(scope="module")
def api(small, tmp_path_factory):
    log = tmp_path_factory.mktemp("api-log") / "app.log"
    with app_server(log, POLICY_DATA_DIR=small.data_dir, POLICY_LIBRARY_DIR=small.library_dir) as url:
        yield url


@pytest.mark.parametrize("case", list(API_CASES))
def test_api_refuses_clearly(api, case):
    body, status, message = API_CASES[case]
    r = httpx.post(api + "/api/ask", content=body, headers={"content-type": "application/json"}, timeout=60)
    assert r.status_code == status and message in r.json()["error"], r.text


def test_api_errors_carry_the_request_id(api):
    r = httpx.post(api + "/api/ask", json={"id": "k-7", "question": 3}, timeout=60)
    assert r.status_code == 400 and r.json()["id"] == "k-7"


def test_api_still_answers_after_all_that(api):
    r = httpx.post(api + "/api/ask", json={"id": 7, "question": "How many working days do reviews take?"}, timeout=60)
    assert r.status_code == 200 and r.json()["id"] == 7 and "10 working days" in r.json()["answer"]
