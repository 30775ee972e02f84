"""Hermetic tests: all state under tmp_path; one real index of the built-in library per session."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.config import Settings

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


def pytest_configure(config):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
