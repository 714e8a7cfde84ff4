"""Every error notesearch raises on purpose, in one place.

Each is a :class:`NotesearchError`: something the user can fix. Front ends
show ``str(error)`` as one line, then ``error.hint`` (its own sentence) when
there is one; the command line exits 2. The docstrings say what went wrong
in the user's words.
"""

from __future__ import annotations


class NotesearchError(Exception):
    """Something the user can fix went wrong."""

    hint: str | None = None
    exit_code = 2  # what the command line exits with

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    def one_line(self) -> str:
        """The message, then the hint as its own sentence."""
        message = str(self)
        if not self.hint:
            return message
        if not message.endswith((".", "!", "?")):
            message += "."
        return f"{message} {self.hint}"


class ConfigError(NotesearchError):
    """A configuration file is unreadable, or has an unknown key or a bad value."""


class NotesFolderError(NotesearchError):
    """The notes folder is missing, or is not a folder."""


class IndexMissingError(NotesearchError):
    """There is no index yet: run `notesearch index` first."""


class IndexVersionError(NotesearchError):
    """The index was written by another version of notesearch: rebuild it."""


class IndexUntrustedError(NotesearchError):
    """The index was not written by this user's notesearch (no valid seal): rebuild it."""


class IndexDamagedError(IndexUntrustedError):
    """The index's files are damaged (a checksum differs, a file is missing, unreadable or
    inconsistent): nothing of it is read, and `notesearch index` rebuilds it from the notes.

    A kind of IndexUntrustedError: a file that is not what notesearch wrote is
    never handed to Whoosh (which would unpickle it).
    """

    @classmethod
    def raised_inside_whoosh(cls, exc: BaseException) -> IndexDamagedError | None:
        """The error to show for ``exc`` when it was raised while Whoosh read the index
        (a damaged file gives any exception at all), else None."""
        if isinstance(exc, NotesearchError) or not isinstance(exc, Exception):
            return None
        inside = type(exc).__module__.startswith("whoosh.")
        tb = exc.__traceback__
        while tb is not None and not inside:
            inside = str(tb.tb_frame.f_globals.get("__name__", "")).startswith("whoosh.")
            tb = tb.tb_next
        return cls(DAMAGED) if inside else None


DAMAGED = "the index is damaged: run `notesearch doctor`"


class IndexLockedError(NotesearchError):
    """Another notesearch process is writing the index."""


class IndexWriteError(NotesearchError):
    """The index folder cannot be written (permissions, full disk)."""


class QuerySyntaxError(NotesearchError):
    """The query string cannot be parsed."""


class UnreadableNoteError(NotesearchError):
    """A note could not be read or decoded; it is skipped."""


class NotARegularFile(UnreadableNoteError):
    """The path no longer names a regular file inside the notes folder."""


class NoteNotFoundError(NotesearchError):
    """No note matches what the user named."""


class AmbiguousNoteError(NotesearchError):
    """Several notes match what the user named."""


class AnchorNotFoundError(NotesearchError):
    """The note has no heading or anchor of that name."""


class EditorError(NotesearchError):
    """The editor setting cannot be used (empty, not a valid word list, not found)."""


class WatchError(NotesearchError):
    """The notes folder cannot be watched (missing, or the OS refused a watch)."""


class UsageError(NotesearchError):
    """Options that do not go together, or an argument that is missing."""


class NothingFoundError(NotesearchError):
    """Nothing matched (exit 1, as grep): there is nothing to open."""

    exit_code = 1

    def __init__(
        self, message: str, hint: str | None = None, *, warnings: tuple[str, ...] | list[str] = ()
    ) -> None:
        super().__init__(message, hint)
        self.warnings = tuple(warnings)  # to show before the message
