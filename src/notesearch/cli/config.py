"""``notesearch config``: the effective settings and where each came from."""

from __future__ import annotations

from pathlib import Path

import click

from ..settings import DESCRIPTIONS, Settings
from .failures import errors
from .options import location_options


@click.command("config")
@location_options
@click.option(
    "-f",
    "--format",
    "output",  # not "fmt": this is not the `format` setting of query
    type=click.Choice(["toml", "json"]),
    default="toml",
    show_default=True,
    help="TOML with the source of each value as a comment, or JSON.",
)
@errors
def config_command(notes_dir: Path, index_dir: Path, output: str, settings: Settings) -> None:
    """Print the effective configuration and where each value came from.

    The TOML output is valid TOML (unset values are comments), so it can
    start a config file. Settings come from, highest first: the command line, the environment
    (NOTESEARCH_NOTES, NOTESEARCH_INDEX), .notesearch.toml in the notes
    folder, $XDG_CONFIG_HOME/notesearch/config.toml, and the defaults.

    \b
    Examples:
      notesearch config
      notesearch config --notes ~/vault --format json | jq .limit
    """
    import json
    import os

    from ..sanitize import clean_line

    current = settings
    # Folders as they are used: absolute, ~ expanded, from the file that set them.
    values = {
        key: os.path.abspath(current.path(key)) if key in ("notes", "index") else value
        for key, value in current.values.items()
    }
    if output == "json":
        record = {
            key: {"value": value, "source": current.sources[key]} for key, value in values.items()
        }
        click.echo(json.dumps(record, ensure_ascii=True, indent=2))
        return
    for key, value in values.items():
        about = f"{current.sources[key]}; {DESCRIPTIONS[key]}"
        if value is None:  # TOML has no null: the line stays a comment
            line = f"# {key} is not set: rich on a terminal, plain otherwise  # {about}"
        else:
            line = f"{key} = {json.dumps(value, ensure_ascii=False)}  # {about}"
        click.echo(clean_line(line))
