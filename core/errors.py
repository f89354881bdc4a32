"""Errors raised by the pipeline. Messages name the file or setting and say how to fix it."""


class RagError(Exception):
    """Base class: an expected failure with a message meant for the user."""


class InputFileError(RagError):
    """A file cannot be ingested (empty, binary, wrong encoding, too large, unsupported)."""

    def __init__(self, path, reason: str, fix: str):
        self.path = str(path)
        self.reason = reason
        self.fix = fix
        super().__init__(f"{self.path}: {reason} — {fix}")

    def __reduce__(self):  # crosses process boundaries (parsers run in a sandbox child)
        return self.__class__, (self.path, self.reason, self.fix)


class IndexMismatchError(RagError):
    """The index on disk was built by another embedder or chunker version."""


class ConfigError(RagError):
    """A setting (RAG_* variable) has an unusable value."""
