"""Errors the core raises; the CLI turns each into one line on stderr and exit 2."""

from __future__ import annotations


class NotesearchError(Exception):
    """Something the user can fix went wrong."""

    hint: str | None = None

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class NotesFolderError(NotesearchError):
    """The notes folder is missing, or is not a folder."""


class IndexMissingError(NotesearchError):
    """There is no index yet: run `notesearch index` first."""


class IndexVersionError(NotesearchError):
    """The index was written by another version of notesearch: rebuild it."""


class IndexLockedError(NotesearchError):
    """Another notesearch process is writing the index."""


class IndexWriteError(NotesearchError):
    """The index folder cannot be written (permissions, full disk)."""


class QuerySyntaxError(NotesearchError):
    """The query string cannot be parsed."""


class UnreadableNoteError(NotesearchError):
    """A note could not be read or decoded; it is skipped."""
