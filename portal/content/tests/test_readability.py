"""portal.content.readability: Flesch–Kincaid grade computed offline, checked on texts whose grade is known."""

import pytest

from portal.content.readability import count_syllables, flesch_kincaid_grade
from portal.content.tests.governance_helpers import new_article

SIMPLE = "The cat sat on the mat. The dog ran to the park. We had a nap. It was fun."
PATIENT_TEXT = (
    "You take the nasal spray at the clinic. A nurse stays with you. You rest for at least two hours after "
    "each dose. Do not drive until the next day. Bring someone to take you home."
)
DENSE_CLINICAL = (
    "Esketamine, the S-enantiomer of racemic ketamine, is a non-selective, non-competitive antagonist of the "
    "N-methyl-D-aspartate receptor, an ionotropic glutamate receptor; its administration necessitates continuous "
    "post-administration observation for sedation, dissociation and transient hypertension, consequently "
    "restricting concomitant utilisation of central nervous system depressants and psychostimulants."
)


def test_the_formula_on_a_text_counted_by_hand():
    # 10 one-syllable words in 1 sentence: 0.39 * 10 + 11.8 * 1 - 15.59 = 0.11
    assert flesch_kincaid_grade("I saw the big red dog run to the park.") == 0.1
    # 6 one-syllable words in 2 sentences: 0.39 * 3 + 11.8 * 1 - 15.59 = -2.62
    assert flesch_kincaid_grade("The cat sat. The dog ran.") == -2.6


def test_simple_sentences_grade_below_5():
    assert flesch_kincaid_grade(SIMPLE) < 5


def test_plain_patient_instructions_grade_at_most_8():
    assert flesch_kincaid_grade(PATIENT_TEXT) <= 8


def test_a_dense_clinical_paragraph_grades_above_12():
    assert flesch_kincaid_grade(DENSE_CLINICAL) > 12


def test_longer_sentences_and_longer_words_raise_the_grade():
    short = flesch_kincaid_grade("Take the spray. Rest for two hours. Then go home.")
    longer = flesch_kincaid_grade("Take the medication, then remain under observation for approximately two hours.")
    assert longer > short


@pytest.mark.parametrize(
    ("word", "syllables"),
    [("cat", 1), ("the", 1), ("treatment", 2), ("medicine", 3), ("receptor", 3), ("esketamine", 4),
     ("hypertension", 4), ("dissociation", 5)],
)  # fmt: skip
def test_syllables_of_known_words(word, syllables):
    assert count_syllables(word) == syllables


@pytest.mark.parametrize("text", ["", None, "Hi there", "!!! ..."])
def test_too_little_text_has_no_grade(text):
    assert flesch_kincaid_grade(text) is None


def test_saving_a_page_computes_grade_word_count_and_reading_time_of_its_plain_text(db):
    article = new_article(body="## Heading\n\n" + " ".join([SIMPLE] * 20))
    assert article.readability_grade == flesch_kincaid_grade("Heading " + " ".join([SIMPLE] * 20))
    assert article.word_count == 1 + 19 * 20
    assert article.reading_minutes == 2  # 381 words at 200 words a minute, rounded up
    article.body = DENSE_CLINICAL
    article.save()
    assert article.readability_grade > 12


# Spanish: Szigriszt-Pazos (INFLESZ), syllables from pyphen's "es" dictionary split at hiatus ---------------------


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("gato", 2), ("día", 2), ("náusea", 3), ("oído", 3), ("aerosol", 4), ("leer", 2), ("que", 1),
        ("guía", 2), ("agua", 2), ("muy", 1), ("cuidado", 3), ("tratamiento", 4), ("esketamina", 5),
        ("pingüino", 3),
    ],
)  # fmt: skip
def test_spanish_syllables(word, syllables):
    from portal.content.readability import count_syllables_es

    assert count_syllables_es(word) == syllables


def test_szigriszt_pazos_on_sentences_counted_by_hand():
    from portal.content.readability import szigriszt_pazos

    # 3 words, 5 syllables (El, ga-to, co-me), 1 sentence: 206.835 - 62.3 * 5/3 - 3 = 100.0
    assert szigriszt_pazos("El gato come.") == 100.0
    # 6 words, 11 syllables (La, en-fer-me-ra, lo, cui-da, en, ca-sa), 1 sentence: 206.835 - 114.217 - 6 = 86.6
    assert szigriszt_pazos("La enfermera lo cuida en casa.") == 86.6
    assert szigriszt_pazos("Sí.") is None


def test_plain_spanish_scores_above_the_limit_and_dense_spanish_below():
    from portal.content.readability import scale_for, score

    plain = (
        "Usted recibe el medicamento en la clínica. Una enfermera se queda con usted. No maneje hasta el día siguiente."
    )
    dense = (
        "La esketamina, enantiómero S de la ketamina racémica, es un antagonista no competitivo del receptor "
        "N-metil-D-aspartato, cuya administración intranasal exige una observación posterior prolongada debido "
        "a la sedación, la disociación y la hipertensión arterial transitoria que frecuentemente ocasiona."
    )
    spanish = scale_for("es")
    assert not spanish.is_hard(score(plain, language="es"))
    assert spanish.is_hard(score(dense, language="es"))
    assert score(plain, language="en") != score(plain, language="es")  # each language its own formula


def test_smog_on_a_text_counted_by_hand():
    from portal.content.readability import smog_grade

    # 30 sentences, 9 words of three or more syllables: 1.0430 * sqrt(9 * 30 / 30) + 3.1291 = 6.258
    sentences = ["The cat sat on the mat."] * 21 + ["The family sat on the mat."] * 9
    assert smog_grade(" ".join(sentences)) == 6.3
    # 1 sentence, 0 polysyllables: 3.1291
    assert smog_grade("The cat sat on the mat.") == 3.1


def test_smog_reads_higher_than_flesch_kincaid_on_patient_text():
    from portal.content.readability import smog_grade

    assert smog_grade(PATIENT_TEXT) > flesch_kincaid_grade(PATIENT_TEXT)


def test_the_admin_shows_smog_beside_the_english_grade(editor):
    from portal.content.tests.governance_helpers import admin_url, as_user

    article = new_article(body="## Safety\n\nYour family will watch you. " * 5)
    page = as_user(editor).get(admin_url(article, "change")).content.decode()
    assert "SMOG grade" in page and "Flesch–Kincaid" in page
