"""One settings object, read from environment variables (POLICY_*) with working defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from index.embed import DEFAULT_MODEL

from .tuning import DEFAULT as DEFAULT_TUNING, Tuning

ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int | None) -> int | None:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=lambda: ROOT / "var")
    library_dir: Path = field(default_factory=lambda: ROOT / "data" / "policies")
    # folders of policies read in place (each with a library.json, or metadata read from the texts), e.g. a
    # province's policies on shared storage; POLICY_EXTRA_LIBRARIES, separated by the OS path separator
    extra_libraries: tuple[Path, ...] = ()
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

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def user_library_dir(self) -> Path:
        return self.data_dir / "library"

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.sqlite3"

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ.get
        base = cls()
        return cls(
            data_dir=Path(env("POLICY_DATA_DIR") or base.data_dir),
            library_dir=Path(env("POLICY_LIBRARY_DIR") or base.library_dir),
            extra_libraries=tuple(Path(p) for p in (env("POLICY_EXTRA_LIBRARIES") or "").split(os.pathsep) if p),
            embedding_model=env("POLICY_EMBEDDING_MODEL") or base.embedding_model,
            chroma_host=env("POLICY_CHROMA_HOST") or None,
            chroma_port=_int("POLICY_CHROMA_PORT", None),
            host=env("GRADIO_SERVER_NAME") or env("POLICY_HOST") or base.host,
            port=_int("GRADIO_SERVER_PORT", None) or _int("POLICY_PORT", base.port),
            max_question_chars=_int("POLICY_MAX_QUESTION_CHARS", base.max_question_chars),
            admin_token=env("POLICY_ADMIN_TOKEN") or None,
            glossary=(env("POLICY_GLOSSARY") or "on").lower() not in ("off", "0", "false", "no"),
        )
