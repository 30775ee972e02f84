"""The error hierarchy: every failure a user can cause has a class and an actionable message."""


class PolicyError(Exception):
    """Base of all errors this project raises on purpose; the CLI prints them without a traceback."""


class LoadError(PolicyError):
    """A policy file could not be read: missing, empty, binary, unsupported, wrongly encoded or unparseable."""


class StoreError(PolicyError):
    """The index is missing, built with other settings, or could not be written."""
