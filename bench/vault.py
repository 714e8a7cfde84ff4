"""Generate a deterministic, realistic Markdown vault for the speed benchmark.

Usage:
    python bench/vault.py OUT_DIR --notes N [--seed S]

The notes look like the bundled sample notes (``notes/*/*.md``): an H1 title,
a ``**Tags:** `#a` `#b``` line, YAML front matter on about a fifth of the
notes, ``##``/``###`` sections (some ending in a backtick tag such as
``## Gotchas `#gotcha```), bullet lists with bold terms, paragraphs,
occasional fenced code blocks, tables and quotes, relative Markdown links
(``[t](../folder/note.md)``) and ``[[wiki links]]`` between notes (about 3 %
of them broken), nested tags (``#aws/s3``), about 60-120 lines per note, in
20-50 folders.

Vocabulary: the words of the sample notes and, when present, of
``../shared/corpora/obsidian-help-en`` (prose outside code), ranked by their
frequency there (with some jitter so the domain words of those corpora do not
dominate), plus a built-in list of technical terms, all sampled with a Zipf
(Zipf-Mandelbrot) distribution, so there are very common and very rare words.
A fixed word list runs out as a vault grows (a 10k-note vault would use every
word dozens of times and have no rare words), while real text keeps meeting
new words (Heaps' law): so 6 % of the running words come from an open-ended
derived lexicon (``resync``, ``subvault``, ``notelike``, then compounds such
as ``vaultsync``), Zipf-distributed over 4M forms. Each folder has topic terms
and each note a few key terms that it repeats, as real notes do (one of them a
compound, like a project name); a few unique tokens (dates, ticket ids,
versions) also make the term dictionary grow with the vault.

The output is a function of (harvested vocabulary, N, seed): the same inputs
give byte-identical vaults. Standard library only.
"""

from __future__ import annotations

import argparse
import itertools
import math
import posixpath
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_NOTES = REPO_ROOT / "notes"
SHARED_CORPUS = REPO_ROOT.parent / "shared/corpora/obsidian-help-en"

ZIPF_S = 1.05  # exponent of the Zipf-Mandelbrot law over word ranks
ZIPF_Q = 2.7  # its offset: flattens the head a little, as in real text
FRONT_MATTER_SHARE = 0.2
BROKEN_LINK_SHARE = 0.03
LINES_MIN, LINES_MAX = 60, 120


def _words(text: str) -> list[str]:
    """A word list written as text, for readability."""
    return text.split()


DERIVED_SHARE = 0.06  # share of running words drawn from the open-ended derived lexicon
DERIVED_SPACE = 1 << 22  # size of that lexicon
DERIVED_MARK = "\0"
PREFIXES = _words(
    "re un pre sub multi auto co de over inter non micro meta post super mis under self cross hyper"
)
SUFFIXES = _words("s ed ing er ers able ness less ful ize ized ization ment ly like wise")


