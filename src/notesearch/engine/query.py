"""The user's query string and filters -> Whoosh queries.

Whoosh's parser with our plugins (``-word`` only at a word start, fuzzy
``~``, field aliases), plus checks of our own first (:mod:`.querytext`);
tag, path and link filters become Whoosh filter queries.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Sequence
from typing import Any

from whoosh import qparser, query

from ..errors import QuerySyntaxError
from ..models import Diagnostic
from ..notes import tags as tagmod
from . import querytext
from .reader import Index
from .schema import DEFAULT_FIELDS


def _parser(schema: Any, group: Any) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(
        list(DEFAULT_FIELDS),
        schema,
        group=group,
    )
    # '-word' excludes, but only at the start of a word: ADR-016 stays one term.
    parser.replace_plugin(
        qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+(?=\S)", minusexpr=r"(?<![^\s(])-(?=\S)")
    )
    parser.add_plugin(qparser.FuzzyTermPlugin())
    aliases: dict[str, list[str]] = {}
    for alias, field in querytext.ALIASES.items():
        aliases.setdefault(field, []).append(alias)
    parser.add_plugin(qparser.FieldAliasPlugin(aliases))
    return parser


def parse_query(index: Index, text: str) -> query.Query:
    """Parse a user's query string (raising QuerySyntaxError on nonsense).

    Words are joined with OR; the ranking then gives sections that hold more
    of the words a bonus (see :func:`search`).
    """
    querytext.check(text)
    try:
        return _hoist_not(_parser(index.schema, qparser.OrGroup).parse(text))
    except Exception as exc:  # Whoosh raises assorted errors on odd input
        raise QuerySyntaxError(f"cannot parse query {text!r}: {exc}") from exc


def _hoist_not(q: query.Query) -> query.Query:
    """Make ``a b NOT c`` mean (a OR b) AND NOT c.

    With words joined by OR, Whoosh reads it as ``a OR b OR (NOT c)``, which
    matches nearly every section.
    """
    if not q.is_leaf():
        q = q.apply(_hoist_not)
    if isinstance(q, query.Or):
        negative = [sub.query for sub in q.subqueries if isinstance(sub, query.Not)]
        positive = [sub for sub in q.subqueries if not isinstance(sub, query.Not)]
        if negative and positive:
            keep = positive[0] if len(positive) == 1 else query.Or(positive, boost=q.boost)
            drop = negative[0] if len(negative) == 1 else query.Or(negative)
            return query.AndNot(keep, drop)
    return q


def tag_filter(
    index: Index,
    tags: Sequence[str],
    any_tags: Sequence[str],
    exclude_tags: Sequence[str],
    warnings: list[Diagnostic],
) -> tuple[query.Query | None, query.Query | None]:
    reader = index._searcher.reader()

    def norm(raw: str) -> str:
        name = tagmod.normalize(raw)
        if name is None:
            raise QuerySyntaxError(
                f"not a tag: {raw!r}", hint="Tags are letters, digits, _ - and /."
            )
        # The tag field holds every tag with its ancestors: a tag no section
        # has is unknown (the file table, for the closest names, is read
        # only then).
        if reader.doc_frequency("tag", name) == 0:
            known = index.known_tags()
            close = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.6)
            hint = f"; closest: {', '.join(close)}" if close else ""
            warnings.append(Diagnostic(f"unknown tag '{name}'{hint}"))
        return name

    parts: list[query.Query] = []
    if tags:
        parts.append(query.And([query.Term("tag", norm(t)) for t in tags]))
    if any_tags:
        parts.append(query.Or([query.Term("tag", norm(t)) for t in any_tags]))
    include = query.And(parts) if parts else None
    exclude = query.Or([query.Term("tag", norm(t)) for t in exclude_tags]) if exclude_tags else None
    return include, exclude


def path_filter(index: Index, pattern: str | None) -> query.Query | None:
    if pattern is None:
        return None
    paths = [p for p in index.stat.notes if fnmatch.fnmatchcase(p, pattern)]
    if "/" not in pattern:  # like git: a bare pattern also matches in any folder
        paths += [p for p in index.stat.notes if fnmatch.fnmatchcase(p.rsplit("/", 1)[-1], pattern)]
    if not paths:
        return query.NullQuery
    return query.Or([query.Term("note", p) for p in sorted(set(paths))])


def combine(*parts: query.Query | None) -> query.Query | None:
    present = [p for p in parts if p is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else query.And(present)
