"""Starting real servers on 127.0.0.1 for tests: a free port, and a process that must come up."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(command: list[str], ready, what: str, timeout: float = 120, **popen):
    """Run ``command`` until the test is done; fail the test if ``ready()`` is not true within ``timeout``."""
    proc = subprocess.Popen(command, **popen)
    try:
        deadline = time.time() + timeout
        while not _check(ready):
            if proc.poll() is not None:
                pytest.fail(f"{what} exited at start with code {proc.returncode}")
            if time.time() > deadline:
                pytest.fail(f"{what} did not come up within {timeout:.0f} s")
            time.sleep(0.3)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def running_app(env: dict, log: Path):
    """``app.py`` on a free loopback port with ``env`` added to ours; yields its URL once it is healthy."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    def ready():
        with urllib.request.urlopen(url + "/api/health", timeout=2) as r:
            return json.load(r)["ok"]

    app = Path(__file__).resolve().parent.parent / "app.py"
    env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "GRADIO_SERVER_NAME": "127.0.0.1", **env}
    with open(log, "w") as out, running([sys.executable, str(app)], ready, f"app.py (log: {log})", env=env,
                                        stdout=out, stderr=out):
        yield url


def _check(ready) -> bool:
    try:
        return bool(ready())
    except (OSError, ValueError):
        return False


@contextmanager
def app_server(log_path, **env):
    """The web app (``app.py``) as a real process on a free loopback port; yields its URL.

    ``env`` adds POLICY_* variables (data dir, library, token, limits) to this process's environment.
    """
    import json
    import os
    import sys
    import urllib.request
    from pathlib import Path

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    full_env = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port),
                "POLICY_RELOAD_SECONDS": "0.5", **{k: str(v) for k, v in env.items()}}

    def ready():
        with urllib.request.urlopen(url + "/api/health", timeout=2) as r:
            return json.load(r)["ok"]

    app = Path(__file__).resolve().parent.parent / "app.py"
    with open(log_path, "w") as log, running([sys.executable, str(app)], ready, f"app.py (log: {log_path})",
                                             env=full_env, stdout=log, stderr=log):
        yield url