TECH_TERMS = _words(
    """
api rest graphql grpc http https tcp udp dns tls ssl oauth jwt saml ldap kerberos cors csrf
xss sql nosql postgres postgresql mysql sqlite redis memcached mongodb cassandra dynamodb
elasticsearch opensearch kafka rabbitmq kinesis sqs sns pubsub nats zeromq websocket
docker container podman kubernetes kubectl helm kustomize istio envoy nginx haproxy traefik
terraform pulumi ansible puppet chef packer vagrant cloudformation cdk serverless lambda
fargate ecs eks ec2 s3 iam vpc subnet cidr nat gateway ingress egress loadbalancer
autoscaling cloudwatch prometheus grafana loki jaeger opentelemetry tracing metrics logging
alerting pagerduty runbook oncall incident postmortem sla slo sli latency throughput
bandwidth jitter backpressure ratelimit retry idempotency circuitbreaker bulkhead timeout
deadlock mutex semaphore goroutine coroutine async await eventloop threadpool futures
python rust golang typescript javascript java kotlin scala haskell elixir erlang clojure
ocaml zig cpp clang gcc llvm cmake bazel gradle maven npm yarn pnpm pip poetry conda venv
pytest unittest mypy ruff black flake8 eslint prettier webpack vite rollup esbuild babel
react vue svelte angular nextjs django flask fastapi rails laravel spring express htmx
tailwind css html dom svg canvas webgl wasm webassembly pwa ssr hydration
git rebase cherrypick bisect stash submodule monorepo trunk branch merge squash commit
linux kernel systemd cgroups namespaces ebpf iptables nftables selinux apparmor ssh rsync
cron bash zsh fish tmux vim neovim emacs vscode jetbrains regex awk sed grep ripgrep jq
json yaml toml xml csv parquet avro protobuf arrow orc hdf5 msgpack
pandas numpy scipy sklearn pytorch tensorflow keras jax xgboost lightgbm catboost onnx
transformer attention embedding tokenizer finetuning lora quantization distillation
inference training epoch batch gradient optimizer adam sgd dropout regularization
overfitting underfitting hyperparameter crossvalidation precision recall auc rmse
sagemaker bedrock vertex databricks snowflake bigquery redshift athena glue airflow
dagster prefect dbt spark flink beam hadoop hive presto trino duckdb clickhouse
vector faiss pinecone weaviate qdrant chroma retrieval reranking bm25 tfidf stemming
lemmatization ngram index shard replica partition compaction checkpoint snapshot wal
btree lsm bloomfilter hashmap trie heap queue stack graph dag topological dijkstra
cache ttl eviction lru cdn edge origin certificate acme letsencrypt vault secrets kms
encryption hashing bcrypt argon2 hmac sha256 rsa ecdsa pki mtls zerotrust rbac abac
audit compliance gdpr hipaa soc2 pentest cve sbom supplychain sigstore
ci cd pipeline github gitlab jenkins buildkite circleci artifact registry semver
changelog release rollback canary bluegreen featureflag abtest experiment
observability dashboard profiling flamegraph benchmark microbenchmark allocator
garbage collector refcount borrow lifetime ownership trait generic interface closure
iterator generator decorator dataclass pydantic orm migration schema normalization"""
)

STOPWORDS = frozenset(
    _words(
        """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up us
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves may tbd yet"""
    )
)

COMMON_HEADINGS = [
    "Key Concepts",
    "How It Works",
    "Setup",
    "Configuration",
    "Examples",
    "Troubleshooting",
    "Best Practices",
    "Pricing",
    "Limits",
    "Performance",
    "Use Cases",
    "Comparison",
    "Open Questions",
    "Commands",
    "Architecture",
    "Checklist",
    "Summary",
    "Notes",
    "Background",
    "Next Steps",
]
HEADING_TAGGED = [
    ("Gotchas", "gotcha"),
    ("Exam Tips", "exam-tip"),
    ("Security", "security"),
    ("Cost", "cost"),
    ("Hands-on Lab", "hands-on"),
    ("Ideas", "idea"),
    ("To Do", "todo"),
]
FLAT_TAGS = _words(
    """core important exam-tip gotcha hands-on cost security todo idea review reference
howto draft meeting til question performance debugging architecture interview book
reading-list snippet cheatsheet decision retro onboarding"""
)
NESTED_TAGS = _words(
    """aws/s3 aws/lambda aws/sagemaker aws/ec2 aws/iam aws/dynamodb lang/python
lang/rust lang/go lang/typescript db/postgres db/sqlite db/redis k8s/networking k8s/storage
ml/nlp ml/vision ml/tabular project/atlas project/hermes project/orion area/infra
area/frontend area/data status/wip status/done status/archived"""
)
FOLDER_NAMES = _words(
    """aws-services sagemaker mlops core-ml python rust golang typescript kubernetes
databases networking security frontend backend linux git observability data-engineering
machine-learning llm search distributed-systems devops terraform cloud-costs
interviews books papers reading meetings daily journal recipes cheatsheets
projects/atlas projects/hermes projects/orion projects/archive areas/infra areas/data
areas/platform people/team people/mentoring talks courses certifications homelab
research/retrieval research/evaluation templates inbox archive"""
)
CODE_LANGS = ["python", "sh", "yaml", "json", "sql", "rust", "go", "typescript"]
TICKET_PREFIXES = ["OPS", "DATA", "INFRA", "ML", "WEB", "SEC", "PLAT", "ADR"]
CHANGED_WORDS = ["revised", "updated", "checked", "clarified", "verified", "expanded"]

