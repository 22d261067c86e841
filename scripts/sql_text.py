"""Values and names put into SQL text, quoted: the one place they are spliced (for statements such
as COPY ... TO and read_csv options that take no parameters). Everything else is a parameter."""

from __future__ import annotations

from pathlib import Path


def literal(value: str | Path) -> str:
    """A SQL string literal: 'it''s'."""
    return "'" + str(value).replace("'", "''") + "'"


def identifier(name: str) -> str:
    """A quoted SQL identifier (double quotes inside doubled)."""
    return '"' + name.replace('"', '""') + '"'
