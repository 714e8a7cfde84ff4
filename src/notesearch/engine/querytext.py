"""Checks on a query string before Whoosh sees it.

Whoosh's parser is forgiving to a fault: an unbalanced quote or parenthesis,
a dangling ``AND`` or a misspelt field name quietly becomes a different query.
A search tool used in pipelines must instead say what is wrong, so these
checks run first and raise :class:`QuerySyntaxError` with the position.
They also bound the text Whoosh's parser sees: its taggers took 16 s on one
40,000-character word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import QuerySyntaxError
from ..records import record

FIELDS = ("title", "heading", "tag", "path", "link", "body")
ALIASES = {"tags": "tag", "links": "link", "headings": "heading", "file": "path", "text": "body"}
OPERATORS = ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE")
_FIELD = re.compile(r"(?:(?<=[\s(\-+])|^)([A-Za-z]+):(?=[^\s:/])")
# A field name with nothing after its colon (``tag:`` at the end, or before a space).
_EMPTY_FIELD = re.compile(r"(?:(?<=[\s(\-+])|^)([A-Za-z]+):(?=$|[\s)])")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")

# An identifier as typed: word characters joined by . - _ or :, or in mixed case
# (``getRemainingTimeInMillis``, ``AWS_LAMBDA_EXEC_WRAPPER``, ``Runtime.ImportModuleError``).
_CHUNK = re.compile(r"\w+(?:[.\-_:]\w+)*")
_JOINED = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]|\w[.\-_:]\w")

MAX_QUERY = 2000  # characters in a whole query
MAX_WORD = 256  # characters in one word (a run without white space)
_LONG_WORD = re.compile(rf"\S{{{MAX_WORD + 1},}}")


@record
class Word:
    """A plain word of the query (not an operator, not a field name)."""

    start: int
    end: int
    text: str


def distance(a: str, b: str) -> int:
    """Levenshtein edit distance."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            row.append(min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = row
    return previous[-1]


def _fail(query: str, pos: int, message: str) -> QuerySyntaxError:
    return QuerySyntaxError(f"{message} at column {pos + 1} of query {query!r}")


def check(query: str) -> None:
    """Raise QuerySyntaxError when the query cannot mean what its writer meant."""
    if not query.strip():
        raise QuerySyntaxError(
            "empty query", hint='Give some words, e.g. notesearch query "spot training".'
        )
    check_size(query)
    depth_stack: list[int] = []
    quote_at: int | None = None
    for pos, ch in enumerate(query):
        if ch == '"':
            quote_at = None if quote_at is not None else pos
        elif quote_at is None and ch == "(":
            depth_stack.append(pos)
        elif quote_at is None and ch == ")":
            if not depth_stack:
                raise _fail(query, pos, "unmatched ')'")
            depth_stack.pop()
    if quote_at is not None:
        raise _fail(query, quote_at, "unclosed '\"'")
    if depth_stack:
        raise _fail(query, depth_stack[-1], "unclosed '('")

    outside = mask_quotes(query)
    for match in _FIELD.finditer(outside):
        name = match.group(1)
        lowered = name.lower()
        if lowered in FIELDS or lowered in ALIASES:
            continue
        near = [f for f in (*FIELDS, *ALIASES) if distance(lowered, f) <= (1 if len(f) <= 4 else 2)]
        if near:
            raise QuerySyntaxError(
                f"unknown field '{name}:' at column {match.start(1) + 1} of query {query!r}",
                hint=f'Did you mean {near[0]}:? To search the text itself, quote it: "{name}:...".',
            )

    for match in _EMPTY_FIELD.finditer(outside):
        name = match.group(1)
        if name.lower() in FIELDS or name.lower() in ALIASES:
            raise QuerySyntaxError(
                f"'{name}:' has nothing after it at column {match.start(1) + 1} of query {query!r}",
                hint=f"Write the value right after the colon, e.g. {name}:word.",
            )

    tokens = [(m.start(), m.group(0)) for m in re.finditer(r"\S+", outside)]
    bare = [(pos, tok) for pos, tok in tokens if tok.strip("()") in OPERATORS]
    for pos, tok in bare:
        op = tok.strip("()")
        idx = next(i for i, (p, _) in enumerate(tokens) if p == pos)
        if idx == len(tokens) - 1 or tokens[idx + 1][1].startswith(")"):
            raise _fail(query, pos, f"{op} needs a term after it")
        if op != "NOT" and (idx == 0 or tokens[idx - 1][1].endswith("(")):
            raise _fail(query, pos, f"{op} needs a term before it")