CODE_FENCE_RE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
URL_RE = re.compile(r"\(\S*?\)|<\S+?>|https?://\S+")
WORD_RE = re.compile(r"[A-Za-z][a-z]+(?:'[a-z]+)?|[A-Z]{2,6}s?")


def harvest(roots: Iterable[Path]) -> Counter[str]:
    """Word counts (surface forms) of the prose of every Markdown file under ``roots``."""
    counts: Counter[str] = Counter()
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.md")):
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            text = URL_RE.sub(" ", CODE_FENCE_RE.sub(" ", text))
            counts.update(WORD_RE.findall(text))
    return counts


def build_vocabulary(counts: Counter[str], rng: random.Random) -> list[str]:
    """Words in rank order (most frequent first): harvested prose words plus tech terms.

    Each word keeps its most frequent surface form (``SageMaker``, ``API``,
    ``the``). Stop words stay at the head; other ranks are jittered
    (log-normal) so the domain of the harvested corpora does not dominate, and
    the technical terms are spread log-uniformly over the ranks.
    """
    forms: dict[str, Counter[str]] = {}
    for word, n in counts.items():
        if 2 <= len(word) <= 24:
            forms.setdefault(word.lower(), Counter())[word] += n
    scored: list[tuple[float, str]] = []
    for key in sorted(forms):
        total = sum(forms[key].values())
        surface = max(sorted(forms[key]), key=lambda f: (forms[key][f], f.islower()))
        if not surface.islower() and forms[key][key] * 3 >= total and key in forms[key]:
            surface = key  # mostly lowercase: sentence-initial capitals are not names
        jitter = 1.0 if key in STOPWORDS else math.exp(rng.gauss(0.0, 0.7))
        scored.append((total / jitter, surface))
    scored.sort(key=lambda item: (-item[0], item[1]))
    words = [w for _, w in scored]
    known = {w.lower() for w in words}
    extra = [t for t in TECH_TERMS if t not in known]
    size = max(len(words), 200)
    for term in extra:
        rank = int(math.exp(rng.uniform(math.log(30), math.log(size))))
        words.insert(min(rank, len(words)), term)
    return words


def zipf_cum_weights(n: int) -> list[float]:
    return list(itertools.accumulate(1.0 / (r + ZIPF_Q) ** ZIPF_S for r in range(1, n + 1)))


def add_suffix(base: str, suffix: str) -> str:
    """English-looking suffixation: ``use+ing = using``, ``query+s = queries``."""
    if base.endswith("e") and suffix[0] in "aeiou":
        base = base[:-1]
    elif base.endswith("y") and len(base) > 2 and base[-2] not in "aeiou" and suffix[0] != "i":
        base = base[:-1] + ("ie" if suffix == "s" else "i")
    return base + suffix


class DerivedWords:
    """An open-ended lexicon: prefix+word, word+suffix, then word+word compounds.

    Real text keeps meeting new words as it grows (Heaps' law: names, jargon,
    compounds); a fixed list would run out, and a large vault would have no
    rare words. Index ``i`` maps to one word, the forms of frequent words
    first; draws follow Zipf with s=1 (log-uniform over ``DERIVED_SPACE``).
    """

    def __init__(self, words: Sequence[str], rng: random.Random) -> None:
        seen: set[str] = set()
        self.bases: list[str] = []
        for word in words:
            low = word.lower()
            if low.isalpha() and 3 <= len(low) <= 9 and low not in STOPWORDS and low not in seen:
                seen.add(low)
                self.bases.append(low)
        self.rng = rng
        self.n_affix = len(PREFIXES) + len(SUFFIXES)
        self.log_space = math.log(DERIVED_SPACE)

    @property
    def affixed(self) -> int:
        return self.n_affix * len(self.bases)

    def word(self, i: int) -> str:
        nb = len(self.bases)
        if i < self.affixed:
            b, a = divmod(i, self.n_affix)
            base = self.bases[b]
            if a < len(PREFIXES):
                return PREFIXES[a] + base
            return add_suffix(base, SUFFIXES[a - len(PREFIXES)])
        a, b = divmod(i - self.affixed, nb)
        return self.bases[a % nb] + self.bases[b]

    def draw(self) -> str:
        return self.word(int(math.exp(self.rng.random() * self.log_space)) - 1)


