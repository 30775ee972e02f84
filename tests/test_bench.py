"""The benchmark's machinery: figures from fresh processes, the baseline's vectors cached between runs."""
import json

import pytest
from langchain_core.embeddings import Embeddings

from eval.bench import CachedEmbeddings, Library, measure

from .test_store import small_library


class Counting(Embeddings):
    def __init__(self):
        self.embedded = []

    def embed_documents(self, texts):
        self.embedded.extend(texts)
        return [[float(len(t)), 1.0] for t in texts]

    def embed_query(self, text):
        return [1.0, 0.0]


def test_cached_vectors_are_not_embedded_again(tmp_path):
    inner = Counting()
    first = CachedEmbeddings(inner, tmp_path / "cache.sqlite3", "m").embed_documents(["a", "bb", "a"])
    again = CachedEmbeddings(inner, tmp_path / "cache.sqlite3", "m")
    assert again.missing(["a", "bb", "ccc"]) == ["ccc"]
    assert again.embed_documents(["bb", "ccc"]) == [[2.0, 1.0], [3.0, 1.0]] and first[0] == first[2] == [1.0, 1.0]
    assert inner.embedded == ["a", "bb", "ccc"]
    assert CachedEmbeddings(inner, tmp_path / "cache.sqlite3", "other model").missing(["a"]) == ["a"]


@pytest.mark.slow
def test_every_figure_of_a_small_library_is_measured(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICY_LIBRARY_DIR", str(small_library(tmp_path / "lib")))
    questions = tmp_path / "q.jsonl"
    questions.write_text("".join(json.dumps({"id": i, "question": q}) + "\n" for i, q in
                                 enumerate(["How many working days do reviews take?", "支持企业奖励多少？"])),
                         encoding="utf-8")
    library = Library("small", "a small library", (), (questions,))
    f = measure(library, tmp_path / "bench", rounds=2, baseline="yes", say=lambda m: None)
    assert f.documents == 2 and f.clauses > 0 and f.cold_build_s > 0 and f.cold_build_peak_mb > 50
    assert f.rebuild_embedded == 0 and 0 < f.rebuild_inner_s < f.rebuild_s
    assert len(f.warm_ms) == 4 and len(f.first_pass_ms) == 2 and f.questions == 2
    assert len(f.cold_start_s) == 3 and all(s > 0 for s in f.cold_start_s)
    assert f.serve_peak_mb > 50 and len(f.baseline_ms) == 4
    assert (tmp_path / "bench" / "baseline.sqlite3").exists()
