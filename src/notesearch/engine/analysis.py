"""The text analyzer: one for indexing, for queries and for highlights.

A note's text is cut into *chunks*, runs of letters and digits (``.``, ``-``
and ``_`` inside a run join it, as in ``lambda_function.py``), and runs of
CJK characters (Han, Hiragana, Katakana, Hangul); a change of script ends a
chunk (``Training可以节省`` is ``Training`` and ``可以节省``).

- **Identifiers** split into their words: ``ReservedConcurrentExecutions``,
  ``maximum_retry_attempts`` and ``dead-letter-queue`` are indexed as their
  words at consecutive positions (so ``"retry attempts"`` is a phrase inside
  the identifier), and the whole identifier, joined (``deadletterqueue``), at
  the position of its last word. A query word that is an identifier becomes
  the phrase of its words (the whole is for a query typed in lowercase).
- **Folding**, on both sides: lowercase (``casefold``), NFKC (full-width
  Latin to ASCII, ligatures), accents dropped from Latin and Greek letters,
  ``ß`` -> ``ss``, ``æ`` -> ``ae``, ``œ`` -> ``oe``, ``ø`` -> ``o``.
- **CJK runs** become overlapping bigrams, one position each (``模型部署`` ->
  ``模型 型部 部署``), as Lucene's CJKBigramFilter makes them; a lone CJK
  character is a unigram. A query word of CJK characters is then the phrase
  of its bigrams, found inside any longer run. Korean particles need nothing
  more: ``모델을`` holds the bigram ``모델``.
- **Stop words and Porter stemming** apply to Latin words only; a word shorter
  than two characters is dropped unless it is part of an identifier.

The analysis of a chunk is cached (notes repeat their words), so the cost per
word is a dictionary look-up; regular expressions are compiled once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator
from functools import cache
from typing import Any

from whoosh.analysis import Composable, Token
from whoosh.lang.porter import stem as porter_stem

# Han (with 々 〆 〇), Hiragana, Katakana (with half-width forms), Hangul syllables and jamo.
CJK_CHARS = (
    "\u1100-\u11ff\u3005-\u3007\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff\uf900-\ufaff\uff66-\uff9f"
    "\U00020000-\U0002fa1f"
)
# Combining marks that belong to the letter before them (NFD "café", Indic vowel signs).
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0900-\u0963\u0966-\u0dff"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
)
# A run of word characters, joined by . and -; CJK runs inside it are cut out after
# (one class of CJK characters costs 1-2 ms to compile: it is used once, see _cjk_run).
_RUN = re.compile(f"[\\w{_MARKS}\u3099\u309a]+(?:[.\\-][\\w{_MARKS}\u3099\u309a]+)*")
_SEGMENT = re.compile(r"[^._\-]+")
_SIGNED = re.compile(r"[cCfF](?:#|\+\+)")  # where chunks() may find a language named with a sign
# Words of a mixed-case segment, matched on its case shape (A upper, a lower, 0 other):
# HTTPServer -> HTTP Server, getHTTPResponse -> get HTTP Response, S3Bucket -> S3 Bucket.
_CASE_WORD = re.compile(r"A+(?=Aa)|A?a+0*|A+0*|0+a*")
_STRIP = re.compile("[\u0300-\u036f]")  # accents, once decomposed (NFD)
_CJK_COMPAT = re.compile("[\uf900-\ufaff\uff66-\uff9f]")  # folded by NFKC
_SPECIAL = str.maketrans(
    {"æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "þ": "th", "ð": "d", "ı": "i"}
)
_CACHE_MAX = 200_000  # chunks remembered per analyzer before the cache starts over
_CACHED_LEN = 64  # longer chunks are analysed every time

# (text, start, end, position increment) of one token, offsets within its chunk.
Piece = tuple[str, int, int, int]


@cache
def _cjk_run() -> re.Pattern[str]:
    """A run of CJK characters, compiled on first use (1-2 ms: the compiler sets its 45,000
    code points one by one), which text all in ASCII never has."""
    return re.compile(f"[{CJK_CHARS}]+")


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a Han, kana or Hangul character."""
    return not text.isascii() and _cjk_run().search(text) is not None


# Languages named with a sign, which a word tokenizer would cut to one letter.
NAMED = {"c#": "csharp", "f#": "fsharp", "c++": "cpp"}


