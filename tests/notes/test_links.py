"""links: slugs, markdown/wiki link parsing, NoteSet lookup and resolution."""

from __future__ import annotations

import posixpath

import pytest

from notesearch.models import Link
from notesearch.notes.links import (
    NoteSet,
    SlugMaker,
    is_external,
    markdown_link,
    slugify,
    split_anchor,
    wiki_link,
)
from notesearch.settings import NOTE_SUFFIXES


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        pytest.param("Hello World", "hello-world", id="spaces"),
        pytest.param("Hello World!", "hello-world", id="punctuation-dropped"),
        pytest.param("  Trimmed  ", "trimmed", id="trimmed"),
        pytest.param("Built-in Algorithms", "built-in-algorithms", id="hyphen-kept"),
        pytest.param("What's new?", "whats-new", id="apostrophe"),
        pytest.param("C++ & Go", "c--go", id="github-double-hyphen"),
        pytest.param("snake_case", "snake_case", id="underscore-kept"),
        pytest.param("Café Über", "café-über", id="unicode-kept"),
        pytest.param("日本語", "日本語", id="cjk"),
        pytest.param("", "", id="empty"),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize(
    ("headings", "slugs"),
    [
        pytest.param(["x", "x", "x"], ["x", "x-1", "x-2"], id="repeats"),
        pytest.param(["X", "x", "X!"], ["x", "x-1", "x-2"], id="same-slug-different-text"),
        pytest.param(["a", "b", "a"], ["a", "b", "a-1"], id="interleaved"),
        pytest.param(["x", "x-1", "x"], ["x", "x-1", "x-2"], id="explicit-suffix-taken"),
        pytest.param(["x", "x", "x-1"], ["x", "x-1", "x-1-1"], id="suffix-collides"),
    ],
)
def test_slugmaker_is_unique(headings: list[str], slugs: list[str]) -> None:
    maker = SlugMaker()
    made = [maker(h) for h in headings]
    assert made == slugs
    assert len(set(made)) == len(made)


def test_slugmakers_are_independent() -> None:
    first, second = SlugMaker(), SlugMaker()
    assert first("x") == "x"
    assert second("x") == "x"


@pytest.mark.parametrize(
    ("target", "path", "anchor"),
    [
        pytest.param("./a.md", "x/a.md", None, id="dot-slash"),
        pytest.param("a.md", "x/a.md", None, id="bare"),
        pytest.param("../b/c.md", "b/c.md", None, id="parent"),
        pytest.param("sub/d.md", "x/sub/d.md", None, id="subfolder"),
        pytest.param("my%20note.md", "x/my note.md", None, id="percent-20"),
        pytest.param("caf%C3%A9.md", "x/café.md", None, id="percent-utf8"),
        pytest.param("a.md#Some%20Heading", "x/a.md", "Some Heading", id="anchor-decoded"),
        pytest.param("#anchor", "x/y.md", "anchor", id="anchor-only-is-self"),
        pytest.param("a.md?raw=1", "x/a.md", None, id="query-dropped"),
        pytest.param("..\\b\\c.md", "b/c.md", None, id="backslashes"),
        pytest.param("img/p.png", "x/img/p.png", None, id="asset"),
        pytest.param("./../x/./a.md", "x/a.md", None, id="dots-normalised"),
    ],
)
def test_markdown_link_relative(target: str, path: str, anchor: str | None) -> None:
    link = markdown_link("x/y.md", target, 7)
    assert link == Link(
        kind="markdown", raw=target, line=7, path=path, anchor=anchor, outside=False
    )


def test_markdown_link_from_root_note() -> None:
    assert markdown_link("top.md", "./a.md", 1).path == "a.md"


