"""Readability of plain text per language, computed offline with pyphen's hyphenation dictionaries.

- English: Flesch–Kincaid US school grade (lower is easier), with the SMOG grade beside it for editors.
- Spanish: Szigriszt-Pazos perspicuity on the INFLESZ scale (Barrio-Cantalejo et al., 2008), a formula made for
  Spanish: 206.835 − 62.3 × syllables/words − words/sentences (higher is easier; 55–65 "normal", 65–80
  "bastante fácil"). Syllables come from pyphen's `es` dictionary, each hyphenated part split again where two
  vowels are in hiatus (pyphen keeps "día", "oído", "aerosol" whole).

`score(text, language=...)` gives the number for the language's formula; `scale_for(language)` says what it is
called, which way is harder and the limit editors are warned above (settings.READABILITY_MAX_GRADE for English,
READABILITY_MIN_SCORE_ES for Spanish). textstat 0.7.5+ downloads NLTK data at run time, which a clinic server
may not be able to do.
"""

import dataclasses
import functools
import math
import re

import pyphen
from django.conf import settings
from django.utils.translation import gettext_lazy as _

WORD_RE = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
SPANISH_WORD_RE = re.compile(r"[A-Za-zÁÉÍÓÚÜÑáéíóúüñ]+")
SENTENCE_END_RE = re.compile(r"[.!?]+(?:\s|$)")


@functools.cache
def _dictionary(lang="en_US"):
    return pyphen.Pyphen(lang=lang, left=1, right=1) if lang == "es" else pyphen.Pyphen(lang=lang)


def count_syllables(word):
    word = word.lower()
    hyphenated = _dictionary().inserted(word)
    syllables = hyphenated.count("-") + 1
    # pyphen under-counts short words with several vowel groups ("area", "idea"); take the larger.
    vowel_groups = len(re.findall(r"[aeiouy]+", word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and vowel_groups > 1:
        vowel_groups -= 1
    return max(1, syllables, vowel_groups)


def _counts(text, word_re, syllables_of):
    """(words, sentences, syllables) of `text`, or None when there is too little text to judge."""
    words = word_re.findall(text or "")
    if len(words) < 3:
        return None
    sentences = max(1, len(SENTENCE_END_RE.findall(text)))
    return len(words), sentences, sum(syllables_of(word) for word in words)


def flesch_kincaid_grade(text):
    """US school grade needed to read `text`; None when there is too little text to judge."""
    counts = _counts(text, WORD_RE, count_syllables)
    if counts is None:
        return None
    words, sentences, syllables = counts
    return round(0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59, 1)


def smog_grade(text):
    """SMOG grade (McLaughlin 1969, the formula form): 1.0430 × √(polysyllables × 30 / sentences) + 3.1291, where
    polysyllables are words of three or more syllables. The health-literacy standard; it reads about three grades
    above Flesch–Kincaid. None when there is too little text."""
    counts = _counts(text, WORD_RE, count_syllables)
    if counts is None:
        return None
    _words, sentences, _syllables = counts
    polysyllables = sum(1 for word in WORD_RE.findall(text) if count_syllables(word) >= 3)
    return round(1.0430 * math.sqrt(polysyllables * 30 / sentences) + 3.1291, 1)


# Spanish ----------------------------------------------------------------------------------------------------

# Strong vowels, and weak ones carrying a written accent (which makes them a syllable of their own: "dí-a").
_STRONG = set("aeoáéóíú")
_VOWELS = set("aeiouáéíóúü")


def _nuclei(part):
    """Syllable nuclei in one hyphenated part: each run of vowels is one, plus one for each hiatus in it (two
    strong vowels side by side: "le-er", "a-e-ro-sol"). "qu"/"gu" before e/i are consonants ("que", "guía")."""
    part = re.sub(r"(?<=[qg])u(?=[eiéí])", "", part)
    count, previous = 0, ""
    for letter in part:
        if letter in _VOWELS:
            if not previous or (previous in _STRONG and letter in _STRONG):
                count += 1
            previous = letter
        else:
            previous = ""
    return count


def count_syllables_es(word):
    word = word.lower()
    parts = _dictionary("es").inserted(word).split("-")
    return max(1, sum(max(1, _nuclei(part)) if part else 0 for part in parts))


def szigriszt_pazos(text):
    """Szigriszt-Pazos perspicuity (INFLESZ scale) of Spanish `text`; None when there is too little text."""
    counts = _counts(text, SPANISH_WORD_RE, count_syllables_es)
    if counts is None:
        return None
    words, sentences, syllables = counts
    return round(206.835 - 62.3 * syllables / words - words / sentences, 1)


# Per language ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Scale:
    """What a language's readability number is and when editors are warned."""

    name: str
    higher_is_harder: bool
    limit_setting: str

    @property
    def limit(self):
        return getattr(settings, self.limit_setting)

    def is_hard(self, value):
        if value is None:
            return False
        return value > self.limit if self.higher_is_harder else value < self.limit

    @property
    def aim(self):
        """What editors should aim for, e.g. "8 or below"."""
        if self.higher_is_harder:
            return _("%(limit)s or below") % {"limit": _number(self.limit)}
        return _("%(limit)s or above") % {"limit": _number(self.limit)}


def _number(value):
    return f"{value:g}"


SCALES = {
    "en": Scale(_("US school grade (Flesch–Kincaid)"), higher_is_harder=True, limit_setting="READABILITY_MAX_GRADE"),
    "es": Scale(
        _("Szigriszt-Pazos INFLESZ score (Spanish)"), higher_is_harder=False, limit_setting="READABILITY_MIN_SCORE_ES"
    ),
}
FORMULAS = {"en": flesch_kincaid_grade, "es": szigriszt_pazos}


def _base(language):
    return (language or settings.LANGUAGE_CODE).split("-")[0]


def score(text, *, language):
    """The readability number of `text` by its language's formula (English's for a language without one)."""
    return FORMULAS.get(_base(language), flesch_kincaid_grade)(text)


def scale_for(language) -> Scale:
    return SCALES.get(_base(language), SCALES["en"])
