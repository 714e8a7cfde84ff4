"""The finder's keys, in one table: the bindings, the help screen and the key line read it."""

from __future__ import annotations

from ..records import record


@record
class Key:
    """One binding: Textual key names, what the user reads, the action it runs."""

    keys: str
    shown: str
    does: str
    action: str


KEYS: tuple[Key, ...] = (
    Key("up,ctrl+p", "↑ Ctrl-P", "previous result", "move(-1)"),
    Key("down,ctrl+n", "↓ Ctrl-N", "next result", "move(1)"),
    Key("pageup", "PgUp", "a page up", "page(-1)"),
    Key("pagedown", "PgDn", "a page down", "page(1)"),
    Key("enter", "Enter", "open in $VISUAL/$EDITOR at the line (with --print: choose)", "choose"),
    Key("ctrl+s", "Ctrl-S", "accept the spelling suggestion (did you mean)", "accept"),
    Key("ctrl+y", "Ctrl-Y", "copy path:line (OSC 52: works over ssh)", "copy_place"),
    Key(
        "ctrl+l",
        "Ctrl-L",
        "copy a link: [[Note#Heading]], or [Heading](note.md#anchor)",
        "copy_link",
    ),
    Key("tab", "Tab", "show or hide the preview", "toggle_preview"),
    Key("ctrl+r", "Ctrl-R", "update the index (when it is out of date)", "refresh"),
    Key("f1", "F1 ?", "these keys (? on an empty query line)", "help"),
    Key("escape", "Esc", "leave (exit 1, or 0 once something was chosen)", "leave"),
    Key("ctrl+c", "Ctrl-C", "leave at once (exit 130)", "interrupt"),
)

# The key line at the bottom: the few keys a user needs first.
KEY_LINE = "F1 keys · Enter open · ↑↓ move · Tab preview · ^Y copy · ^L link · Esc quit"
KEY_LINE_PRINT = "F1 keys · Enter choose · ↑↓ move · Tab preview · ^Y copy · Esc quit"


def help_text() -> str:
    """The keys, one per line, for the help screen."""
    width = max(len(key.shown) for key in KEYS)
    return "\n".join(f"{key.shown:<{width}}  {key.does}" for key in KEYS)
