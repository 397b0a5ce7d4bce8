"""Errors a user can fix: printed as one line, without a traceback."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix (a missing engine, a malformed file, a bad option)."""
