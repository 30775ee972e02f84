"""The answering side: question → retrieve (BM25 ⊕ dense) → extractive answer → verified citations."""
from .config import Settings
from .types import Answer, Citation, Hit

__all__ = ["Settings", "Answer", "Citation", "Hit", "Assistant"]


def __getattr__(name):  # the facade pulls in torch and Chroma: load it only when asked for
    if name == "Assistant":
        from .service import Assistant

        return Assistant
    raise AttributeError(name)
