"""Exceptions raised by the core. Edges (CLI, pages, API) translate them."""

from __future__ import annotations


class GovSearchError(Exception):
    """Base class of every error the core raises on purpose."""


class ExtractionError(GovSearchError):
    """A file could not be turned into text.

    :param path: the file, as given.
    :param reason: a short human reason, e.g. ``"encrypted PDF"``.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class UnsupportedFormat(ExtractionError):
    """The file's bytes are not a format we read (or a needed tool is missing)."""


class SkippedFile(ExtractionError):
    """The file was deliberately not read (over a size limit, legacy format without LibreOffice…)."""


class IndexUnavailable(GovSearchError):
    """The index directory cannot be opened or written; names the directory and the cause."""


class IndexLocked(IndexUnavailable):
    """Another process is writing the index."""


class QuerySyntaxError(GovSearchError):
    """A query (or a filter value) that cannot be understood even as plain text."""


class InvalidParameter(GovSearchError):
    """A request parameter has a bad value.

    :param name: the parameter's name, e.g. ``"page_size"``.
    :param message: what is wrong with it.
    """

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message
