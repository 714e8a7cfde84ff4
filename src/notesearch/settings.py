"""Configuration: files, precedence, checks; the one Format and Color; the note suffixes.

Two TOML files are read (with the standard ``tomllib``): ``.notesearch.toml``
at the root of the notes folder, and the user's
``$XDG_CONFIG_HOME/notesearch/config.toml`` (``~/.config/...`` by default).
Precedence, highest first: command line, environment, the notes-folder file,
the user file, built-in defaults. Every value remembers where it came from,
for ``notesearch config``.

The notes folder's file is not the user's: it may not move the notes folder,
and its ``index`` must be a folder inside the notes folder (a relative path
there is relative to the notes folder).

Only the command line reads the user's file and the environment: library
functions take a :class:`Settings` (or plain values) as parameters, and
:func:`for_notes` describes a notes folder from its own file alone.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from enum import Enum
from pathlib import Path

from .errors import ConfigError
from .paths import within
from .records import field, record

TYPE_CHECKING = False  # typing's, without importing typing (see notesearch.shortcut)
if TYPE_CHECKING:
    from typing import Any


class Format(str, Enum):
    """Output formats. Each command offers the ones that make sense for it."""

    RICH = "rich"
    PLAIN = "plain"
    JSONL = "jsonl"
    JSON = "json"
    PATHS = "paths"
    VIMGREP = "vimgrep"


class Color(str, Enum):
    """When to colour the output (``NO_COLOR`` and ``TERM=dumb`` turn ``auto`` off)."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


QUERY_FORMATS = tuple(f.value for f in Format)
TABLE_FORMATS = (Format.RICH.value, Format.PLAIN.value, Format.JSONL.value, Format.JSON.value)
EXPORT_FORMATS = (Format.JSONL.value, Format.JSON.value)
COLORS = tuple(c.value for c in Color)
# File name endings that make a note unless the configuration says otherwise.
NOTE_SUFFIXES = (".md", ".markdown")

NOTES_FILE = ".notesearch.toml"
DEFAULTS: dict[str, Any] = {
    "notes": "notes",
    "index": "index",
    "extensions": list(NOTE_SUFFIXES),
    "ignore": [],
    "max_bytes": 10 * 1024 * 1024,
    "format": None,  # rich on a terminal, plain otherwise
    "limit": 10,
    "color": "auto",
}
DESCRIPTIONS = {
    "notes": "folder of Markdown notes",
    "index": "folder of the index",
    "extensions": "file name endings that are notes",
    "ignore": "gitignore-style patterns of notes to leave out",
    "max_bytes": "notes larger than this are skipped",
    "format": "default output format of query",
    "limit": "default --limit of query",
    "color": "auto, always or never",
}
# The notes folder's own file cannot move the notes folder.
NOT_IN_NOTES_FILE = ("notes",)


@record(frozen=False)
class Settings:
    """Effective settings, each with its source (``default``, a file path, ``env``...)."""

    values: dict[str, Any] = field(default_factory=lambda: dict(DEFAULTS))
    sources: dict[str, str] = field(default_factory=lambda: dict.fromkeys(DEFAULTS, "default"))
    # The user's secret key that seals indexes (None: the default location).
    key_file: Path | None = None

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def set(self, key: str, value: Any, source: str) -> None:
        self.values[key] = value
        self.sources[key] = source

    def path(self, key: str) -> Path:
        """A folder setting as a path: ``~`` and ``$VARIABLES`` expanded, and a
        relative path taken from the folder of the file that set it (the notes
        folder for ``.notesearch.toml``, ``~/.config/notesearch`` for the
        user's file); from the command line or the environment, from the
        working folder.
        """
        value = Path(expand(str(self.values[key])))
        source = self.sources[key]
        if value.is_absolute() or source in NOT_FILES:
            return value
        return Path(source).parent / value

    def effective(self, key: str, given: Any, choices: Sequence[str] | None = None) -> Any:
        """What a command uses for ``key``: ``given`` (its own default, or the value it was
        given) when nothing set the key, else the setting (a folder as :meth:`path`
        makes it); a setting outside ``choices`` (a format this command does not print)
        leaves ``given``."""
        if self.sources[key] == "default":
            return given
        if key in ("notes", "index"):
            return self.path(key)
        value = self.values[key]
        if choices is not None and value is not None and value not in choices:
            return given
        return value


# Sources of a value that are not a file (a relative path there is from the working folder).
NOT_FILES = ("default", "command line", "environment", "argument")


