"""The two records the index speaks: a cleaned Document and the Clause, the unit of citation."""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field

PATH_SEP = " › "


@dataclass(frozen=True)
class Document:
    """A policy text after cleaning; every clause offset refers to ``text``."""

    id: str
    title: str
    language: str
    text: str
    title_translated: str | None = None
    doc_number: str | None = None
    doc_number_note: str | None = None
    issuer: str | None = None
    date: str | None = None
    region: str | None = None
    source: str | None = None

    @property
    def cite_number(self) -> str | None:
        """文号 as shown in a citation, with its caveat (e.g. an unofficial translation)."""
        if self.doc_number and self.doc_number_note:
            return f"{self.doc_number} ({self.doc_number_note})"
        return self.doc_number

    def meta(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "text"}


@dataclass(frozen=True)
class Clause:
    """One citable unit: a numbered item, a table row or a paragraph, sliced verbatim from its document."""

    id: str
    document_id: str
    label: str
    path: tuple[str, ...]
    text: str
    start: int
    end: int
    language: str
    units: tuple[str, ...] = field(default_factory=tuple)

    @property
    def path_text(self) -> str:
        return PATH_SEP.join(self.path)

    def framed(self, body: str | None = None) -> str:
        """The clause's text (or ``body``, a part of it) under its path and units: headings carry the topic."""
        return "\n".join([self.path_text, " ".join(self.units), self.text if body is None else body])

    @property
    def content_hash(self) -> str:
        """Hash of everything that shapes the clause's embedding; unchanged hash → no re-embedding."""
        payload = "\x1f".join([self.path_text, "|".join(self.units), self.text])
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["path"] = list(self.path)
        d["units"] = list(self.units)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Clause":
        return cls(**{**d, "path": tuple(d["path"]), "units": tuple(d["units"])})
