"""YAML front matter: where it ends, what it says, and shape checks.

python-frontmatter's own splitter misses front matter after a BOM and takes a
note that merely opens with a ``---`` thematic break as front matter, losing
the text up to the next ``---``. So the boundary is found here, strictly, and
python-frontmatter's YAML handler (safe loading only) reads what is inside.
Anything unexpected keeps the whole file as body: note text is never lost.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..records import field, record
from . import tags as tagmod

MAX_FRONT_MATTER = 64 * 1024
MAX_LIST = 1000


@record
class FrontMatter:
    """What front matter contributed, plus where the body starts."""

    body: str
    body_line: int = 1  # 1-based line of the file where ``body`` starts
    title: str | None = None
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    warnings: list[tuple[int, str]] = field(default_factory=list)


def split(text: str) -> FrontMatter:
    """Separate front matter from the body of a note's text (BOM already gone).

    Front matter is accepted only when the file's first line is ``---``, the
    YAML starts on the very next line (not a blank line), a closing ``---`` or
    ``...`` line follows, and the YAML is a mapping.
    """
    if not text.startswith("---\n"):
        return FrontMatter(body=text)
    rest = text[4:]
    if not rest.split("\n", 1)[0].strip():
        return FrontMatter(body=text)  # a thematic break followed by a blank line
    end = _closing(rest)
    if end is None:
        return FrontMatter(body=text)
    yaml_text, after = rest[: end[0]], rest[end[1] :]
    if len(yaml_text) > MAX_FRONT_MATTER:
        return FrontMatter(body=text, warnings=[(1, "front matter too large; read as text")])
    closing_line = 2 + yaml_text.count("\n")
    try:
        meta = _load(yaml_text)
    except Exception as exc:  # PyYAML raises YAMLError, ValueError, RecursionError...
        reason = " ".join(str(exc).split())[:160] or type(exc).__name__
        return FrontMatter(body=text, warnings=[(1, f"malformed front matter ignored ({reason})")])
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return FrontMatter(body=text)  # prose between two thematic breaks
    warnings: list[tuple[int, str]] = []
    return FrontMatter(
        body=after,
        body_line=closing_line + 1,
        title=_title(meta.get("title")),
        tags=_tags(meta.get("tags", meta.get("tag")), warnings),
        aliases=_strings(meta.get("aliases", meta.get("alias"))),
        warnings=warnings,
    )


def _closing(rest: str) -> tuple[int, int] | None:
    """Offsets (start, end) of the closing ``---``/``...`` line within ``rest``."""
    pos = 0
    if rest.startswith(("---\n", "...\n")) or rest in ("---", "..."):
        return 0, min(4, len(rest))
    while True:
        nl = rest.find("\n", pos)
        if nl < 0:
            return None
        line_start = nl + 1
        line_end = rest.find("\n", line_start)
        line = rest[line_start : line_end if line_end >= 0 else len(rest)]
        if line.rstrip() in ("---", "..."):
            return line_start, (line_end + 1 if line_end >= 0 else len(rest))
        pos = line_start


def _load(yaml_text: str) -> Any:
    from frontmatter.default_handlers import YAMLHandler

    return YAMLHandler().load(yaml_text, Loader=_loader())


@lru_cache(maxsize=1)
def _loader() -> Any:
    """PyYAML's SafeLoader without timestamps: dates stay the text the user wrote.

    (A safe loader never builds Python objects from ``!!python/...`` tags; and
    an impossible date such as 2026-13-45 no longer throws away the title and
    tags next to it.)
    """
    import yaml

    class TextDateLoader(yaml.SafeLoader):
        pass

    TextDateLoader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return TextDateLoader


def _title(value: Any) -> str | None:
    if _is_text(value):
        title = " ".join(str(value).split())
        return title or None
    return None


def _is_text(value: Any) -> bool:
    """A string or a number, not a bool (YAML's ``yes``/``true``)."""
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _strings(value: Any) -> tuple[str, ...]:
    items = [value] if _is_text(value) else value[:MAX_LIST] if isinstance(value, list) else []
    return tuple(text for text in (str(v).strip() for v in items if _is_text(v)) if text)


def _tags(value: Any, warnings: list[tuple[int, str]]) -> tuple[str, ...]:
    """Front matter tags: a list, or a comma/space separated string, ``#`` optional."""
    raw: list[str] = []
    if value is None:
        return ()
    if isinstance(value, str):
        raw = value.replace(",", " ").split()
    elif _is_text(value):
        raw = [str(value)]
    elif isinstance(value, list):
        for item in value[:MAX_LIST]:
            if isinstance(item, list):  # one level of nesting, as YAML `- [a, b]`
                raw.extend(str(x) for x in item[:MAX_LIST] if _is_text(x))
            elif _is_text(item):
                raw.extend(str(item).replace(",", " ").split())
    else:
        warnings.append((1, f"front matter 'tags' is a {type(value).__name__}; ignored"))
        return ()
    names = (tagmod.normalize(name) for name in raw)
    return tagmod.unique(name for name in names if name)
