"""Clause tokens: kept with each build, reused by content hash, made in worker processes when many are new."""
import pytest

import index.tokens as tokens
from assistant.config import Settings
from assistant.service import build
from index.lexical import tokenize
from index.store import read_snapshot

from .test_store import ZH, small_library


def test_tokens_of_unchanged_clauses_come_from_the_previous_build(monkeypatch):
    from index.types import Clause

    same = Clause("a:1", "a", "1", ("一、总则",), "支持企业。", 0, 5, "zh")
    new = Clause("a:2", "a", "2", ("一、总则",), "伦理审查。", 6, 11, "zh")
    made = []
    monkeypatch.setattr(tokens, "tokenize_many", lambda texts: made.extend(texts) or [tokenize(t) for t in texts])
    found = tokens.clause_tokens([same, new], {same.content_hash: ["kept"]})
    assert found[same.content_hash] == ["kept"] and found[new.content_hash] == tokenize(new.framed())
    assert made == [new.framed()]


@pytest.mark.slow
def test_many_texts_are_tokenised_in_worker_processes_alike(monkeypatch):
    monkeypatch.setattr(tokens, "PARALLEL_FROM", 10)
    texts = [f"第{i}条 对符合条件的创新药企业给予不超过{i}00万元奖励。Clinical trials of drugs." for i in range(40)]
    assert tokens.tokenize_many(texts, processes=2) == [tokenize(t) for t in texts]


@pytest.mark.slow
def test_a_build_tokenises_only_changed_clauses_and_saves_every_clauses_tokens(tmp_path, monkeypatch):
    settings = Settings(data_dir=tmp_path / "var", library_dir=small_library(tmp_path / "lib"))
    build(settings, progress=False)
    made = []
    real = tokens.tokenize_many
    monkeypatch.setattr(tokens, "tokenize_many", lambda texts: made.extend(texts) or real(texts))
    small_library(settings.library_dir, zh=ZH.replace("500万元", "800万元"))
    report = build(settings, progress=False)
    assert report.embedded == 1 and len(made) == 1 and "800万元" in made[0]
    snapshot = read_snapshot(settings.index_dir)
    assert set(tokens.load(snapshot.folder)) == {c.content_hash for c in snapshot.clauses}
