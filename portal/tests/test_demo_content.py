"""The demo pages in portal/demo/: true to the SPRAVATO label where it matters, plain, marked as samples."""

import re

import pytest

from portal.content import markdown, readability
from portal.demo import (
    SAMPLE_NOTICE,
    DemoContentError,
    demo_articles,
    demo_faq_topics,
    parse_article,
    parse_faq_topic,
)

# Patient materials are written at US school grade 6 to 8 or below (NIH, AMA): 8 is the ceiling. Easier is never
# refused: a floor of 6 would push plain answers ("Yes. Plan for a ride home.") towards harder words.
MAX_GRADE = 8.0
LABEL = "SPRAVATO (esketamine) nasal spray, CIII: US Prescribing Information and Medication Guide, revised 1/2025"
ARTICLES = {article.slug: article for article in demo_articles()}
TOPICS = {topic.slug: topic for topic in demo_faq_topics()}


def page_texts():
    """(name, Markdown source) of every page a patient can open: each article, each FAQ topic page."""
    for article in ARTICLES.values():
        yield article.slug, article.body
    for topic in TOPICS.values():
        questions = "\n\n".join(f"## {entry.question}\n\n{entry.answer}" for entry in topic.entries)
        yield f"faq/{topic.slug}", f"{topic.intro}\n\n{questions}"


PAGES = dict(page_texts())


def plain_text(source):
    return markdown.render(source).text


def test_the_demo_has_three_articles_in_reading_order():
    assert list(ARTICLES) == ["how-spravato-works", "what-to-expect-on-treatment-day", "side-effects-and-safety"]


def test_the_spravato_faq_has_at_least_eight_entries_with_unique_anchors():
    entries = TOPICS["spravato"].entries
    assert len(entries) >= 8
    assert len({entry.slug for entry in entries}) == len(entries)
    assert [entry.position for entry in entries] == list(range(1, len(entries) + 1))


@pytest.mark.parametrize("name", PAGES)
def test_every_page_says_it_is_sample_content_and_not_medical_advice(name):
    assert SAMPLE_NOTICE in plain_text(PAGES[name])


@pytest.mark.parametrize("name", PAGES)
def test_every_page_reads_at_grade_eight_or_below(name):
    grade = readability.flesch_kincaid_grade(plain_text(PAGES[name]))
    assert grade is not None and grade <= MAX_GRADE, f"{name}: Flesch-Kincaid grade {grade}"


@pytest.mark.parametrize("topic_slug, entry_slug", [(t.slug, e.slug) for t in TOPICS.values() for e in t.entries])
def test_every_faq_answer_reads_at_grade_eight_or_below(topic_slug, entry_slug):
    entry = next(e for e in TOPICS[topic_slug].entries if e.slug == entry_slug)
    grade = readability.flesch_kincaid_grade(plain_text(entry.answer))
    assert grade is not None and grade <= MAX_GRADE, f"{topic_slug}#{entry_slug}: grade {grade}"


@pytest.mark.parametrize("slug", ARTICLES)
def test_every_article_summary_is_one_plain_sentence(slug):
    summary = ARTICLES[slug].summary
    assert len(summary) <= 300
    assert len(re.findall(r"[.!?](?:\s|$)", summary)) == 1 and summary.endswith(".")
    assert readability.flesch_kincaid_grade(summary) <= MAX_GRADE


@pytest.mark.parametrize("slug", ARTICLES)
def test_every_article_has_headings_for_a_table_of_contents_a_list_and_a_table(slug):
    rendered = markdown.render(ARTICLES[slug].body)
    assert {heading["level"] for heading in rendered.toc} == {2, 3}
    assert "<table>" in rendered.html
    assert "<ul>" in rendered.html or "<ol>" in rendered.html


def test_the_mechanism_is_described_as_an_antagonist_that_blocks_never_an_enhancer():
    everything = " ".join(plain_text(source) for source in PAGES.values()).lower()
    works = plain_text(ARTICLES["how-spravato-works"].body).lower()
    assert "non-competitive nmda receptor antagonist" in works
    assert "blocks the nmda receptor" in works
    assert "no one knows yet exactly how this helps depression" in works
    assert "enhancer" not in everything
    assert not re.search(r"(?<!ant)agonist", everything), "only 'antagonist' may appear, never 'agonist'"
    assert not re.search(r"\b(boosts|activates|stimulates)\b", everything)


def test_how_spravato_works_states_the_label_facts():
    text = plain_text(ARTICLES["how-spravato-works"].body)
    for fact in (
        "esketamine",
        "Treatment-resistant depression",
        "alone",
        "antidepressant pill",
        "suicidal thoughts or actions",
        "S-form",
        "SPRAVATO REMS",
        "28 mg",
        "56 mg",
        "84 mg",
        "5 minutes",
        "Weeks 1 to 4 Twice a week",
        "Weeks 5 to 8 Once a week",
        "Once a week or once every 2 weeks",
        "You cannot take Spravato home",
        "Before your first dose, the clinic must enroll you in the SPRAVATO REMS",
        "your first dose is 56 mg",
        "the usual dose is 84 mg",
        "hard to pay attention, to think clearly, and to make good choices",
        "controlled medicine. This means the law has extra rules for it",
        "Physical dependence",
        "Psychological dependence",
        "Sniff gently after you spray",
        "Do not blow your nose between devices",
        "head tilted back a little",
    ):
        assert fact in text, fact


