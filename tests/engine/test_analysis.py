"""The analyzer (engine/analysis.py): tokens, positions and character offsets, as tables."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest

from notesearch.engine.analysis import NoteAnalyzer, fold, has_cjk
from notesearch.engine.schema import make_analyzer, make_path_analyzer

ANALYZER = make_analyzer()


def tokens(text: str, mode: str = "index") -> list[tuple[str, int, int, int]]:
    """(term, position, start, end) of each token."""
    return [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in ANALYZER(text, positions=True, chars=True, mode=mode)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # identifiers: the words at consecutive positions, the whole at the last word's
        (
            "ReservedConcurrentExecutions",
            [
                ("reserv", 0, 0, 8),
                ("concurr", 1, 8, 18),
                ("execut", 2, 18, 28),
                ("reservedconcurrentexecut", 2, 0, 28),
            ],
        ),
        (
            "maximum_retry_attempts",
            [
                ("maximum", 0, 0, 7),
                ("retri", 1, 8, 13),
                ("attempt", 2, 14, 22),
                ("maximumretryattempt", 2, 0, 22),
            ],
        ),
        (
            "dead-letter-queue retries",
            [
                ("dead", 0, 0, 4),
                ("letter", 1, 5, 11),
                ("queue", 2, 12, 17),
                ("deadletterqueu", 2, 0, 17),
                ("retri", 3, 18, 25),
            ],
        ),
        ("HTTPServer", [("http", 0, 0, 4), ("server", 1, 4, 10), ("httpserver", 1, 0, 10)]),
        ("S3Bucket", [("s3", 0, 0, 2), ("bucket", 1, 2, 8), ("s3bucket", 1, 0, 8)]),
        ("__init__", [("init", 0, 2, 6)]),
        # languages named with a sign: one word, not a dropped letter
        ("C# tracing", [("csharp", 0, 0, 2), ("trace", 1, 3, 10)]),
        ("C++ and F#", [("cpp", 0, 0, 3), ("fsharp", 1, 8, 10)]),
        ("C #gotcha", [("gotcha", 0, 3, 9)]),
        # folding: accents, ligatures, full-width Latin; offsets stay the note's
        ("résumé", [("resum", 0, 0, 6)]),
        ("Straße", [("strass", 0, 0, 6)]),
        ("über Æsir œuvre", [("uber", 0, 0, 4), ("aesir", 1, 5, 9), ("oeuvr", 2, 10, 15)]),
        ("ﬁle", [("file", 0, 0, 3)]),
        (
            "ＬａｍｂｄａＦｕｎｃｔｉｏｎ",
            [("lambda", 0, 0, 6), ("function", 1, 6, 14), ("lambdafunct", 1, 0, 14)],
        ),
        ("cafe\u0301", [("cafe", 0, 0, 5)]),  # NFD: the accent belongs to the word
        # CJK: overlapping bigrams, one position each; a lone character is a unigram
        (
            "模型部署完成后",
            [
                ("模型", 0, 0, 2),
                ("型部", 1, 1, 3),
                ("部署", 2, 2, 4),
                ("署完", 3, 3, 5),
                ("完成", 4, 4, 6),
                ("成后", 5, 5, 7),
            ],
        ),
        ("猫", [("猫", 0, 0, 1)]),
        (
            "エンドポイントを",
            [
                (t, i, i, i + 2)
                for i, t in enumerate(["エン", "ンド", "ドポ", "ポイ", "イン", "ント", "トを"])
            ],
        ),
        # Korean: the particle rides along, the word's bigram is there
        ("모델을 배포", [("모델", 0, 0, 2), ("델을", 1, 1, 3), ("배포", 2, 4, 6)]),
        # a change of script ends a token; CJK is not stemmed, Latin is
        (
            "Training可以节省",
            [("train", 0, 0, 8), ("可以", 1, 8, 10), ("以节", 2, 9, 11), ("节省", 3, 10, 12)],
        ),
        ("2024年", [("2024", 0, 0, 4), ("年", 1, 4, 5)]),
        # stop words and one-letter words go; positions close up behind them
        (
            "the spot training is a must",
            [("spot", 0, 4, 8), ("train", 1, 9, 17), ("must", 2, 23, 27)],
        ),
    ],
)
def test_index_tokens(text: str, expected: list[tuple[str, int, int, int]]) -> None:
    assert tokens(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ReservedConcurrentExecutions", ["reserv", "concurr", "execut"]),  # a phrase
        ("reservedconcurrentexecutions", ["reservedconcurrentexecut"]),  # typed in lowercase
        ("maximum_retry_attempts", ["maximum", "retri", "attempt"]),
        ("dead-letter-queue", ["dead", "letter", "queue"]),  # hyphens: the phrase of words
        ("ADR-016", ["adr", "016"]),
        ("resume", ["resum"]),
        ("strasse", ["strass"]),
        ("部署", ["部署"]),
        ("部署完成", ["部署", "署完", "完成"]),
        ("모델", ["모델"]),
    ],
)
def test_query_tokens(text: str, expected: list[str]) -> None:
    assert [t for t, *_ in tokens(text, mode="query")] == expected


def test_a_word_not_tokenized_is_folded_and_stemmed() -> None:
    """Prefix, wildcard and fuzzy words reach the analyzer whole (tokenize=False)."""
    assert [t.text for t in ANALYZER("Résumés", tokenize=False)] == ["resum"]
    assert [t.text for t in ANALYZER("Résumés", tokenize=False, no_morph=True)] == ["resumes"]


def test_path_words_are_folded_not_stemmed() -> None:
    path = make_path_analyzer()
    assert [t.text for t in path("notes/résumé-training/模型部署.md")] == [
        "notes",
        "resume",
        "training",
        "resumetraining",
        "模型",
        "型部",
        "部署",
        "md",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Straße", "strasse"),
        ("ÆØÅ", "aeoa"),
        ("Ｗｉｆｉ", "wifi"),
        ("が", "が"),
        ("한국어", "한국어"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("text", "cjk"),
    [
        ("模型", True),
        ("abcモデル", True),
        ("모델", True),
        ("𠀋", True),  # beyond the BMP
        ("résumé", False),
        ("Ｗｉｆｉ", False),
        ("", False),
        ("plain ascii c++ words", False),
    ],
)
def test_has_cjk(text: str, cjk: bool) -> None:
    assert has_cjk(text) is cjk


def test_ascii_text_never_compiles_the_cjk_class() -> None:
    """Its class costs a cold query 1-2 ms to compile: only text with non-ASCII needs it."""
    code = (
        "from notesearch.engine import analysis\n"
        "from notesearch.engine.highlight import ANALYZER\n"
        "ANALYZER.tokens('Spot training, S3Bucket and C# notes.')\n"
        "ANALYZER.positions('Spot training, S3Bucket and C# notes.')\n"
        "analysis.has_cjk('training')\n"
        "before = analysis._cjk_run.cache_info().currsize\n"
        "ANALYZER.tokens('モデル training')\n"
        "print(before, analysis._cjk_run.cache_info().currsize)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.split() == ["0", "1"]


def test_the_analyzer_pickles_without_its_cache() -> None:
    """The index stores its schema pickled: the cache must not go with it."""
    list(ANALYZER("some words to fill the cache"))
    copy = pickle.loads(pickle.dumps(ANALYZER))
    assert copy == ANALYZER and isinstance(copy, NoteAnalyzer)
    assert copy._cache == {}
    assert [t.text for t in copy("ReservedConcurrentExecutions")] == [
        t.text for t in ANALYZER("ReservedConcurrentExecutions")
    ]
