"""Typed errors. Each carries a one-line message naming the file, fit for a summary line.

The CLI maps ``SvmineError`` to exit codes: a batch records the error per file and goes on;
only a usage error stops everything.
"""

from __future__ import annotations


class SvmineError(Exception):
    """Base class for every error svmine reports to a user."""

    code = "error"

    def __init__(self, message: str, path: str | None = None):
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class ExtractionError(SvmineError):
    code = "extraction_failed"


class EmptyFileError(ExtractionError):
    code = "empty_file"


class UnsupportedFormatError(ExtractionError):
    code = "unsupported_format"


class CorruptFileError(ExtractionError):
    code = "corrupt_file"


class EncryptedFileError(ExtractionError):
    code = "encrypted"


class FormatMismatchError(ExtractionError):
    """The name promises one format, the content is another (e.g. a web page saved as .pdf)."""

    code = "format_mismatch"


class PageLimitError(ExtractionError):
    code = "too_many_pages"


class ExtractionTimeout(ExtractionError):
    code = "timeout"


class NotRegularFileError(ExtractionError):
    """A FIFO, socket, device or dangling link: reported and skipped, never opened."""

    code = "not_regular_file"


class GoldError(SvmineError):
    """A gold file (labelled sentences or mentions) that cannot be read or is malformed."""

    code = "gold_error"


class ModelError(SvmineError):
    """A model file is missing, tampered with, or holds untrusted types."""

    code = "model_error"


class PatternError(SvmineError):
    code = "pattern_error"


class ReferenceDataError(SvmineError):
    code = "reference_error"


class StoreError(SvmineError):
    code = "store_error"
