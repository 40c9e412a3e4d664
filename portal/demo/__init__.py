"""Demo content for `python manage.py load_demo`, read from the Markdown files beside this module.

Sample patient education about SPRAVATO (esketamine) nasal spray, written in plain language from the US
Prescribing Information and Medication Guide. Every page says it is sample content, not medical advice.

File format (no YAML here: a small front matter of `key: value` lines between two `---` lines):

- `articles/<any>.md`: front matter `title`, `slug`, `summary`, `checked_against`; the Markdown body follows.
- `faq/<any>.md`: one FAQ topic. Front matter `title`, `slug`, `position`, `intro`, `checked_against`; then
  each `## Question? {#anchor}` line starts an entry whose answer runs to the next `## ` line.
- Translations, in a folder per language (`articles/es/`, `faq/es/`): an article's front matter names its
  `source` (the English article's slug) with `title`, `summary`, `checked_against`; an FAQ file names its `source`
  topic, the topic page's `title` and `intro` in that language, and `checked_against`; each `## Pregunta?
  {#anchor}` uses the anchor of the English question it translates. Written plainly in that language (not word
  for word), and also marked as sample content.
"""

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent
SAMPLE_NOTICE = "Sample content for demonstration. This is not medical advice."
# Article files in the order a new patient should read them.
ARTICLE_FILES = ("how-spravato-works.md", "treatment-day.md", "side-effects-and-safety.md")

FRONT_MATTER_RE = re.compile(r"\A---\n(?P<meta>.*?)\n---\n(?P<body>.*)\Z", re.S)
QUESTION_RE = re.compile(r"^## +(?P<question>.+?) +\{#(?P<slug>[a-z0-9-]+)\} *$", re.M)


class DemoContentError(ValueError):
    """A demo content file does not follow the format above."""


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    title: str
    summary: str
    body: str
    checked_against: str
    # Teach-back questions (portal.content.teachback format), from teach_back/<article file name>.txt if present.
    teach_back: str = ""


@dataclass(frozen=True)
class DemoFaqEntry:
    slug: str
    question: str
    answer: str
    position: int


@dataclass(frozen=True)
class DemoFaqTopic:
    slug: str
    title: str
    intro: str
    position: int
    checked_against: str
    entries: tuple[DemoFaqEntry, ...]


def parse_front_matter(text, *, source, required):
    """Split `text` into (meta dict, body); every key in `required` must be present and non-empty."""
    match = FRONT_MATTER_RE.match(text.replace("\r\n", "\n"))
    if not match:
        raise DemoContentError(f"{source}: must start with a front matter block between two '---' lines")
    meta = {}
    for number, line in enumerate(match["meta"].splitlines(), start=2):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            raise DemoContentError(f"{source}, line {number}: expected 'key: value', got {line!r}")
        meta[key.strip()] = value.strip()
    missing = [key for key in required if not meta.get(key)]
    if missing:
        raise DemoContentError(f"{source}: front matter is missing {', '.join(missing)}")
    return meta, match["body"].strip() + "\n"


def parse_article(text, *, source="article"):
    meta, body = parse_front_matter(text, source=source, required=("title", "slug", "summary", "checked_against"))
    return DemoArticle(
        slug=meta["slug"],
        title=meta["title"],
        summary=meta["summary"],
        body=body,
        checked_against=meta["checked_against"],
    )


def parse_faq_entries(body, *, source):
    """The `## Question? {#anchor}` entries of an FAQ file's body."""
    questions = list(QUESTION_RE.finditer(body))
    if not questions:
        raise DemoContentError(f"{source}: no questions found (each starts with '## Question? {{#anchor}}')")
    if body[: questions[0].start()].strip():
        raise DemoContentError(f"{source}: text before the first question")
    entries = []
    for position, match in enumerate(questions, start=1):
        end = questions[position].start() if position < len(questions) else len(body)
        answer = body[match.end() : end].strip()
        if not answer:
            raise DemoContentError(f"{source}: the question {match['question']!r} has no answer")
        entries.append(
            DemoFaqEntry(slug=match["slug"], question=match["question"], answer=answer + "\n", position=position)
        )
    slugs = [entry.slug for entry in entries]
    if len(set(slugs)) != len(slugs):
        raise DemoContentError(f"{source}: two questions share an anchor")
    return tuple(entries)


def parse_faq_topic(text, *, source="FAQ topic"):
    meta, body = parse_front_matter(
        text, source=source, required=("title", "slug", "position", "intro", "checked_against")
    )
    entries = parse_faq_entries(body, source=source)
    try:
        position = int(meta["position"])
    except ValueError:
        raise DemoContentError(f"{source}: position must be a whole number") from None
    return DemoFaqTopic(
        slug=meta["slug"],
        title=meta["title"],
        intro=meta["intro"],
        position=position,
        checked_against=meta["checked_against"],
        entries=entries,
    )


def demo_articles():
    """The demo articles, in the order patients should read them."""
    paths = [CONTENT_DIR / "articles" / name for name in ARTICLE_FILES]
    return [_with_teach_back(parse_article(path.read_text(encoding="utf-8"), source=path.name), path) for path in paths]


def _with_teach_back(article, path):
    """The article with its teach-back questions, kept in a file of their own beside the articles' folder."""
    questions = CONTENT_DIR / "teach_back" / f"{path.stem}.txt"
    if not questions.exists():
        return article
    return dataclasses.replace(article, teach_back=questions.read_text(encoding="utf-8"))


def demo_faq_topics():
    paths = sorted((CONTENT_DIR / "faq").glob("*.md"))
    topics = [parse_faq_topic(path.read_text(encoding="utf-8"), source=path.name) for path in paths]
    return sorted(topics, key=lambda topic: topic.position)


@dataclass(frozen=True)
class DemoArticleTranslation:
    language: str
    source: str  # the English article's slug
    title: str
    summary: str
    body: str
    checked_against: str


@dataclass(frozen=True)
class DemoFaqTranslation:
    language: str
    source: str  # the English topic's slug
    title: str  # the topic page's title and introduction
    intro: str
    checked_against: str
    entries: tuple[DemoFaqEntry, ...]  # slug: the anchor of the English entry translated


def _translation_files(kind, *, required):
    """(language, file name, front matter, body) of each translation file below `kind`/<language>/."""
    folders = sorted(path for path in (CONTENT_DIR / kind).iterdir() if path.is_dir() and not path.name.startswith("_"))
    for folder in folders:
        for path in sorted(folder.glob("*.md")):
            meta, body = parse_front_matter(path.read_text(encoding="utf-8"), source=path.name, required=required)
            yield folder.name, path.name, meta, body


def demo_article_translations():
    return [
        DemoArticleTranslation(
            language=language,
            source=meta["source"],
            title=meta["title"],
            summary=meta["summary"],
            body=body,
            checked_against=meta["checked_against"],
        )
        for language, _name, meta, body in _translation_files(
            "articles", required=("source", "title", "summary", "checked_against")
        )
    ]


def demo_faq_translations():
    return [
        DemoFaqTranslation(
            language=language,
            source=meta["source"],
            title=meta["title"],
            intro=meta["intro"],
            checked_against=meta["checked_against"],
            entries=parse_faq_entries(body, source=name),
        )
        for language, name, meta, body in _translation_files(
            "faq", required=("source", "title", "intro", "checked_against")
        )
    ]
