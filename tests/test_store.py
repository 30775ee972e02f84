"""The index on disk: idempotent by content hash, atomic under crashes, honest about its model."""
import json

import numpy as np
import pytest

from assistant.config import Settings
from assistant.service import Assistant, build
from index.errors import StoreError

pytestmark = pytest.mark.slow

ZH = "一、总则\n\n（一）支持企业。对符合条件的项目给予不超过500万元奖励。\n\n（二）伦理审查。参与单位须在5个工作日内反馈意见。\n"
EN = "I. Support\n\n(1) Grants. Eligible projects receive up to 2 million yuan.\n\n(2) Reviews. Reviews finish within 10 working days.\n"


def small_library(folder, zh=ZH, en=EN):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.zh.txt").write_text(zh, encoding="utf-8")
    (folder / "b.en.txt").write_text(en, encoding="utf-8")
    meta = [{"id": "a", "file": "a.zh.txt", "title": "甲办法", "language": "zh", "region": "广东省"},
            {"id": "b", "file": "b.en.txt", "title": "B Rules", "language": "en", "region": "杭州"}]
    (folder / "library.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture
def settings(tmp_path):
    return Settings(data_dir=tmp_path / "var", library_dir=small_library(tmp_path / "lib"))


def test_rebuild_without_changes_embeds_nothing(settings):
    first = build(settings, progress=False)
    assert not first.unchanged and first.embedded == first.windows > 0
    again = build(settings, progress=False)
    assert again.unchanged and again.embedded == 0 and again.build_id == first.build_id


def test_only_changed_clauses_are_embedded_again(settings):
    first = build(settings, progress=False)
    small_library(settings.library_dir, zh=ZH.replace("500万元", "800万元"))
    second = build(settings, progress=False)
    assert second.embedded == 1 and second.reused == first.windows - 1
    answer = Assistant(settings).ask("支持企业的项目奖励最多多少万元？")
    assert "800万元" in answer.text and "500万元" not in answer.text


def test_a_crash_mid_build_leaves_the_previous_index_serving(settings, monkeypatch):
    build(settings, progress=False)
    small_library(settings.library_dir, zh=ZH.replace("500万元", "900万元"))

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr("index.build.write_snapshot", crash)
    with pytest.raises(RuntimeError):
        build(settings, progress=False)
    answer = Assistant(settings).ask("支持企业的项目奖励最多多少万元？")
    assert "500万元" in answer.text  # the old build still answers
    monkeypatch.undo()
    assert not build(settings, progress=False).unchanged  # and the next build completes the change
    assert "900万元" in Assistant(settings).ask("支持企业的项目奖励最多多少万元？").text


def test_opening_an_index_built_with_another_model_names_the_rebuild_command(settings):
    build(settings, progress=False)
    other = Settings(data_dir=settings.data_dir, library_dir=settings.library_dir,
                     embedding_model="/models/bge-small-zh")
    with pytest.raises(StoreError, match=r"python -m assistant index --rebuild"):
        Assistant(other)


def test_a_missing_index_says_how_to_build_it(settings):
    with pytest.raises(StoreError, match=r"python -m assistant index"):
        Assistant(settings)


def test_a_model_that_is_not_on_disk_is_a_clear_error(settings):
    bad = Settings(data_dir=settings.data_dir, library_dir=settings.library_dir,
                   embedding_model="no-such-org/no-such-model")
    with pytest.raises(StoreError, match="POLICY_EMBEDDING_MODEL"):
        build(bad, progress=False)


def test_a_failed_add_leaves_the_library_as_it_was(settings, tmp_path, monkeypatch):
    from assistant.service import add

    build(settings, progress=False)
    policy = tmp_path / "new.txt"
    policy.write_text("一、总则\n\n（一）新条款。给予不超过100万元奖励。\n", encoding="utf-8")

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("index.build.write_snapshot", crash)
    with pytest.raises(RuntimeError):
        add(settings, [policy], {"title": "新办法", "id": "new"})
    assert not settings.user_library_dir.exists() or not any(settings.user_library_dir.iterdir())
    assert "100万元" not in Assistant(settings).ask("新条款奖励多少万元？").text


TWO_ARTICLES = "第一条 为了规范管理，制定本办法。\n第二条 本办法自发布之日起施行。"


def test_a_text_met_twice_is_embedded_once(tmp_path, monkeypatch):
    """Boilerplate repeated across documents costs one model call per distinct text; every window gets a vector."""
    from index.build import build_index
    from index.types import Document

    from .conftest import FAKE_MODEL, FakeEmbeddings

    sent: list[str] = []
    real = FakeEmbeddings.embed_documents
    monkeypatch.setattr(FakeEmbeddings, "embed_documents", lambda self, texts: sent.extend(texts) or real(self, texts))
    docs = [Document(id=f"d{i}", title=f"办法{i}", language="zh", text=TWO_ARTICLES) for i in range(3)]
    report = build_index(docs, tmp_path / "index", FAKE_MODEL, progress=False)
    assert report.windows >= 3 and report.embedded == report.windows // 3
    assert len(sent) == len(set(sent)) == report.embedded
    assert stored_vectors_match(tmp_path / "index", FakeEmbeddings(), report.windows)


def test_a_model_with_its_own_batch_path_gets_each_new_text_once_and_every_window_its_vector(tmp_path, monkeypatch):
    """``embed_batches`` (E5's worker processes) receives each batch's texts not met before, in order; every
    window, whichever batch first met its text, is stored with that text's vector."""
    from index import build as build_module
    from index.embed import register_embedder
    from index.types import Document

    from .conftest import FakeEmbeddings

    calls: list[list[str]] = []

    class Batched(FakeEmbeddings):
        def embed_batches(self, batches):
            for batch in batches:
                calls.append(batch)
                yield self.embed_documents(batch)

    register_embedder("fake-batched", Batched)
    monkeypatch.setattr(build_module, "BATCH", 16)
    body = "\n\n".join(f"第{n}条 本办法第{n}条的规定。" for n in "一二三四五六七八九")
    docs = [Document(id=f"d{i}", title="办法", language="zh", text=body) for i in range(3)]
    report = build_module.build_index(docs, tmp_path / "index", "fake-batched", progress=False)
    sent = [t for batch in calls for t in batch]
    assert len(calls) == -(-report.windows // 16) and any(not batch for batch in calls)
    assert len(sent) == len(set(sent)) == report.embedded == report.windows // 3
    assert stored_vectors_match(tmp_path / "index", Batched(), report.windows)


def stored_vectors_match(index_dir, embedder, windows: int) -> bool:
    """Whether the live collection holds ``windows`` windows, each with the vector of its clause path and text."""
    from index.build import embed_text
    from index.store import chroma_client, read_snapshot

    snapshot = read_snapshot(index_dir)
    clauses = {c.id: c for c in snapshot.clauses}
    got = chroma_client(index_dir).get_collection(snapshot.collection).get(
        include=["embeddings", "documents", "metadatas"])
    expected = embedder.embed_documents([embed_text(clauses[m["clause_id"]], text)
                                         for m, text in zip(got["metadatas"], got["documents"])])
    return len(got["ids"]) == windows and np.allclose(np.array(got["embeddings"]), np.array(expected))


def test_a_collection_made_with_other_search_settings_is_remade_without_embedding(tmp_path, monkeypatch):
    from index import build as build_module
    from index.build import build_index
    from index.store import chroma_client, read_snapshot
    from index.types import Document

    from .conftest import FAKE_MODEL

    docs = [Document(id="d", title="办法", language="zh", text=TWO_ARTICLES)]
    monkeypatch.setattr(build_module, "HNSW", {**build_module.HNSW, "hnsw:search_ef": 100})
    first = build_index(docs, tmp_path / "index", FAKE_MODEL, progress=False)
    monkeypatch.undo()
    again = build_index(docs, tmp_path / "index", FAKE_MODEL, progress=False)
    assert not again.unchanged and again.embedded == 0 and again.reused == first.windows
    live = chroma_client(tmp_path / "index").get_collection(read_snapshot(tmp_path / "index").collection)
    assert live.metadata["hnsw:search_ef"] == build_module.HNSW["hnsw:search_ef"]
    assert build_index(docs, tmp_path / "index", FAKE_MODEL, progress=False).unchanged
