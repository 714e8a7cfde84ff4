"""The options commands share: where the notes and index are, filters, format, colour, completion.

:func:`location_options` settles every configurable parameter once (command
line, environment, the notes folder's ``.notesearch.toml``, the user's
config file, defaults) and hands the command its ``settings``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..errors import NotesearchError
from ..settings import COLORS, Settings
from .failures import CommandError

if TYPE_CHECKING:
    from ..vault import Vault

F = TypeVar("F", bound=Callable[..., Any])

# Command parameters that configuration files can set, by setting name.
CONFIGURABLE = {
    "notes": "notes_dir",
    "index": "index_dir",
    "format": "fmt",
    "limit": "limit",
    "color": "color",
}


def location_options(func: F) -> F:
    """Add --notes and --index, and settle every configurable parameter.

    Before the command runs, each parameter that configuration can set
    (notes, index, format, limit, color) gets its effective value: the
    command line, then the environment, then ``.notesearch.toml`` in the
    notes folder, then the user's config file, then the default. The
    command gets them all as its ``settings`` argument. ``--notes``,
    ``--index`` and ``--color`` given before the command name count as
    given on the command line (``notesearch --notes ~/vault query x``).
    """

    @functools.wraps(func)
    def settled(**kwargs: Any) -> Any:
        ctx = click.get_current_context()
        try:
            settings = resolve(ctx, kwargs, before_command(ctx))
        except NotesearchError as exc:
            raise CommandError(exc.one_line()) from exc
        for key, param in CONFIGURABLE.items():
            if param in kwargs:  # else not this command's; unset, its own default stands
                choices = _choices(ctx, param) if key == "format" else None
                kwargs[param] = settings.effective(key, kwargs[param], choices)
        return func(**kwargs, settings=settings)

    for flag, help_text in (
        ("--index", "Folder of the index."),
        ("--notes", "Folder of Markdown notes."),
    ):
        name = flag.removeprefix("--")
        settled = click.option(
            flag,
            f"{name}_dir",
            type=click.Path(path_type=Path),
            default=name,
            show_default=True,
            envvar=f"NOTESEARCH_{name.upper()}",
            show_envvar=True,
            help=help_text,
        )(settled)
    return settled  # type: ignore[return-value]


def _choices(ctx: click.Context, name: str) -> tuple[str, ...]:
    for param in ctx.command.params:
        if param.name == name and isinstance(param.type, click.Choice):
            return tuple(str(c) for c in param.type.choices)
    return ()


def resolve(
    ctx: click.Context,
    kwargs: dict[str, Any],
    known: dict[str, tuple[Any, str]] | None = None,
) -> Settings:
    """Settings for this run: what the user typed or set in the environment wins.

    ``known`` adds values (key -> (value, source)) found elsewhere, below the
    parameters' own.
    """
    from click.core import ParameterSource

    from .. import settings as config

    explicit: dict[str, tuple[Any, str]] = dict(known or {})
    for key, param in CONFIGURABLE.items():
        if param not in kwargs:
            continue
        source = ctx.get_parameter_source(param)
        if source == ParameterSource.COMMANDLINE and kwargs[param] is not None:
            explicit[key] = (str(kwargs[param]) if key in ("notes", "index") else kwargs[param],
                             "command line")  # fmt: skip
        elif source == ParameterSource.ENVIRONMENT and explicit.get(key, ("", ""))[1] != (
            "command line"
        ):
            explicit[key] = (str(kwargs[param]), "environment")
    return config.load(explicit)


# Options the group takes before the command name, as (setting, parameter).
GLOBAL = (("notes", "notes_dir"), ("index", "index_dir"), ("color", "color"))


def global_options(func: F) -> F:
    """``--notes``, ``--index`` and ``--color`` on the group, before the command name."""
    func = click.option(
        "--color",
        type=click.Choice(COLORS),
        default=None,
        help="Color for every command (NO_COLOR is honoured).",
    )(func)
    for flag, help_text in (("--index", "Folder of the index."), ("--notes", "Folder of notes.")):
        name = flag.removeprefix("--")
        func = click.option(
            flag, f"{name}_dir", type=click.Path(path_type=Path), default=None, help=help_text
        )(func)
    return func


def before_command(ctx: click.Context) -> dict[str, tuple[Any, str]]:
    """The global options given before the command name, as command-line settings."""
    root = ctx.find_root()
    if root is ctx:
        return {}
    return {
        key: (str(root.params[param]) if key != "color" else root.params[param], "command line")
        for key, param in GLOBAL
        if root.params.get(param) is not None
    }


def _vault(ctx: click.Context) -> Vault:
    """The vault a command being completed would use, settled as when it runs."""
    from ..vault import Vault

    explicit: dict[str, tuple[Any, str]] = before_command(ctx)
    for key, param, variable in (
        ("notes", "notes_dir", "NOTESEARCH_NOTES"),
        ("index", "index_dir", "NOTESEARCH_INDEX"),
    ):
        if param in ctx.params or key in explicit:  # parsed, or given before the command
            continue
        if os.environ.get(variable):
            explicit[key] = (os.environ[variable], "environment")
    settings = resolve(ctx, dict(ctx.params), explicit)
    return Vault(settings.path("notes"), settings.path("index"), settings)


def complete_tags(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion for --tag: the tags in the index."""
    try:
        names = [c.name for c in _vault(ctx).tag_counts()]
    except Exception:  # completion must never print a traceback into the shell
        return []
    prefix = incomplete.lstrip("#").lower()
    return [n for n in names if n.startswith(prefix)]


def complete_notes(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion for NOTE arguments: note paths in the index."""
    try:
        paths = _vault(ctx).note_paths()
    except Exception:
        return []
    return [p for p in paths if p.startswith(incomplete)]


def filter_options(func: F) -> F:
    """--tag, --any-tag, --exclude-tag and --path, as query and open take them."""
    for decorator in reversed(
        [
            click.option(
                "--tag",
                "tags",
                multiple=True,
                metavar="TAG",
                shell_complete=complete_tags,
                help="Sections must have this tag (repeatable: all).",
            ),
            click.option(
                "--any-tag",
                "any_tags",
                multiple=True,
                metavar="TAG",
                shell_complete=complete_tags,
                help="Sections must have one of these tags (repeatable).",
            ),
            click.option(
                "--exclude-tag",
                "exclude_tags",
                multiple=True,
                metavar="TAG",
                shell_complete=complete_tags,
                help="Leave out sections with this tag (repeatable).",
            ),
            click.option(
                "--path",
                "path_glob",
                metavar="GLOB",
                help="Only notes whose path (relative to the notes folder) matches.",
            ),
        ]
    ):
        func = decorator(func)
    return func


def format_option(choices: tuple[str, ...]) -> Callable[[F], F]:
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(choices),
        help="Output format [default: rich on a terminal, plain otherwise].",
    )


def color_option(func: F) -> F:
    return click.option(
        "--color",
        type=click.Choice(COLORS),
        default="auto",
        show_default=True,
        help="Color (NO_COLOR is honoured).",
    )(func)


correct_option = click.option(
    "--correct",
    is_flag=True,
    help="When a query word is not in the index and a spelling correction exists, "
    "search the corrected query.",
)