def test_markdown_image_is_embed() -> None:
    link = markdown_link("x/y.md", "p.png", 3, embed=True)
    assert link.kind == "embed"
    assert link.path == "x/p.png"


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("https://example.com/a.md", id="https"),
        pytest.param("http://example.com", id="http"),
        pytest.param("HTTPS://EXAMPLE.COM", id="upper-scheme"),
        pytest.param("mailto:me@example.com", id="mailto"),
        pytest.param("javascript:alert(1)", id="javascript"),
        pytest.param("//host/path", id="protocol-relative"),
        pytest.param("obsidian://open?vault=x", id="app-scheme"),
        pytest.param("file:///etc/passwd", id="file-url"),
    ],
)
def test_markdown_link_external(target: str) -> None:
    assert is_external(target)
    link = markdown_link("x/y.md", target, 2)
    assert link.kind == "external"
    assert link.path is None
    assert link.raw == target


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("../../etc/passwd", id="dotdot"),
        pytest.param("%2e%2e/%2e%2e/x", id="encoded-dotdot"),
        pytest.param("%2E%2E%2F%2E%2E%2Fx", id="encoded-slashes"),
        pytest.param("~/x", id="home"),
        pytest.param("..\\..\\x", id="backslash-dotdot"),
        pytest.param("C:/x", id="drive-slash"),
        pytest.param("c:\\x", id="drive-backslash"),
        pytest.param("../..", id="dotdot-folder"),
        pytest.param("a%00.md", id="nul"),
        pytest.param("../../etc/passwd#frag", id="dotdot-with-anchor"),
    ],
)
def test_markdown_link_outside_root(target: str) -> None:
    assert not is_external(target)
    link = markdown_link("x/y.md", target, 1)
    assert link.kind == "markdown"
    assert link.outside is True
    assert link.path is None


@pytest.mark.parametrize(
    "target",
    ["/etc/passwd", "/../../etc/passwd", "\\\\host\\share\\x.md", "a/../../../../b"],
)
def test_markdown_link_never_escapes_root(target: str) -> None:
    link = markdown_link("x/y.md", target, 1)
    if not link.outside:
        assert link.path is not None
        assert not link.path.startswith(("/", "../"))
        assert link.path != ".."


def test_vault_absolute_link() -> None:
    assert markdown_link("x/y.md", "/notes/a.md", 1).path == "notes/a.md"


@pytest.mark.parametrize(
    ("target", "path", "anchor"),
    [
        pytest.param("a.md#h", "a.md", "h", id="path-and-anchor"),
        pytest.param("a.md", "a.md", None, id="no-anchor"),
        pytest.param("#h", "", "h", id="anchor-only"),
        pytest.param("a.md#h#i", "a.md", "h#i", id="second-hash-kept"),
    ],
)
def test_split_anchor(target: str, path: str, anchor: str | None) -> None:
    assert split_anchor(target) == (path, anchor)


@pytest.mark.parametrize(
    ("target", "anchor"),
    [
        pytest.param("Note", None, id="bare"),
        pytest.param("Note|alias", None, id="alias"),
        pytest.param("Note#Heading", "Heading", id="heading"),
        pytest.param("Note#Heading|alias", "Heading", id="heading-alias"),
        pytest.param("Note#Heading |alias", "Heading", id="heading-stripped"),
        pytest.param("Note^block", "^block", id="block"),
        pytest.param("Note#^block", "^block", id="hash-block"),
        pytest.param("#Heading", "Heading", id="same-note-heading"),
        pytest.param("Note|alias#notanchor", None, id="hash-in-alias"),
        pytest.param("folder/Note.md#H", "H", id="folder-ext"),
    ],
)
def test_wiki_link(target: str, anchor: str | None) -> None:
    link = wiki_link(target, 4)
    assert link == Link(kind="wiki", raw=target, line=4, path=None, anchor=anchor)
    assert wiki_link(target, 4, embed=True).kind == "embed"


NOTES = [
    "note.md",
    "a/note.md",
    "b/note.md",
    "deep/er/note.md",
    "a/Other.md",
    "zz/other.md",
    "z/Deep.markdown",
    "long-folder-name/solo.md",
]
ASSETS = ["pics/img.png", "img.png", "a/img.png"]


