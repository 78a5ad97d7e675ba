"""The exceptions bunrui raises: one base, each carrying where the problem is."""

from __future__ import annotations


class BunruiError(Exception):
    """Base of every error bunrui reports to a user.

    ``path``, ``line`` and ``field`` say where the problem is, when known, so a front
    end can print ``path:line: message`` or map it to an HTTP status.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.field = field

    def __str__(self) -> str:
        where = self.path or ""
        if where and self.line:
            where = f"{where}:{self.line}"
        if self.field:
            where = f"{where} [{self.field}]" if where else f"[{self.field}]"
        return f"{where}: {self.message}" if where else self.message


class PostError(BunruiError):
    """A post or draft could not be read: encoding, front matter, or fields."""


class NoFrontMatterError(PostError):
    """A post has no front matter where one is required."""


class InputError(BunruiError):
    """A request or argument is unusable: empty text, bad date, unknown label."""


class ModelError(BunruiError):
    """A model is missing, corrupt, incompatible, or cannot be trained from the data."""


class TaxonomyError(BunruiError):
    """A taxonomy file is unreadable, malformed, or contradicts itself."""


class FixError(BunruiError):
    """A fix cannot be applied without risk to the rest of the file; nothing was written."""
