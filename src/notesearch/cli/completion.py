"""``notesearch completion``: the shell completion script."""

from __future__ import annotations

import click

from .failures import CommandError

PROG_NAME = "notesearch"


COMPLETE_VAR = "_NOTESEARCH_COMPLETE"


SHELLS = ("bash", "zsh", "fish")


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def completion_command(shell: str) -> None:
    """Print the shell completion script for bash, zsh or fish.

    It completes commands, options, tags (--tag) and note paths from the
    index.

    \b
    Examples:
      eval "$(notesearch completion bash)"     # add to ~/.bashrc
      eval "$(notesearch completion zsh)"      # add to ~/.zshrc
      notesearch completion fish > ~/.config/fish/completions/notesearch.fish
    """
    from click.shell_completion import get_completion_class

    completion_class = get_completion_class(shell)
    if completion_class is None:  # click knows the three shells; never reached
        raise CommandError(f"no completion for {shell}")
    root = click.get_current_context().find_root().command
    script = completion_class(root, {}, PROG_NAME, COMPLETE_VAR).source()
    click.echo(script.rstrip("\n"))