def expand(value: str) -> str:
    """``~`` and ``$HOME``-style variables expanded: the one rule for folder settings."""
    return os.path.expandvars(os.path.expanduser(value))


def user_file(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "notesearch" / "config.toml"


def key_file(env: Mapping[str, str] | None = None) -> Path:
    """Where the user's secret key for sealing indexes lives (see :mod:`notesearch.engine.seal`).

    ``$XDG_DATA_HOME/notesearch/key``, ``~/.local/share/notesearch/key`` by
    default. Library calls that are given no key use this same place, so an
    index the library writes opens from the command line and back.
    """
    env = os.environ if env is None else env
    base = env.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "notesearch" / "key"


def read_file(path: Path, *, in_notes: bool = False) -> dict[str, Any]:
    """The checked settings of one file (empty when it does not exist)."""
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return {}  # no file (or the notes "folder" is missing): the caller says so
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from exc
    # Imported only when there is a file: most runs have none (and a query
    # answered by `notesearch watch` should not pay for the parser).
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    checked = {}
    for key, value in data.items():
        if key not in DEFAULTS or (in_notes and key in NOT_IN_NOTES_FILE):
            known = ", ".join(k for k in DEFAULTS if not (in_notes and k in NOT_IN_NOTES_FILE))
            raise ConfigError(f"{path}: unknown key {key!r} (known: {known})")
        checked[key] = check(key, value, str(path))
        if in_notes and key == "index":
            _check_inside(path, value)
    return checked


def _check_inside(notes_file: Path, value: str) -> None:
    """A notes folder's own file may put the index only inside that folder.

    A shared or cloned notes folder is not the user's to trust: an index
    elsewhere would let it point notesearch at any folder of the user's to
    write, clean up, or read an index from. Symlinks are followed, so a link
    inside the notes folder that leads out of it is refused too.
    """
    root = os.path.realpath(notes_file.parent)
    target = os.path.realpath(notes_file.parent / expand(value))
    if target == root or not within(root, target):
        raise ConfigError(
            f"{notes_file}: 'index' must be a folder inside the notes folder, got {value!r} "
            "(only the command line, NOTESEARCH_INDEX or your own config file may put it "
            "elsewhere)"
        )


def check(key: str, value: Any, where: str) -> Any:
    """Validate one value; raise ConfigError naming ``where`` and ``key``."""

    def bad(expected: str) -> ConfigError:
        return ConfigError(f"{where}: {key!r} must be {expected}, got {value!r}")

    if key in ("notes", "index"):
        if not isinstance(value, str) or not value.strip():
            raise bad("a folder path (text)")
        return value
    if key in ("extensions", "ignore"):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise bad("a list of text")
        if key == "extensions":
            return [v.lower() if v.startswith(".") else "." + v.lower() for v in value]
        return value
    if key in ("max_bytes", "limit"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise bad("a whole number of at least 1")
        return value
    if key == "format":
        if value not in QUERY_FORMATS:
            raise bad("one of " + ", ".join(QUERY_FORMATS))
        return value
    if key == "color":
        if value not in COLORS:
            raise bad("one of " + ", ".join(COLORS))
        return value
    raise ConfigError(f"{where}: unknown key {key!r}")  # pragma: no cover


def load(explicit: Mapping[str, tuple[Any, str]], env: Mapping[str, str] | None = None) -> Settings:
    """Effective settings.

    Args:
        explicit: values given on the command line or in the environment, as
            ``key -> (value, source)``; they win over both files.
        env: the environment (for ``XDG_CONFIG_HOME``); ``os.environ`` by default.
    """
    settings = Settings(key_file=key_file(env))
    user = user_file(env)
    for key, value in read_file(user).items():
        settings.set(key, value, str(user))
    if "notes" in explicit:
        settings.set("notes", *explicit["notes"])
    _read_notes_file(settings)
    for key, (value, source) in explicit.items():
        settings.set(key, value, source)
    return settings


def for_notes(notes_dir: Path) -> Settings:
    """Settings that describe a notes folder: the defaults and the folder's own file.

    The user's config file and the environment are not read: a library call
    behaves the same on every machine.
    """
    settings = Settings()
    settings.set("notes", str(notes_dir), "argument")
    _read_notes_file(settings)
    return settings


def _read_notes_file(settings: Settings) -> None:
    """Apply ``.notesearch.toml`` of the notes folder ``settings`` names."""
    notes_file = settings.path("notes") / NOTES_FILE
    for key, value in read_file(notes_file, in_notes=True).items():
        settings.set(key, value, str(notes_file))