@pytest.fixture
def note_set() -> NoteSet:
    return NoteSet(NOTES, ASSETS)


@pytest.mark.parametrize(
    ("name", "source", "expected"),
    [
        pytest.param("note", "c/q.md", "note.md", id="bare-shortest"),
        pytest.param("note", "b/q.md", "b/note.md", id="bare-same-folder-first"),
        pytest.param("note", "deep/er/q.md", "deep/er/note.md", id="same-folder-beats-depth"),
        pytest.param("note.md", "c/q.md", "note.md", id="with-extension"),
        pytest.param("Note.MD", "a/q.md", "a/note.md", id="extension-case-insensitive"),
        pytest.param("NOTE", "c/q.md", "note.md", id="case-insensitive"),
        pytest.param("a/note", "b/q.md", "a/note.md", id="folder"),
        pytest.param("b/note.md", "a/q.md", "b/note.md", id="folder-extension"),
        pytest.param("er/note", "q.md", "deep/er/note.md", id="partial-folder"),
        pytest.param("/a/note", "q.md", "a/note.md", id="leading-slash"),
        pytest.param("other", "q.md", "a/Other.md", id="tie-shorter-path"),
        pytest.param("other", "zz/q.md", "zz/other.md", id="tie-same-folder"),
        pytest.param("deep", "q.md", "z/Deep.markdown", id="markdown-suffix"),
        pytest.param("solo", "q.md", "long-folder-name/solo.md", id="only-one"),
        pytest.param("img.png", "q.md", "img.png", id="asset-shortest"),
        pytest.param("img.png", "a/q.md", "a/img.png", id="asset-same-folder"),
        pytest.param("missing", "q.md", None, id="missing"),
        pytest.param("img", "q.md", None, id="asset-needs-extension"),
        pytest.param("r/note", "q.md", None, id="partial-folder-name-no-match"),
        pytest.param("", "a/q.md", "a/q.md", id="empty-is-self"),
        pytest.param("A/OTHER", "q.md", "a/Other.md", id="folder-case-insensitive"),
        pytest.param("z/deep", "q.md", "z/Deep.markdown", id="folder-markdown-suffix"),
        pytest.param("deep/er/note.md", "q.md", "deep/er/note.md", id="whole-path"),
        pytest.param("pics/img.png", "a/q.md", "pics/img.png", id="asset-folder"),
        pytest.param("deep/er", "q.md", None, id="a-folder-is-no-note"),
        pytest.param("er", "q.md", None, id="a-folder-name-is-no-note"),
    ],
)
def test_find_wiki(note_set: NoteSet, name: str, source: str, expected: str | None) -> None:
    assert note_set.find_wiki(name, source) == expected


def _find_wiki_by_every_key(files: list[str], name: str, source: str) -> str | None:
    """find_wiki as it was, over a map of every file by its name and by its whole path
    (each with and without the note extension), in sorted order."""
    names: dict[str, list[str]] = {}
    for path in sorted(files):
        lowered = path.lower()
        base = posixpath.basename(lowered)
        keys = {base, lowered}
        for suffix in NOTE_SUFFIXES:
            if base.endswith(suffix):
                keys.update((base[: -len(suffix)], lowered[: -len(suffix)]))
        for key in keys:
            names.setdefault(key, []).append(path)
    key = name.strip().replace("\\", "/").lstrip("/").lower()
    if not key:
        return source
    candidates = names.get(key, [])
    if "/" in key:
        candidates = [
            p
            for p in names.get(posixpath.basename(key), [])
            if p.lower() == key
            or p.lower().endswith("/" + key)
            or any(
                p.lower() in (key + s,) or p.lower().endswith("/" + key + s) for s in NOTE_SUFFIXES
            )
        ]
    if not candidates:
        return None
    folder = posixpath.dirname(source)
    return min(candidates, key=lambda p: (posixpath.dirname(p) != folder, p.count("/"), len(p), p))