def check_size(query: str) -> None:
    """Raise QuerySyntaxError for a query or a word too long to be a search.

    The message quotes only the start of the text: a 40,000-character query
    is not repeated back on one line.
    """
    if len(query) > MAX_QUERY:
        raise QuerySyntaxError(
            f"the query is {len(query):,} characters long, more than {MAX_QUERY:,}; shorten it"
        )
    long = _LONG_WORD.search(query)
    if long is not None:
        raise QuerySyntaxError(
            f"the word at column {long.start() + 1} ({long.group(0)[:20]!r}...) is "
            f"{len(long.group(0)):,} characters long, more than {MAX_WORD}; shorten it"
        )


def mask_quotes(query: str) -> str:
    """The query with quoted text replaced by spaces (same length)."""
    return re.sub(r'"[^"]*"', lambda m: " " * len(m.group(0)), query)


def _text_tokens(query: str) -> Iterator[tuple[str, int, int]]:
    """The white-space separated tokens of the query that search text, as (token,
    start, end): operators and the values of fields other than text fields left
    out, a text field's value without its name (``heading:spot``: ``spot``). A
    name that is no field (``lambda:InvokeFunctionUrl``) is searched as text, so
    it stays in its token."""
    for match in re.finditer(r"\S+", query):
        token = match.group(0)
        if token.strip("()") in OPERATORS:
            continue
        start = match.start()
        field = _FIELD.match(query, start)
        if field is not None:
            name = field.group(1).lower()
            if name in FIELDS or name in ALIASES:
                if ALIASES.get(name, name) not in ("title", "heading", "body"):
                    continue
                start = field.end()
        yield query[start : match.end()], start, match.end()


def words(query: str) -> list[Word]:
    """The plain words a user typed: for spelling suggestions.

    Skips operators, field names, field values other than text fields, and
    words with wildcard or fuzzy suffixes.
    """
    found: list[Word] = []
    for token, start, end in _text_tokens(query):
        if token.endswith(("*", "?")) or re.search(r"~\d*$", token):
            continue
        for word in _WORD.finditer(query, start, end):
            if not word.group(0).isdigit():
                found.append(Word(word.start(), word.end(), word.group(0)))
    return found


def identifiers(query: str) -> list[str]:
    """The identifiers the query writes, as typed, for :mod:`.rank`.

    An identifier is a run of word characters joined by ``.``, ``-``, ``_``
    or ``:``, or written in mixed case (``getRemainingTimeInMillis``,
    ``lambda:InvokeFunctionUrl``, ``X-Ray``); a plain word (``lambda``,
    ``EFS``) is none. Operators, excluded words (``-word``), words with a
    wildcard or fuzzy suffix and the values of fields other than text fields
    are skipped; a text field's name (``heading:``) is not part of its value.
    """
    found: list[str] = []
    for token, _, _ in _text_tokens(query):
        token = token.lstrip('(+"')
        if re.match(r"-(?!-)", token) or token.rstrip(')"').endswith(("*", "?")):
            continue
        if re.search(r"~\d*\)*$", token):
            continue
        for chunk in _CHUNK.findall(token):
            if _JOINED.search(chunk) and chunk not in found:
                found.append(chunk)
    return found
