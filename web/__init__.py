"""The web chat and its JSON API (gradio mounted on FastAPI); a caller of ``assistant``, never called by it."""
