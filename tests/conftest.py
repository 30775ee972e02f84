"""Hermetic tests: all state under tmp_path; one real index of the built-in library per session."""
from __future__ import annotations

import os
import zlib
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from assistant.config import Settings
from index.embed import register_embedder

OUTPUT = Path(__file__).resolve().parent / "output"


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path, monkeypatch):
    """No test reads or writes the developer's var/ or talks to a configured Chroma server."""
    monkeypatch.setenv("POLICY_DATA_DIR", str(tmp_path / "var"))
    for name in ("POLICY_CHROMA_HOST", "POLICY_CHROMA_PORT", "POLICY_EMBEDDING_MODEL", "POLICY_LIBRARY_DIR",
                 "POLICY_LLM_BASE_URL", "POLICY_LLM_MODEL", "POLICY_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory) -> Settings:
    """Settings whose index holds the whole built-in library (built once per test session)."""
    from assistant.service import build

    settings = Settings(data_dir=tmp_path_factory.mktemp("corpus") / "var")
    build(settings, progress=False)
    return settings


@pytest.fixture(scope="session")
def assistant(corpus_settings):
    from assistant.service import Assistant

    return Assistant(corpus_settings)


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT


class FakeEmbeddings(Embeddings):
    """A model without weights: character bigrams hashed into 256 dimensions, normalised. Texts sharing
    words get close vectors, which is all the fast tests need of a dense ranking."""

    DIM = 256

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)

    def _vector(self, text: str) -> list[float]:
        v = np.zeros(self.DIM)
        for a, b in zip(text, text[1:]):
            v[zlib.crc32((a + b).encode()) % self.DIM] += 1.0
        norm = np.linalg.norm(v)
        return (v / norm if norm else v).tolist()


FAKE_MODEL = "fake-bigrams"
register_embedder(FAKE_MODEL, FakeEmbeddings)


@pytest.fixture
def fake_settings(tmp_path) -> Settings:
    """Settings for a library of your own (``library_dir``) indexed with the fake model under tmp_path."""
    return Settings(data_dir=tmp_path / "var", library_dir=tmp_path / "lib", embedding_model=FAKE_MODEL)


def pytest_configure(config):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def web_server(corpus_settings, tmp_path_factory):
    """The web app (``app.py``) on the whole built-in library, one per test session; yields its URL."""
    from .servers import running_app

    log = tmp_path_factory.mktemp("web") / "app.log"
    with running_app({"POLICY_DATA_DIR": str(corpus_settings.data_dir), "POLICY_ADMIN_TOKEN": "test-token"},
                     log) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium driven by Playwright, one per test module (skipped when it is not installed)."""
    from .browser import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM:
        pytest.skip("Debian chromium is not installed and could not be installed here (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
