"""Query words Whoosh's parser takes too literally, made to mean what the user wrote.

- ``path:ecr-us*``, ``path:autopilot-quotas*``, ``NOT path:ecr-*``: the path
  field is indexed as words (``ecr``, ``us``, ``east``), so a prefix or
  wildcard holding a hyphen, a dot or a slash matched nothing. Every prefix
  or wildcard on ``path:`` becomes the set of notes whose path has the
  pattern at the start of one of its words (``ecr*`` still means a word
  starting with ``ecr``).
- ``spot-training*``: a prefix of several words becomes those words, all
  present, the last one a prefix.
- ``tag:nme`` names a tag no section has: a warning with the closest tags,
  as ``--tag`` gives.
"""

from __future__ import annotations

import re
from typing import Any

from whoosh import query

from ..models import Diagnostic
from .reader import Index

_WORD_CHARS = re.compile(r"[^\W_]+")


def expand_patterns(index: Index, q: query.Query) -> query.Query:
    """``q`` with its path patterns and multi-word prefixes rewritten (see above)."""
    paths: list[str] | None = None

    def rewrite(node: query.Query) -> query.Query:
        nonlocal paths
        if isinstance(node, (query.Prefix, query.Wildcard)) and node.fieldname == "path":
            if paths is None:
                paths = sorted(index.stat.notes)
            return _notes_matching(paths, node)
        if isinstance(node, query.Prefix) and not _WORD_CHARS.fullmatch(node.text):
            words = _WORD_CHARS.findall(node.text.lower())
            if len(words) > 1:
                analyzer = index.schema[node.fieldname].analyzer
                parts: list[query.Query] = []
                for word in words[:-1]:
                    parts += [query.Term(node.fieldname, t.text) for t in analyzer(word)]
                parts.append(query.Prefix(node.fieldname, words[-1], boost=node.boost))
                return query.And(parts)
        if not node.is_leaf():
            return node.apply(rewrite)
        return node

    return rewrite(q)


def _notes_matching(paths: list[str], node: Any) -> query.Query:
    pattern = node.text.lower()
    body = "".join(
        ".*" if ch == "*" else "." if ch == "?" else re.escape(ch)
        for ch in (pattern if isinstance(node, query.Wildcard) else pattern + "*")
    )
    regex = re.compile(rf"(?:^|[^0-9a-z]){body}", re.IGNORECASE)
    found = [path for path in paths if regex.search(path.lower())]
    if not found:  # no note: a term no section has (NullQuery would read as "no words")
        return query.Term("note", "\0")
    return query.Or([query.Term("note", path) for path in found], boost=node.boost)


def unknown_tag(index: Index, name: str) -> Diagnostic | None:
    """A warning, with the closest tags, when no section carries tag ``name``.

    The tag field holds every tag with its ancestors, so a tag it lacks is
    unknown; the file table (for the closest names) is read only then.
    """
    if index._searcher.reader().doc_frequency("tag", name) > 0:
        return None
    import difflib  # only for an unknown tag

    close = difflib.get_close_matches(name, sorted(index.known_tags()), n=3, cutoff=0.6)
    hint = f"; closest: {', '.join(close)}" if close else ""
    return Diagnostic(f"unknown tag '{name}'{hint}")


def tag_term_warnings(index: Index, q: query.Query) -> list[Diagnostic]:
    """A warning for each ``tag:`` word of the query that no section carries."""
    warnings: list[Diagnostic] = []
    for leaf in q.leaves() if not q.is_leaf() else [q]:
        if isinstance(leaf, query.Term) and leaf.fieldname == "tag":
            name = leaf.text if isinstance(leaf.text, str) else leaf.text.decode("utf-8")
            found = unknown_tag(index, name)
            if found is not None and found not in warnings:
                warnings.append(found)
    return warnings
