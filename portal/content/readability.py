"""Flesch–Kincaid grade of plain text, computed offline with pyphen's hyphenation dictionary.

textstat 0.7.5+ downloads NLTK data at run time, which a clinic server may not be able to do.
"""

import functools
import re

import pyphen

WORD_RE = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
SENTENCE_END_RE = re.compile(r"[.!?]+(?:\s|$)")


@functools.cache
def _dictionary():
    return pyphen.Pyphen(lang="en_US")


def count_syllables(word):
    word = word.lower()
    hyphenated = _dictionary().inserted(word)
    syllables = hyphenated.count("-") + 1
    # pyphen under-counts short words with several vowel groups ("area", "idea"); take the larger.
    vowel_groups = len(re.findall(r"[aeiouy]+", word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and vowel_groups > 1:
        vowel_groups -= 1
    return max(1, syllables, vowel_groups)


def flesch_kincaid_grade(text):
    """US school grade needed to read `text`; None when there is too little text to judge."""
    words = WORD_RE.findall(text or "")
    if len(words) < 3:
        return None
    sentences = max(1, len(SENTENCE_END_RE.findall(text)))
    syllables = sum(count_syllables(word) for word in words)
    grade = 0.39 * (len(words) / sentences) + 11.8 * (syllables / len(words)) - 15.59
    return round(grade, 1)