class WordStream:
    """Zipf-distributed words, drawn in large batches (fast).

    With ``derived``, a share of the draws (``DERIVED_SHARE``) comes from the
    open-ended derived lexicon instead of the word list.
    """

    def __init__(
        self,
        words: Sequence[str],
        rng: random.Random,
        derived: DerivedWords | None = None,
        batch: int = 1 << 16,
    ) -> None:
        self.words = list(words)
        self.cum = zipf_cum_weights(len(self.words))
        if derived is not None:
            self.words.append(DERIVED_MARK)
            self.cum.append(self.cum[-1] / (1.0 - DERIVED_SHARE))
        self.derived = derived
        self.rng = rng
        self.batch = batch
        self.buf: list[str] = []
        self.pos = 0

    def take(self, n: int) -> list[str]:
        if self.pos + n > len(self.buf):
            self.buf = self.rng.choices(self.words, cum_weights=self.cum, k=max(self.batch, n))
            if self.derived is not None:
                draw = self.derived.draw
                self.buf = [draw() if w == DERIVED_MARK else w for w in self.buf]
            self.pos = 0
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out


@dataclass(slots=True)
class Folder:
    path: str
    topic: list[str]
    tags: list[str]


@dataclass(slots=True)
class Plan:
    """A note decided before any is written, so links can point at real notes."""

    folder: Folder
    title: str
    slug: str
    key_terms: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"{self.folder.path}/{self.slug}.md"


def title_case(words: Iterable[str]) -> str:
    return " ".join(w if not w.islower() else w[:1].upper() + w[1:] for w in words)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "note"


