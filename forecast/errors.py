"""The base of every error a caller can act on; anything else escaping a door is a bug."""

from __future__ import annotations


class UserError(Exception):
    """Bad input, or data that cannot answer the question; the message says what to do next."""


class InvalidInputError(UserError, ValueError):
    """A value given by the user that is malformed or out of its allowed range (naming the field)."""

    field: str | None = None
    allowed: dict | None = None
    reason: str | None = None  # the reason alone, without the field's name (default: the message)

    def __init__(self, message: str, field: str | None = None, allowed: dict | None = None) -> None:
        super().__init__(message)
        if field is not None:  # subclasses may set their own before calling this
            self.field = field
        if allowed is not None:
            self.allowed = allowed
