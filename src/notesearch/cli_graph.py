"""Commands that walk the notes' tags and links: ``tags``, ``links``, ``show``.

Each parses its options, calls one function of :mod:`notesearch.graph` and
hands the rows to the printer chosen once for the run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .cli_support import (
    EXIT_NOTHING,
    CommandError,
    choose_printer,
    color_option,
    complete_notes,
    errors,
    format_option,
    location_options,
    warn,
)

if TYPE_CHECKING:
    from .models import LinkRef

TABLE_FORMATS = ("rich", "plain", "jsonl", "json")


@click.command("tags")
@location_options
@click.option(
    "--sort",
    type=click.Choice(["name", "count"]),
    default="name",
    show_default=True,
    help="Order by tag name, or by how many notes carry the tag.",
)
@click.option(
    "--tree", is_flag=True, help="Nested tags as a tree (aws › s3); counts include children."
)
@format_option(TABLE_FORMATS)
@color_option
@errors
def tags_command(
    notes_dir: Path, index_dir: Path, sort: str, tree: bool, fmt: str | None, color: str
) -> None:
    """List every tag with the number of notes and sections that carry it.

    \b
    Examples:
      notesearch tags
      notesearch tags --sort count --format plain | head
      notesearch tags --tree
    """
    from . import graph
    from .models import Records
    from .searcher import open_index

    _, printer = choose_printer(fmt, color)
    with open_index(index_dir, notes_dir) as idx:
        if tree:
            nodes = graph.tag_tree(idx, sort)
            rows = tuple(
                {
                    "tag": "  " * n.depth + n.label,
                    "name": n.name,
                    "depth": n.depth,
                    "notes": n.notes,
                    "sections": n.sections,
                }
                for n in nodes
            )
        else:
            counts = graph.tag_counts(idx, sort)
            rows = tuple({"tag": c.name, "notes": c.notes, "sections": c.sections} for c in counts)
    printer.records(Records("Tags", ("tag", "notes", "sections"), rows))
    printer.close()


def _link_rows(refs: list[LinkRef]) -> tuple[dict[str, object], ...]:
    return tuple(
        {
            **ref.to_dict(),
            "exists": "yes" if ref.link.exists else "no",
            "resolved": ref.link.path or "",
            "section": " › ".join((*ref.breadcrumb, ref.heading)) if ref.heading else "",
        }
        for ref in refs
    )


def _json_rows(refs: list[LinkRef]) -> tuple[dict[str, object], ...]:
    return tuple(ref.to_dict() for ref in refs)


@click.command("links")
@click.argument("note", required=False, shell_complete=complete_notes)
@location_options
@click.option("--backlinks", is_flag=True, help="Links from other notes to NOTE.")
@click.option("--broken", is_flag=True, help="Every link whose note, file or #heading is missing.")
@click.option("--orphans", is_flag=True, help="Notes that no other note links to.")
@format_option(TABLE_FORMATS)
@color_option
@errors
def links_command(
    note: str | None,
    notes_dir: Path,
    index_dir: Path,
    backlinks: bool,
    broken: bool,
    orphans: bool,
    fmt: str | None,
    color: str,
) -> None:
    """Show a note's links, its backlinks, broken links, or orphan notes.

    NOTE is a path relative to the notes folder, a path from here, a file
    name or a note title. `--broken` exits 1 when it finds any, so a notes
    repository can run it in its own CI.

    \b
    Examples:
      notesearch links sagemaker/sagemaker.md
      notesearch links sagemaker/sagemaker.md --backlinks
      notesearch links --broken
      notesearch links --orphans --format plain
    """
    from . import graph
    from .models import Records
    from .searcher import open_index

    modes = sum([backlinks, broken, orphans])
    if broken or orphans:
        if note is not None or modes > 1:
            raise CommandError("--broken and --orphans take no NOTE and go alone")
    elif note is None:
        raise CommandError("give a NOTE, or --broken, or --orphans")
    fmt, printer = choose_printer(fmt, color)
    json_out = fmt in ("jsonl", "json")
    found = True
    with open_index(index_dir, notes_dir) as idx:
        if broken:
            refs = graph.broken_links(idx)
            found = bool(refs)
            rows = (
                tuple(
                    {
                        "source": r.source,
                        "line": r.link.line,
                        "target": r.target,
                        "reason": r.reason,
                    }
                    for r in refs
                )
                if json_out
                else _link_rows(refs)
            )
            records = Records(
                "Broken links",
                ("source", "line", "target", "reason"),
                rows,
                plain="{source}:{line} → {target} ({reason})",
            )
        elif orphans:
            paths = graph.orphans(idx)
            records = Records("Orphan notes", ("path",), tuple({"path": p} for p in paths))
        else:
            assert note is not None
            path = graph.find_note(idx, note, notes_dir)
            if backlinks:
                refs = graph.incoming_links(idx, path)
                records = Records(
                    f"Links to {path}",
                    ("source", "line", "section", "kind", "target"),
                    _json_rows(refs) if json_out else _link_rows(refs),
                )
            else:
                refs = graph.outgoing_links(idx, path)
                records = Records(
                    f"Links in {path}",
                    ("line", "kind", "target", "resolved", "exists"),
                    _json_rows(refs) if json_out else _link_rows(refs),
                )
    printer.records(records)
    printer.close()
    if broken and found:
        raise SystemExit(EXIT_NOTHING)


@click.command("show")
@click.argument("target", metavar="NOTE[#ANCHOR]", shell_complete=complete_notes)
@location_options
@click.option(
    "--line", type=click.IntRange(min=1), help="Show the section that contains this line."
)
@format_option(("rich", "plain", "jsonl", "json"))
@color_option
@errors
def show_command(
    target: str, notes_dir: Path, index_dir: Path, line: int | None, fmt: str | None, color: str
) -> None:
    """Show a note, or one section of it: rendered on a terminal, raw Markdown when piped.

    \b
    Examples:
      notesearch show sagemaker/sagemaker.md#gotchas
      notesearch show "Amazon SageMaker" --line 72
      notesearch show sagemaker.md | less
    """
    from . import graph
    from .searcher import open_index

    spec, _, anchor = target.partition("#")
    fmt, printer = choose_printer(fmt, color)
    with open_index(index_dir, notes_dir) as idx:
        path = graph.find_note(idx, spec or target, notes_dir)
        sections = graph.find_section(idx, path, anchor or None, line)
        first, last = graph.extent(idx, sections)
        entry = idx.table.notes[path]
    if fmt in ("jsonl", "json"):
        printer.sections(sections)
        printer.close()
        return
    from .read import read_lines

    try:
        stat = os.stat(notes_dir / path)
        lines = read_lines(str(notes_dir), path)
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if (stat.st_size, stat.st_mtime_ns) != (entry.size, entry.mtime_ns):
        warn(f"{path} changed since it was indexed; run `notesearch index`")
    text = "\n".join(lines[first - 1 : last] if anchor or line is not None else lines)
    printer.markdown(text.rstrip("\n") + "\n")
    printer.close()
    sys.stdout.flush()