def chunks(text: str) -> Iterator[tuple[int, str, bool]]:
    """(offset, chunk, whether it is a CJK run) of each chunk of ``text``, in order."""
    for run in _RUN.finditer(text):
        word, base = run.group(0), run.start()
        if word.isascii() or _cjk_run().search(word) is None:
            if len(word) == 1 and word in "cCfF":
                for sign in ("#", "++"):
                    named = word + sign
                    if named.lower() in NAMED and text.startswith(sign, run.end()):
                        word = named
            yield base, word, False
            continue
        last = 0
        for cjk in _cjk_run().finditer(word):
            yield from _between(word, base, last, cjk.start())
            yield base + cjk.start(), cjk.group(0), True
            last = cjk.end()
        yield from _between(word, base, last, len(word))


def _between(word: str, base: int, start: int, end: int) -> Iterator[tuple[int, str, bool]]:
    """The letters between two CJK runs (or a run and an end), without the . and - at its ends."""
    piece = word[start:end]
    kept = piece.strip(".-")
    if kept:
        yield base + start + len(piece) - len(piece.lstrip(".-")), kept, False


def fold(text: str) -> str:
    """Lowercase ``text`` and fold its accents, ligatures and full-width forms."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", text).casefold().translate(_SPECIAL)
    if text.isascii():
        return text
    stripped = _STRIP.sub("", unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFC", stripped)


def _shape(ch: str) -> str:
    return "A" if ch.isupper() else "a" if ch.islower() else "0"


def split_words(segment: str) -> list[tuple[int, int]]:
    """The (start, end) of each word of an identifier segment (no ``. - _`` in it)."""
    if segment.islower() or segment.isupper() or segment[1:].islower() or len(segment) < 2:
        return [(0, len(segment))]
    shape = "".join(map(_shape, segment))
    return [m.span() for m in _CASE_WORD.finditer(shape)]


def cjk_pieces(run: str) -> list[Piece]:
    """Overlapping bigrams of a CJK run, one position each; a lone character alone."""
    norm = _nfkc if _CJK_COMPAT.search(run) else str
    if len(run) == 1:
        return [(norm(run), 0, 1, 1)]
    return [(norm(run[i : i + 2]), i, i + 2, 1) for i in range(len(run) - 1)]


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


class NoteAnalyzer(Composable):  # type: ignore[misc]
    """The analyzer of the text fields (see the module docstring).

    Args:
        stoplist: words dropped (Latin words only); empty for none.
        stem: Porter-stem Latin words.
        minsize: shorter words are dropped, unless part of an identifier.
    """

    def __init__(self, stoplist: Collection[str] = (), stem: bool = True, minsize: int = 2) -> None:
        self.stoplist = frozenset(stoplist)
        self.stem = stem
        self.minsize = minsize
        self._cache: dict[tuple[str, bool, bool, bool], list[Piece]] = {}
        self._steps: dict[str, tuple[tuple[str, int], ...]] = {}  # positions()' own
        self._stems: dict[str, str] = {}  # folded word -> its stem

    def __getstate__(self) -> dict[str, Any]:  # the index pickles its schema: not the cache
        return {"stoplist": self.stoplist, "stem": self.stem, "minsize": self.minsize}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._cache = {}
        self._steps = {}
        self._stems = {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoteAnalyzer) and self.__getstate__() == other.__getstate__()

    def __hash__(self) -> int:
        return hash((self.stoplist, self.stem, self.minsize))

    def __repr__(self) -> str:
        return f"NoteAnalyzer(stem={self.stem}, minsize={self.minsize}, stops={len(self.stoplist)})"

    def has_morph(self) -> bool:
        return self.stem

    def __call__(  # Whoosh's analyzer protocol
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        no_morph: bool = False,
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:  # a prefix, wildcard, fuzzy or range word: one token, folded
            token.text = self._word(fold(value), no_morph)
            token.original = value
            token.boost = 1.0
            token.stopped = False
            token.pos = start_pos
            token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        query = mode == "query"
        pos = start_pos - 1
        for base, chunk, cjk in chunks(value):
            for text, start, end, step in self._pieces(chunk, cjk, query, removestops, no_morph):
                pos += step
                token.text = text
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = chunk[start:end]
                if positions:
                    token.pos = pos
                if chars:
                    token.startchar = start_char + base + start
                    token.endchar = start_char + base + end
                yield token

    def positions(self, value: str) -> dict[str, list[int]]:
        """Each term of ``value`` with its positions, as indexing sees them.

        The same terms and positions as calling the analyzer with
        ``positions=True, mode="index"`` (tested), without a Token per word:
        what a build spends most of its analysis on.
        """
        if value.isascii() and _SIGNED.search(value) is None:
            words: Iterable[str] = _RUN.findall(value)  # the chunks, when no C# or CJK is near
        else:
            words = (chunk for _, chunk, _ in chunks(value))
        found: dict[str, list[int]] = {}
        steps_of = self._steps
        pos = -1
        for chunk in words:
            steps = steps_of.get(chunk)
            if steps is None:
                steps = tuple(
                    (text, step)
                    for text, _, _, step in self._analyse(chunk, has_cjk(chunk), False, True, False)
                )
                if len(chunk) <= _CACHED_LEN:
                    if len(steps_of) >= _CACHE_MAX:
                        steps_of.clear()
                    steps_of[chunk] = steps
            for text, step in steps:
                pos += step
                seen = found.get(text)
                if seen is None:
                    found[text] = [pos]
                else:
                    seen.append(pos)
        return found

    def tokens(self, value: str) -> list[tuple[str, int, int]]:
        """(term, start, end) of each token of ``value``, as indexing sees them.

        The same as calling the analyzer with ``chars=True, mode="index"``
        (tested), without a Token per word: what highlighting spends its time on.
        """
        found: list[tuple[str, int, int]] = []
        add = found.append
        pieces = self._pieces
        if value.isascii() and _SIGNED.search(value) is None:  # the chunks are the runs
            for run in _RUN.finditer(value):
                base = run.start()
                for text, start, end, _ in pieces(run.group(), False, False, True, False):
                    add((text, base + start, base + end))
            return found
        for base, chunk, cjk in chunks(value):
            for text, start, end, _ in pieces(chunk, cjk, False, True, False):
                add((text, base + start, base + end))
        return found

    def _pieces(
        self, chunk: str, cjk: bool, query: bool, removestops: bool, no_morph: bool
    ) -> list[Piece]:
        """The tokens of one chunk (remembered for short chunks)."""
        key = (chunk, query, removestops, no_morph)
        cache = self._cache
        pieces = cache.get(key)
        if pieces is None:
            pieces = self._analyse(chunk, cjk, query, removestops, no_morph)
            if len(chunk) <= _CACHED_LEN:
                if len(cache) >= _CACHE_MAX:
                    cache.clear()
                cache[key] = pieces
        return pieces

    def _analyse(
        self, chunk: str, cjk: bool, query: bool, removestops: bool, no_morph: bool
    ) -> list[Piece]:
        if cjk:
            return cjk_pieces(chunk)
        if chunk.lower() in NAMED:
            return [(NAMED[chunk.lower()], 0, len(chunk), 1)]
        return self._latin(chunk, query, removestops, no_morph)

    def _word(self, folded: str, no_morph: bool) -> str:
        if self.stem and not no_morph and folded.isascii():
            # Remembered by word: the chunks that hold it (any case, an
            # identifier's parts) are cached apart, and Porter's stemmer is
            # pure Python.
            stems = self._stems
            stemmed = stems.get(folded)
            if stemmed is None:
                stemmed = str(porter_stem(folded))
                if len(stems) >= _CACHE_MAX:
                    stems.clear()
                stems[folded] = stemmed
            return stemmed
        return folded

    def _latin(self, chunk: str, query: bool, removestops: bool, no_morph: bool) -> list[Piece]:
        """The tokens of a letter-and-digit chunk: a word, or an identifier's words and whole.

        The words take consecutive positions and the whole takes the last
        word's. A query gets the words, a phrase that matches wherever the
        words follow each other, in any spelling of the identifier
        (``lambda:InvokeFunctionUrl``, ``get_remaining_time_in_millis``);
        giving a query the whole instead measured worse on bench/relevance.py
        (Lambda MRR@10 0.791 instead of 0.800) and broke phrases around it.
        """
        spans: list[tuple[int, int]] = []
        for seg in _SEGMENT.finditer(chunk):
            offset = seg.start()
            spans.extend((offset + a, offset + b) for a, b in split_words(seg.group(0)))
        if len(spans) == 1 and spans[0] == (0, len(chunk)):
            folded = fold(chunk)
            if len(folded) < self.minsize or (folded in self.stoplist and removestops):
                return []
            return [(self._word(folded, no_morph), 0, len(chunk), 1)]
        folded_parts = [(fold(chunk[a:b]), a, b) for a, b in spans]
        parts = [
            (self._word(f, no_morph), a, b, 1)
            for f, a, b in folded_parts
            if not (removestops and f in self.stoplist)
        ]
        whole = self._word("".join(f for f, _, _ in folded_parts), no_morph)
        if query or any(text == whole for text, _, _, _ in parts):
            return parts
        return [*parts, (whole, 0, len(chunk), 0 if parts else 1)]
