"""The user's query string and filters -> Whoosh queries.

Whoosh's parser with our plugins (``-word`` only at a word start, fuzzy
``~``, field aliases), plus checks of our own first (:mod:`.querytext`);
tag, path and link filters become Whoosh filter queries.

One dash directly before a word excludes it (``training -distributed``);
two or more are a command-line flag copied from a note (``aws lambda invoke
--payload``) and search the word (:func:`flags_as_words`), as a dash
inside a word (``ADR-016``) or standing alone (``-``, ``--``) never excludes.

A query is bounded before it runs: a fuzzy word allows at most
:data:`MAX_FUZZY` edits, and the prefixes, wildcards, ranges and fuzzy words
of one query together expand to at most :data:`MAX_EXPANSION` index terms
(``[a TO z]`` took 134 s on 1,000 notes). The terms are counted with the
reader's own iteration, which stops at the limit.
"""

from __future__ import annotations

import fnmatch
import itertools
import re
from collections.abc import Iterator, Sequence
from typing import Any

from whoosh import qparser, query
from whoosh.qparser import syntax

from ..errors import QuerySyntaxError
from ..models import Diagnostic
from ..notes import tags as tagmod
from . import querytext
from .patterns import expand_patterns, unknown_tag
from .reader import Index
from .schema import DEFAULT_FIELDS

MAX_FUZZY = 2  # edits a fuzzy word (``word~N``) may allow
MAX_EXPANSION = 10_000  # index terms the expanding words of one query may match
# What a user writes for a range: [a TO z], {a TO}, [TO z}.
_RANGE = re.compile(r"[\[{][^\[\]{}]*\bTO\b[^\[\]{}]*[\]}]")
# Two or more dashes at the start of a word: a flag (``--payload``), not an exclusion.
_FLAG = re.compile(r"(?<![^\s(])-{2,}(?=[^\s-])")


class _PlusMinus(qparser.PlusMinusPlugin):  # type: ignore[misc]  # whoosh is untyped
    """``+word`` and ``-word`` inside parentheses too: Whoosh sorts the top level only,
    and a ``-`` left in a group failed the parse (``training (spot -distributed)``)."""

    def do_plusminus(self, parser: Any, group: Any) -> Any:
        for i, node in enumerate(group.nodes):
            if isinstance(node, syntax.GroupNode):
                group.nodes[i] = self._inner(parser, node)
        return super().do_plusminus(parser, group)

    def _inner(self, parser: Any, group: Any) -> Any:
        if not any(isinstance(n, (self.Plus, self.Minus)) for n in group.nodes):
            return self.do_plusminus(parser, group)  # a group of its own (OR, AND, ...)
        sorted_ = self.do_plusminus(parser, group)
        if isinstance(sorted_, syntax.AndNotGroup) and not sorted_.nodes[0].nodes:
            return syntax.NotGroup([sorted_.nodes[1]])  # ``(-word)``: NOT word
        return sorted_


def _parser(schema: Any, group: Any) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(
        list(DEFAULT_FIELDS),
        schema,
        group=group,
    )
    # '-word' excludes, but only at the start of a word: ADR-016 stays one term.
    parser.replace_plugin(
        _PlusMinus(plusexpr=r"(?<![^\s(])\+(?=\S)", minusexpr=r"(?<![^\s(])-(?=\S)")
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
    parser = _parser(index.schema, qparser.OrGroup)
    try:
        parsed = expand_patterns(index, _hoist_not(parser.parse(flags_as_words(text))))
    except Exception as exc:  # Whoosh raises assorted errors on odd input
        raise QuerySyntaxError(f"cannot parse query {text!r}: {exc}") from exc
    _check_expansion(index, parser, text, parsed)
    return parsed


def flags_as_words(text: str) -> str:
    """``text`` with the dashes of each ``--flag`` outside quotes made spaces (same length).

    ``--payload`` then searches ``payload`` (the analyzer drops a note's
    dashes too), ``--payload*`` is a prefix and ``--dry-run`` the phrase
    ``dry run``, where Whoosh read the first dash as NOT.
    """
    masked = querytext.mask_quotes(text)
    out = list(text)
    for match in _FLAG.finditer(masked):
        out[match.start() : match.end()] = " " * (match.end() - match.start())
    return "".join(out)


def _expanding(q: query.Query) -> Iterator[query.Query]:
    """The parts of a query that stand for many index terms."""
    for leaf in q.leaves() if not q.is_leaf() else [q]:
        if isinstance(leaf, query.MultiTerm) or (
            isinstance(leaf, query.Every) and leaf.fieldname not in (None, "", "*")
        ):
            yield leaf


def _check_expansion(index: Index, parser: Any, text: str, parsed: query.Query) -> None:
    """Refuse a fuzzy word of too many edits, or expanding words of too many terms.

    The fuzzy distance is checked first: Whoosh builds an automaton for it.
    The terms of all expanding words count against one budget, so that 600
    prefixes of 20 terms each are refused like one prefix of 12,000.
    """
    expanding = list(_expanding(parsed))
    for leaf in expanding:
        if isinstance(leaf, query.FuzzyTerm) and leaf.maxdist > MAX_FUZZY:
            raise QuerySyntaxError(
                f"`{_user_text(parser, text, leaf)}` allows {leaf.maxdist} edits, "
                f"more than {MAX_FUZZY}; use ~1 or ~2"
            )
    reader = index._searcher.reader()
    budget = MAX_EXPANSION
    for leaf in expanding:
        if isinstance(leaf, query.Every):
            terms: Any = reader.lexicon(leaf.fieldname)
        else:
            terms = leaf._btexts(reader)
        count = sum(1 for _ in itertools.islice(terms, budget + 1))
        if count > budget:
            together = "" if budget == MAX_EXPANSION else " with the rest of the query"
            raise QuerySyntaxError(
                f"`{_user_text(parser, text, leaf)}` matches too many words{together} "
                f"(more than {MAX_EXPANSION:,}); narrow it"
            )
        budget -= count


def _user_text(parser: Any, text: str, leaf: query.Query) -> str:
    """The part of the query that became ``leaf``, as the user wrote it.

    Each range and each word of the query is parsed alone until one gives
    the same query; failing that, Whoosh's own rendering of it.
    """
    masked = re.sub(r'"[^"]*"', lambda m: " " * len(m.group(0)), text)
    pieces = [m.group(0) for m in _RANGE.finditer(masked)]
    pieces += [w.strip("()+-") for w in _RANGE.sub(" ", masked).split()]
    for piece in pieces:
        if not piece:
            continue
        try:
            alone = parser.parse(piece)
        except Exception:  # a piece of a query need not parse alone
            continue
        if leaf in _expanding(alone):
            return piece
    return str(leaf)


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
    def norm(raw: str) -> str:
        name = tagmod.normalize(raw)
        if name is None:
            raise QuerySyntaxError(
                f"not a tag: {raw!r}", hint="Tags are letters, digits, _ - and /."
            )
        unknown = unknown_tag(index, name)
        if unknown is not None:
            warnings.append(unknown)
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