def test_find_wiki_is_what_a_map_of_every_path_found() -> None:
    """The name map holds file names only: the same answer for every kind of name."""
    files = [*NOTES, *ASSETS, "x.md.md", "Top.MD", "a/b/c/Top.md", "n/README.markdown"]
    names = {""}
    for path in files:
        parts = path.split("/")
        for i in range(len(parts)):
            tail = "/".join(parts[i:])
            names |= {tail, tail.upper(), "/" + tail, tail.rsplit(".", 1)[0]}
    assert len(names) > 60
    extra = ["x.md.md", "Top.MD", "a/b/c/Top.md", "n/README.markdown"]
    note_set = NoteSet([*NOTES, *extra], ASSETS)
    for source in ("q.md", "a/q.md", "a/b/c/q.md", "zz/q.md"):
        for name in sorted(names):
            assert note_set.find_wiki(name, source) == _find_wiki_by_every_key(
                files, name, source
            ), (name, source)


def test_find_wiki_shortest_path_at_same_depth() -> None:
    notes = NoteSet(["longer-folder/n.md", "ab/n.md"])
    assert notes.find_wiki("n", "q.md") == "ab/n.md"


@pytest.mark.parametrize(
    ("link", "source", "path", "exists"),
    [
        pytest.param(wiki_link("note", 1), "b/q.md", "b/note.md", True, id="wiki"),
        pytest.param(
            wiki_link("a/note#H|alias", 1), "q.md", "a/note.md", True, id="wiki-heading-alias"
        ),
        pytest.param(wiki_link("note^blk", 1), "q.md", "note.md", True, id="wiki-block"),
        pytest.param(wiki_link("#Heading", 1), "a/note.md", "a/note.md", True, id="wiki-self"),
        pytest.param(wiki_link("nope", 1), "q.md", None, False, id="wiki-missing"),
        pytest.param(wiki_link("img.png", 1, embed=True), "a/q.md", "a/img.png", True, id="embed"),
        pytest.param(markdown_link("a/q.md", "./note.md", 1), "a/q.md", "a/note.md", True, id="md"),
        pytest.param(
            markdown_link("a/q.md", "note", 1), "a/q.md", "a/note.md", True, id="md-no-extension"
        ),
        pytest.param(
            markdown_link("a/q.md", "gone.md", 1), "a/q.md", "a/gone.md", False, id="md-missing"
        ),
        pytest.param(
            markdown_link("q.md", "pics/img.png", 1, embed=True),
            "q.md",
            "pics/img.png",
            True,
            id="image-asset",
        ),
        pytest.param(
            markdown_link("a/q.md", "#h", 1), "a/q.md", "a/q.md", False, id="self-not-in-set"
        ),
    ],
)
def test_resolve_fills_path_and_exists(
    note_set: NoteSet, link: Link, source: str, path: str | None, exists: bool
) -> None:
    resolved = note_set.resolve(link, source)
    assert resolved.path == path
    assert resolved.exists is exists
    assert resolved.kind == link.kind
    assert resolved.anchor == link.anchor


@pytest.mark.parametrize(
    "link",
    [
        pytest.param(markdown_link("a/q.md", "https://x.org", 1), id="external"),
        pytest.param(markdown_link("a/q.md", "../../etc/passwd", 1), id="outside"),
    ],
)
def test_resolve_leaves_external_and_outside_alone(note_set: NoteSet, link: Link) -> None:
    resolved = note_set.resolve(link, "a/q.md")
    assert resolved == link
    assert resolved.exists is False


def test_noteset_exists() -> None:
    notes = NoteSet(["a.md"], ["b.png"])
    assert notes.exists("a.md")
    assert notes.exists("b.png")
    assert not notes.exists("c.md")
    assert not notes.exists(None)
