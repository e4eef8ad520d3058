"""Typed errors of the kit, in one place, so callers can catch them by kind.

Every message names where the problem is (file, record or line), the bad value,
and what is allowed, so a researcher can fix the input without reading code.
"""
from __future__ import annotations

from pathlib import Path

__all__ = [
    "DiscourseKitError",
    "CorpusError",
    "EncodingError",
    "EmptyDocumentError",
    "MetadataError",
    "LexiconError",
    "ParameterError",
    "ReportError",
]


def _where(path: str | Path | None, record: object | None) -> str:
    parts = []
    if path is not None:
        parts.append(str(path))
    if record is not None:
        parts.append(str(record))
    return ": ".join(parts)


class DiscourseKitError(Exception):
    """Base class of every error the kit raises on purpose."""

    def __init__(self, message: str, *, path: str | Path | None = None,
                 record: object | None = None, value: object | None = None,
                 allowed: object | None = None) -> None:
        self.path = None if path is None else str(path)
        self.record = record
        self.value = value
        self.allowed = allowed
        where = _where(path, record)
        text = f"{where}: {message}" if where else message
        if value is not None:
            text += f" (got {value!r})"
        if allowed is not None:
            text += f"; allowed: {allowed}"
        super().__init__(text)


class CorpusError(DiscourseKitError):
    """A corpus file or table cannot be read as documents."""


class EncodingError(CorpusError):
    """A file's bytes are not valid in the expected encoding."""


class EmptyDocumentError(CorpusError):
    """A document has no text (only front matter, or zero bytes)."""


class MetadataError(CorpusError):
    """Front matter or a metadata sidecar is malformed or does not fit the files."""


class LexiconError(DiscourseKitError):
    """A lexicon file is malformed or an entry cannot be compiled."""


class ParameterError(DiscourseKitError):
    """A caller passed an unknown or ill-typed option."""


class ReportError(DiscourseKitError):
    """Report generation failed; the last good report is left untouched."""