def test_treatment_day_states_the_label_facts():
    text = plain_text(ARTICLES["what-to-expect-on-treatment-day"].body)
    for fact in (
        "2 hours before Stop eating",
        "30 minutes before Stop drinking",
        "1 hour before",
        "at least 2 hours",
        "about 40 minutes after the dose",
        "Do not drive",
        "Do not ride a bike",
        "Do not use machines",
        "next day, after a restful sleep",
        "Sniff gently after each spray",
        "Do not blow your nose between devices",
        "tilt your head back a little",
        "Most people feel cut off",
        "very happy or excited",
        "Your provider decides when you are ready to leave",
        "only an example",
        "988",
        "911",
    ):
        assert fact in text, fact


def test_side_effects_and_safety_states_the_label_facts():
    text = plain_text(ARTICLES["side-effects-and-safety"].body)
    common = ["Dissociation", "Dizziness", "Nausea", "Sedation", "Vertigo", "Numbness", "Anxiety", "Lack of energy"]
    common += ["Higher blood pressure", "Vomiting", "Feeling drunk"]
    boxed = ["boxed warning", "very sleepy", "slow your breathing", "misuse", "24 years old or younger"]
    blood_pressure = ["about 40 minutes after the dose", "about 4 hours"]
    contraindications = ["aneurysm", "brain, chest, belly, arms, or legs", "arteriovenous malformation"]
    contraindications += ["bleeding in the brain", "allergic to esketamine, ketamine"]
    tell_first = ["may harm an unborn baby", "birth control", "Do not breastfeed", "opioids", "benzodiazepines"]
    tell_first += ["Stimulants", "MAOIs", "Alcohol", "pee"]
    for fact in common + boxed + blood_pressure + contraindications + tell_first + ["988", "911"]:
        assert fact in text, fact
    gaps = [
        "Feeling very happy or excited",
        "Dissociation happens to most people who take Spravato",
        "physical and psychological dependence",
        "hard to pay attention",
        "hard to think clearly and to make good choices",
        "Wait until the next day, after a restful sleep",
        "Spravato can cause bladder problems",
        "Need to get up at night to pee",
        "An aneurysm is a weak spot in the wall of a blood vessel",
        "Psychosis means losing touch with what is real",
        "the law has extra rules for it",
        "pregnancy registry",
        "1-844-405-6185",
        "oxycodone",
        "alprazolam (Xanax)",
        "amphetamine (Adderall)",
        "phenelzine (Nardil)",
    ]
    for fact in gaps:
        assert fact in text, fact


def test_every_label_page_names_the_label_revision_it_was_checked_against():
    assert {article.checked_against for article in ARTICLES.values()} == {LABEL}
    assert TOPICS["spravato"].checked_against == LABEL


def test_dissociation_is_said_to_affect_most_patients_never_only_some():
    everything = " ".join(plain_text(source) for source in PAGES.values())
    assert "most people" in everything.lower()
    assert not re.search(r"some people (may )?feel cut off", everything, re.I)


def test_the_spravato_faq_answers_the_practical_questions():
    answers = {entry.slug: plain_text(entry.answer) for entry in TOPICS["spravato"].entries}
    assert "next day, after a restful sleep" in answers["ride-home"]
    assert "2 hours" in answers["eating-and-drinking"] and "30 minutes" in answers["eating-and-drinking"]
    assert "at least 2 hours" in answers["how-long"]
    assert "at least 1 hour before" in answers["other-nose-sprays"]
    assert answers["at-home"].startswith("No.")
    assert "one of those two forms" in answers["ketamine"]
    assert "may harm an unborn baby" in answers["pregnancy"]
    assert "pregnancy registry" in answers["pregnancy"]
    assert "Most people feel cut off" in answers["feeling-strange"]
    for example in ("oxycodone", "Xanax", "Adderall", "Nardil"):
        assert example in answers["other-medicines"], example
    assert "988" in answers["feeling-worse"] and "911" in answers["feeling-worse"]


ARTICLE_SOURCE = "---\ntitle: T\nslug: t\nsummary: S.\nchecked_against: Label\n---\n\nBody text.\n"


def test_an_article_file_is_parsed_into_its_fields():
    article = parse_article(ARTICLE_SOURCE.replace("\n", "\r\n"))
    assert (article.title, article.slug, article.summary, article.checked_against) == ("T", "t", "S.", "Label")
    assert article.body == "Body text.\n"


@pytest.mark.parametrize(
    "source, message",
    [
        ("title: T\n\nBody", "front matter block"),
        (ARTICLE_SOURCE.replace("summary: S.\n", ""), "missing summary"),
        (ARTICLE_SOURCE.replace("slug: t\n", "slug t\n"), "line 3"),
    ],
)
def test_a_malformed_article_file_is_refused_with_a_message(source, message):
    with pytest.raises(DemoContentError, match=message):
        parse_article(source, source="x.md")


TOPIC_SOURCE = "---\ntitle: T\nslug: t\nposition: 1\nintro: I.\nchecked_against: L\n---\n\n"


def test_a_faq_file_is_split_into_entries_at_each_question():
    topic = parse_faq_topic(TOPIC_SOURCE + "## One? {#one}\n\nFirst.\n\n- a\n\n## Two? {#two}\n\nSecond.\n")
    assert [(e.slug, e.question, e.answer, e.position) for e in topic.entries] == [
        ("one", "One?", "First.\n\n- a\n", 1),
        ("two", "Two?", "Second.\n", 2),
    ]


@pytest.mark.parametrize(
    "body, message",
    [
        ("Just text.\n", "no questions"),
        ("Intro.\n\n## One? {#one}\n\nA.\n", "before the first question"),
        ("## One? {#one}\n\n## Two? {#two}\n\nA.\n", "has no answer"),
        ("## One? {#same}\n\nA.\n\n## Two? {#same}\n\nB.\n", "share an anchor"),
    ],
)
def test_a_malformed_faq_file_is_refused_with_a_message(body, message):
    with pytest.raises(DemoContentError, match=message):
        parse_faq_topic(TOPIC_SOURCE + body)