class VaultWriter:
    """Writes one vault; all randomness comes from one seeded ``random.Random``."""

    def __init__(self, n_notes: int, seed: int, vocabulary: Sequence[str]) -> None:
        self.n = n_notes
        self.rng = random.Random(seed)
        self.vocab = list(vocabulary)
        self.derived = DerivedWords(self.vocab, self.rng)
        self.words = WordStream(self.vocab, self.rng, self.derived)
        content = [w for w in self.vocab if w.lower() not in STOPWORDS and len(w) >= 4]
        self.content = content
        self.content_stream = WordStream(content, self.rng)
        tags = FLAT_TAGS + NESTED_TAGS
        self.tag_pool = tags
        self.tag_cum = zipf_cum_weights(len(tags))
        self.folders = self._folders()
        self.plans = self._plans()

    # ---- planning -------------------------------------------------------------------

    def _folders(self) -> list[Folder]:
        count = min(self.n, max(20, min(50, self.n // 250)))
        names = FOLDER_NAMES[:]
        self.rng.shuffle(names)
        names = names[:count]
        tech = [t for t in TECH_TERMS if t.isalpha()]
        mid = self.content[50:2000] or self.content
        folders: list[Folder] = []
        for name in sorted(names):
            topic = self.rng.sample(tech, 12) + self.rng.sample(mid, min(8, len(mid)))
            tags = self.rng.sample(NESTED_TAGS, 2) + self.rng.sample(FLAT_TAGS, 2)
            folders.append(Folder(name, topic, tags))
        return folders

    def _plans(self) -> list[Plan]:
        weights = [1.0 / (i + 1) ** 0.8 for i in range(len(self.folders))]
        order = self.folders[:]
        self.rng.shuffle(order)
        chosen = self.rng.choices(order, weights=weights, k=self.n)
        for i, folder in enumerate(order[: self.n]):  # every folder gets a note
            chosen[i] = folder
        rare = self.content[len(self.content) // 3 :] or self.content
        seen: set[str] = set()
        plans: list[Plan] = []
        for folder in chosen:
            key_terms = [self.rng.choice(folder.topic), *self.rng.sample(rare, min(2, len(rare)))]
            key_terms.append(self.derived.word(self.rng.randrange(DERIVED_SPACE)))
            head = self.content_stream.take(self.rng.randint(1, 3))
            words = [key_terms[0], *head] if self.rng.random() < 0.7 else [*head, key_terms[1]]
            title = title_case(words)
            slug = base = slugify(title)
            k = 2
            while slug in seen:
                slug = f"{base}-{k}"
                k += 1
            seen.add(slug)
            plans.append(Plan(folder, title, slug, key_terms))
        return plans

    # ---- text pieces ----------------------------------------------------------------

    def tag(self) -> str:
        return self.rng.choices(self.tag_pool, cum_weights=self.tag_cum, k=1)[0]

    def note_tags(self, plan: Plan) -> list[str]:
        tags = [self.rng.choice(plan.folder.tags)]
        for _ in range(self.rng.randint(0, 3)):
            t = self.tag()
            if t not in tags:
                tags.append(t)
        return tags

    def phrase(self, plan: Plan, lo: int, hi: int) -> str:
        words = self.words.take(self.rng.randint(lo, hi))
        rng = self.rng
        for i in range(len(words)):
            r = rng.random()
            if r < 0.08:
                words[i] = rng.choice(plan.key_terms)
            elif r < 0.14:
                words[i] = rng.choice(plan.folder.topic)
        r = rng.random()
        if r < 0.25:
            i = rng.randrange(len(words))
            words[i] = f"**{words[i]}**"
        elif r < 0.33:
            i = rng.randrange(len(words))
            words[i] = f"`{self.identifier()}`"
        elif r < 0.36:
            words.append(self.unique_token())
        text = " ".join(words)
        return text[:1].upper() + text[1:]

    def identifier(self) -> str:
        a, b = self.content_stream.take(2)
        style = self.rng.random()
        if style < 0.5:
            return f"{a.lower()}_{b.lower()}"
        if style < 0.8:
            return f"{a.lower()}{b[:1].upper()}{b[1:].lower()}"
        return f"--{a.lower()}-{b.lower()}"

    def unique_token(self) -> str:
        r = self.rng.random()
        if r < 0.4:
            return f"{self.rng.choice(TICKET_PREFIXES)}-{self.rng.randint(100, 9999)}"
        if r < 0.75:
            return (
                f"{self.rng.randint(2019, 2026)}-{self.rng.randint(1, 12):02d}"
                f"-{self.rng.randint(1, 28):02d}"
            )
        return f"v{self.rng.randint(0, 9)}.{self.rng.randint(0, 30)}.{self.rng.randint(0, 20)}"

    def link(self, plan: Plan) -> str:
        """A link line to another note: Markdown (relative) or wiki; some are broken."""
        rng = self.rng
        target = rng.choice(self.plans)
        broken = rng.random() < BROKEN_LINK_SHARE
        if rng.random() < 0.7:
            rel = posixpath.relpath(target.path, plan.folder.path)
            if not rel.startswith("."):
                rel = f"./{rel}"
            if broken:
                rel = rel[:-3] + "-old.md"
            return f"[{target.title}]({rel})"
        name = target.slug + ("-draft" if broken else "")
        if rng.random() < 0.3:
            return f"[[{name}|{target.title}]]"
        return f"[[{name}]]"

    def bullet(self, plan: Plan) -> list[str]:
        rng = self.rng
        r = rng.random()
        if r < 0.45:
            term = title_case(self.content_stream.take(rng.randint(1, 2)))
            line = f"- **{term}** - {self.phrase(plan, 5, 14)}"
        elif r < 0.5:
            line = f"- See {self.link(plan)} for {self.phrase(plan, 2, 6).lower()}"
        else:
            line = f"- {self.phrase(plan, 6, 16)}"
        if rng.random() < 0.04:
            line += f" `#{self.tag()}`"
        elif rng.random() < 0.02:
            line += f" #{self.tag()}"
        lines = [line]
        if rng.random() < 0.2:
            label = rng.choice(["Input", "Note", "Example", "Why", "Default", "Fix"])
            lines.append(f"  - {label}: {self.phrase(plan, 4, 12).lower()}")
        return lines

    def paragraph(self, plan: Plan) -> list[str]:
        words: list[str] = []
        for _ in range(self.rng.randint(1, 3)):
            words.extend((self.phrase(plan, 8, 18) + ".").split(" "))
        lines, current = [], ""
        for word in words:
            if current and len(current) + 1 + len(word) > 90:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        if current:
            lines.append(current)
        return lines

    def code_block(self, plan: Plan) -> list[str]:
        rng = self.rng
        lang = rng.choice(CODE_LANGS)
        lines = [f"```{lang}"]
        for _ in range(rng.randint(3, 10)):
            r = rng.random()
            ident = self.identifier().lstrip("-").replace("-", "_")
            if r < 0.3:
                lines.append(f"# {self.phrase(plan, 3, 8).lower()}")
            elif r < 0.6:
                lines.append(f'{ident} = "{rng.choice(plan.folder.topic)}"')
            elif r < 0.8:
                lines.append(f"    {ident}({rng.randint(0, 512)}, {self.identifier()})")
            else:
                lines.append(f"{rng.choice(plan.folder.topic)} --{ident} {rng.randint(1, 64)}")
        lines.append("```")
        return lines

    def table(self, plan: Plan) -> list[str]:
        cols = self.rng.randint(2, 3)
        head = [title_case(self.content_stream.take(1)) for _ in range(cols)]
        lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * cols]
        for _ in range(self.rng.randint(2, 5)):
            cells = [self.phrase(plan, 1, 4) for _ in range(cols)]
            lines.append("| " + " | ".join(cells) + " |")
        return lines

    def body(self, plan: Plan, lines_wanted: int) -> list[str]:
        rng = self.rng
        out: list[str] = []
        while len(out) < lines_wanted:
            r = rng.random()
            if r < 0.62:
                out.extend(self.bullet(plan))
            elif r < 0.8 and (not out or not out[-1].startswith(("-", "  -"))):
                out.extend(self.paragraph(plan))
            elif r < 0.84:
                out.extend(["", *self.code_block(plan), ""])
            elif r < 0.87:
                out.extend(["", *self.table(plan), ""])
            elif r < 0.9:
                out.append(f"> {self.phrase(plan, 6, 14)}")
            elif r < 0.93:
                out.append(f"{rng.randint(1, 5)}. {self.phrase(plan, 5, 12)}")
            else:
                out.extend(self.bullet(plan))
        while out and out[-1] == "":
            out.pop()
        while out and out[0] == "":
            out.pop(0)
        return out

    def heading(self, plan: Plan, level: int, used: set[str]) -> str:
        rng = self.rng
        tag: str | None = None
        r = rng.random()
        if r < 0.12:
            text, tag = rng.choice(HEADING_TAGGED)
        elif r < 0.45:
            text = rng.choice(COMMON_HEADINGS)
        else:
            words = self.content_stream.take(rng.randint(1, 3))
            if rng.random() < 0.3:
                words[0] = rng.choice(plan.key_terms)
            text = title_case(words)
        if text in used:
            text = f"{text} {title_case(self.content_stream.take(1))}"
        used.add(text)
        if tag is None and rng.random() < 0.15:
            tag = rng.choice([self.tag(), *plan.folder.tags])
        return f"{'#' * level} {text}" + (f" `#{tag}`" if tag else "")

    # ---- notes ----------------------------------------------------------------------

    def note(self, plan: Plan) -> str:
        rng = self.rng
        tags = self.note_tags(plan)
        target = rng.randint(LINES_MIN, LINES_MAX)
        out: list[str] = []
        if rng.random() < FRONT_MATTER_SHARE:
            fm_tags = [t for t in tags if rng.random() < 0.8] or tags[:1]
            out += ["---", f"title: {plan.title}"]
            if rng.random() < 0.6:
                out.append(f"tags: [{', '.join(fm_tags)}]")
            else:
                out += ["tags:", *(f"  - {t}" for t in fm_tags)]
            if rng.random() < 0.3:
                out.append(f"aliases: [{plan.key_terms[0]}]")
            if rng.random() < 0.4:
                month, day = rng.randint(1, 12), rng.randint(1, 28)
                out.append(f"created: {rng.randint(2019, 2026)}-{month:02d}-{day:02d}")
            out.append("---")
        out += [f"# {plan.title}", "", "**Tags:** " + " ".join(f"`#{t}`" for t in tags), ""]
        out += ["## Overview", *self.paragraph(plan)]
        if rng.random() < 0.5:
            out += self.paragraph(plan)
        used = {"Overview", "Related Topics"}
        n_links = rng.randint(2, 6)
        while len(out) < target - n_links - 3:
            out += ["", self.heading(plan, 2, used)]
            out += self.body(plan, rng.randint(3, 9))
            if rng.random() < 0.3:
                out += ["", self.heading(plan, 3, used)]
                out += self.body(plan, rng.randint(2, 6))
        out += ["", "## Related Topics"]
        for _ in range(n_links):
            link = self.link(plan)
            described = rng.random() < 0.7
            out.append(f"- {link} - {self.phrase(plan, 2, 6)}" if described else f"- {link}")
        return "\n".join(out) + "\n"

    def write(self, out_dir: Path) -> int:
        """Write every note under ``out_dir``; return the number of bytes written."""
        total = 0
        made: set[str] = set()
        for plan in self.plans:
            folder = out_dir / plan.folder.path
            if plan.folder.path not in made:
                folder.mkdir(parents=True, exist_ok=True)
                made.add(plan.folder.path)
            data = self.note(plan).encode("utf-8")
            (folder / f"{plan.slug}.md").write_bytes(data)
            total += len(data)
        return total


def default_vocabulary(seed: int) -> list[str]:
    """The vocabulary from the sample notes (and the shared corpus when present)."""
    return build_vocabulary(harvest([SAMPLE_NOTES, SHARED_CORPUS]), random.Random(seed))


def lexicon(seed: int = 1) -> list[str]:
    """The words a vault of this seed is written with: the vocabulary, then derived forms.

    Compounds (the open end of the derived lexicon) are left out.
    """
    vocabulary = default_vocabulary(seed)
    derived = DerivedWords(vocabulary, random.Random(seed))
    return vocabulary + [derived.word(i) for i in range(derived.affixed)]


def generate(out_dir: Path, notes: int, seed: int = 1) -> dict[str, float | int | str]:
    """Generate a vault of ``notes`` notes into ``out_dir``; return a small summary."""
    started = time.perf_counter()
    vocabulary = default_vocabulary(seed)
    writer = VaultWriter(notes, seed, vocabulary)
    out_dir.mkdir(parents=True, exist_ok=True)
    size = writer.write(out_dir)
    return {
        "notes": notes,
        "seed": seed,
        "folders": len(writer.folders),
        "vocabulary": len(vocabulary),
        "bytes": size,
        "seconds": round(time.perf_counter() - started, 3),
        "corpus_used": str(SHARED_CORPUS) if SHARED_CORPUS.is_dir() else "",
    }


def touch_note(path: Path, serial: int) -> None:
    """Rewrite a note with one word changed (the last word of its last bullet line)."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    for i in range(len(lines) - 1, -1, -1):
        match = re.search(r"\b([a-z]{3,})\b(?=[^a-z]*$)", lines[i])
        if lines[i].startswith("- ") and match:
            word = match.group(1)
            new = CHANGED_WORDS[serial % len(CHANGED_WORDS)]
            if new == word:
                new = CHANGED_WORDS[(serial + 1) % len(CHANGED_WORDS)]
            lines[i] = lines[i][: match.start(1)] + new + lines[i][match.end(1) :]
            break
    else:
        lines.append(CHANGED_WORDS[serial % len(CHANGED_WORDS)])
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a realistic Markdown vault.")
    parser.add_argument("out_dir", type=Path, help="folder to write the notes into")
    parser.add_argument("--notes", type=int, required=True, help="number of notes")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    args = parser.parse_args(argv)
    if args.notes < 1:
        parser.error("--notes must be at least 1")
    if args.out_dir.exists() and any(args.out_dir.iterdir()):
        parser.error(f"{args.out_dir} exists and is not empty")
    summary = generate(args.out_dir, args.notes, args.seed)
    print(
        f"{summary['notes']} notes in {summary['folders']} folders, "
        f"{int(summary['bytes']) / 1e6:.1f} MB, vocabulary {summary['vocabulary']} words, "
        f"{summary['seconds']} s -> {args.out_dir}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
