"""One settings object, read from environment variables (POLICY_*) with working defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from index.models import DEFAULT_MODEL
from index.errors import PolicyError
from index.load import Limits

from .tuning import DEFAULT as DEFAULT_TUNING, Tuning

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(PolicyError):
    """An environment setting that cannot work as given."""


def _int(name: str, default: int | None, zero: bool = False) -> int | None:
    return _number(name, default, int, zero)


def _float(name: str, default: float) -> float:
    return _number(name, default, float)


def _number(name: str, default, kind, zero: bool = False):
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        number = kind(value)
    except ValueError:
        raise ConfigError(f"{name} must be {'an integer' if kind is int else 'a number'}, not {value!r}") from None
    if not (number >= 0 if zero else number > 0) or number == float("inf"):
        raise ConfigError(f"{name} must be {'zero or more' if zero else 'positive'} and finite, not {value!r}")
    return number


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=lambda: ROOT / "var")
    library_dir: Path = field(default_factory=lambda: ROOT / "data" / "policies")
    # folders of policies read in place (each with a library.json, or metadata read from the texts), e.g. a
    # province's policies on shared storage; POLICY_EXTRA_LIBRARIES, separated by the OS path separator
    extra_libraries: tuple[Path, ...] = ()
    # where `make bench` keeps what is costly to make: the synthetic library, its index, the baseline's vectors
    bench_dir: Path = field(default_factory=lambda: Path.home() / ".cache" / "policy-assistant" / "bench")
    embedding_model: str = DEFAULT_MODEL
    chroma_host: str | None = None
    chroma_port: int | None = None
    host: str = "127.0.0.1"
    port: int = 7860
    max_question_chars: int = 2000
    top_k: int = 10
    admin_token: str | None = None
    tuning: Tuning = DEFAULT_TUNING  # every ranking, composing and abstention constant (assistant/tuning.py)
    glossary: bool = True  # query expansion from data/glossary (synonyms, EN↔ZH terms); places are always used
    # safety bounds (README, "Safety")
    write_wait: float = 600.0        # seconds add/index wait for another writer before giving up
    reload_seconds: float = 1.0      # how often a running app looks for a new live build
    max_file_mb: int = 20
    max_unpacked_mb: int = 100       # a .docx once decompressed
    max_pages: int = 2000            # a .pdf
    max_read_seconds: float = 60.0   # reading one file
    max_body_kb: int = 64            # any request body except an upload
    workers: int = 2                 # questions answered at once (JSON API and chat together)
    queue_size: int = 32             # questions waiting beyond those; more get 503 at once
    queue_wait: float = 5.0          # longest wait for a worker before 503
    answer_timeout: float = 30.0     # longest answer before 504
    feedback_per_minute: int = 10    # per chat session
    max_comment_chars: int = 1000
    # LLM mode (off unless a base URL and a model are set): an OpenAI-compatible chat endpoint
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = 60.0        # seconds per request, and for a whole streamed answer
    llm_retries: int = 2             # retries with exponential backoff (connection errors, 408/429/5xx)
    llm_max_tokens: int = 1024       # token budget of one written answer
    llm_clauses: int = 6             # retrieved clauses shown to the model
    llm_context_chars: int = 12000   # …and at most this much of their text

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def user_library_dir(self) -> Path:
        return self.data_dir / "library"

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.sqlite3"

    @property
    def read_limits(self) -> Limits:
        mb = 1024 * 1024
        return Limits(self.max_file_mb * mb, self.max_unpacked_mb * mb, self.max_pages, self.max_read_seconds)

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ.get
        base = cls()
        return cls(
            data_dir=Path(env("POLICY_DATA_DIR") or base.data_dir),
            library_dir=Path(env("POLICY_LIBRARY_DIR") or base.library_dir),
            extra_libraries=tuple(Path(p) for p in (env("POLICY_EXTRA_LIBRARIES") or "").split(os.pathsep) if p),
            bench_dir=Path(env("POLICY_BENCH_DIR") or base.bench_dir),
            embedding_model=env("POLICY_EMBEDDING_MODEL") or base.embedding_model,
            chroma_host=env("POLICY_CHROMA_HOST") or None,
            chroma_port=_int("POLICY_CHROMA_PORT", None),
            host=env("GRADIO_SERVER_NAME") or env("POLICY_HOST") or base.host,
            port=_int("GRADIO_SERVER_PORT", None) or _int("POLICY_PORT", base.port),
            max_question_chars=_int("POLICY_MAX_QUESTION_CHARS", base.max_question_chars),
            admin_token=env("POLICY_ADMIN_TOKEN") or None,
            glossary=(env("POLICY_GLOSSARY") or "on").lower() not in ("off", "0", "false", "no"),
            write_wait=_float("POLICY_WRITE_WAIT_SECONDS", base.write_wait),
            reload_seconds=_float("POLICY_RELOAD_SECONDS", base.reload_seconds),
            max_file_mb=_int("POLICY_MAX_FILE_MB", base.max_file_mb),
            max_unpacked_mb=_int("POLICY_MAX_UNPACKED_MB", base.max_unpacked_mb),
            max_pages=_int("POLICY_MAX_PAGES", base.max_pages),
            max_read_seconds=_float("POLICY_MAX_READ_SECONDS", base.max_read_seconds),
            max_body_kb=_int("POLICY_MAX_BODY_KB", base.max_body_kb),
            workers=_int("POLICY_WORKERS", base.workers),
            queue_size=_int("POLICY_QUEUE_SIZE", base.queue_size),
            queue_wait=_float("POLICY_QUEUE_WAIT_SECONDS", base.queue_wait),
            answer_timeout=_float("POLICY_ANSWER_TIMEOUT_SECONDS", base.answer_timeout),
            feedback_per_minute=_int("POLICY_FEEDBACK_PER_MINUTE", base.feedback_per_minute),
            max_comment_chars=_int("POLICY_MAX_COMMENT_CHARS", base.max_comment_chars),
            **_llm_from_env(base),
        )


def _llm_from_env(base: Settings) -> dict:
    env = os.environ.get
    url, model = env("POLICY_LLM_BASE_URL") or None, env("POLICY_LLM_MODEL") or None
    if url and not model:
        raise ConfigError("POLICY_LLM_BASE_URL is set but POLICY_LLM_MODEL is not: name the chat model to use "
                          "(e.g. qwen2.5:7b-instruct)")
    values = dict(llm_timeout=_float("POLICY_LLM_TIMEOUT", base.llm_timeout),
                  llm_retries=_int("POLICY_LLM_RETRIES", base.llm_retries, zero=True),
                  llm_max_tokens=_int("POLICY_LLM_MAX_TOKENS", base.llm_max_tokens),
                  llm_clauses=_int("POLICY_LLM_CLAUSES", base.llm_clauses),
                  llm_context_chars=_int("POLICY_LLM_CONTEXT_CHARS", base.llm_context_chars))
    return dict(llm_base_url=url, llm_model=model, llm_api_key=env("POLICY_LLM_API_KEY") or None, **values)
