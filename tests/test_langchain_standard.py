"""LangChain's own standard retriever tests (langchain-tests) against the hybrid retriever on a real index."""
import tempfile
from functools import lru_cache
from pathlib import Path

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests

from assistant.retrieve import HybridRetriever

pytestmark = pytest.mark.slow


@lru_cache(maxsize=1)
def _index() -> dict:
    """The built-in library indexed once (real model, real Chroma) in a folder of its own."""
    from assistant.config import Settings
    from assistant.service import Assistant, build

    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="lc-standard-")) / "var")
    build(settings, progress=False)
    r = Assistant(settings).retriever
    return {"snapshot": r.snapshot, "collection": r.collection, "embedder": r.embedder}


class TestHybridRetriever(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[HybridRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return _index()

    @property
    def retriever_query_example(self) -> str:
        return "多中心临床研究伦理审查结果互认"
