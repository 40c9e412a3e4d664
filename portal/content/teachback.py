"""Teach-back questions: a few multiple-choice questions that are part of a page's content.

Editors write them in a small line format beside the Markdown, so that they are reviewed, approved, versioned,
diffed and translated with the page (a translation translates the lines; the markers stay):

    ? When may you drive after your session?
    - As soon as the 2-hour observation ends
    + The next day, after a restful night's sleep
    - After 30 minutes
    = The medicine can make you sleepy and less alert until the next day.
    # Getting home after your session

`?` starts a question, `-` is a wrong answer, `+` the one right answer, `=` a one-sentence explanation, `#` the
heading of the section of the page that answers it (it must be one of the page's headings). Blank lines between
questions are optional. At most MAX_QUESTIONS questions, each with 2 to MAX_CHOICES answers.

`parse()` returns the questions as plain dicts (stored as the live copy's `live_teach_back`), or raises
TeachBackError with every problem, for the editor's form.
"""

import hashlib
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_QUESTIONS = 3
MAX_CHOICES = 5
MAX_LINE = 300
MARKERS = "?-+=#"


class TeachBackError(ValidationError):
    """The questions' source breaks a rule; `messages` lists every problem."""


def normalized(source):
    """The source as it is hashed and stored in versions: trimmed lines, Windows line ends folded."""
    lines = [line.strip() for line in (source or "").replace("\r\n", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def question_key(question):
    """What identifies a question for the patient's answers: its words and its answers (a reworded question is a
    new question, whose answers start afresh)."""
    parts = [question["question"], *question["choices"], str(question["answer"])]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


def parse(source, *, sections=None):
    """The questions of `source` as dicts {question, choices, answer (index), explanation, section, anchor, key}.

    `sections` maps each heading of the page (its text) to its anchor id; without it headings are not checked
    (and anchors are empty). Raises TeachBackError listing every problem."""
    questions, problems = [], []
    current = None
    for number, line in enumerate(normalized(source).split("\n") if normalized(source) else [], start=1):
        marker, text = line[0], line[1:].strip()
        if marker not in MARKERS:
            problems.append(
                _("Line %(number)d: start each line with ?, -, +, = or # (see the help text).") % {"number": number}
            )
            continue
        if not text:
            problems.append(
                _("Line %(number)d: “%(marker)s” is followed by nothing.") % {"number": number, "marker": marker}
            )
            continue
        if len(text) > MAX_LINE:
            problems.append(
                _("Line %(number)d: keep it under %(max)d characters.") % {"number": number, "max": MAX_LINE}
            )
            continue
        if marker == "?":
            current = {"question": text, "choices": [], "answer": None, "explanation": "", "section": ""}
            questions.append(current)
            continue
        if current is None:
            problems.append(
                _("Line %(number)d: write the question (a line starting with ?) first.") % {"number": number}
            )
            continue
        if marker in "-+":
            if marker == "+":
                if current["answer"] is not None:
                    problems.append(
                        _("“%(question)s”: mark only one answer as right (+).") % {"question": current["question"]}
                    )
                current["answer"] = len(current["choices"])
            current["choices"].append(text)
        elif marker == "=":
            if current["explanation"]:
                problems.append(
                    _("“%(question)s”: write one explanation (=) only.") % {"question": current["question"]}
                )
            current["explanation"] = text
        else:
            if current["section"]:
                problems.append(_("“%(question)s”: name one section (#) only.") % {"question": current["question"]})
            current["section"] = text.lstrip("#").strip()
    if len(questions) > MAX_QUESTIONS:
        problems.append(
            _("Write at most %(max)d questions (there are %(count)d).")
            % {"max": MAX_QUESTIONS, "count": len(questions)}
        )
    for question in questions:
        problems.extend(_question_problems(question, sections))
    if problems:
        raise TeachBackError(problems)
    for question in questions:
        question["anchor"] = (sections or {}).get(question["section"], "")
        question["key"] = question_key(question)
    return questions


def _question_problems(question, sections):
    named = {"question": question["question"]}
    problems = []
    if not 2 <= len(question["choices"]) <= MAX_CHOICES:
        problems.append(
            _("“%(question)s”: give 2 to %(max)d answers (lines starting with - or +).") % {**named, "max": MAX_CHOICES}
        )
    if question["answer"] is None:
        problems.append(_("“%(question)s”: mark the right answer with + at the start of its line.") % named)
    if len(set(question["choices"])) != len(question["choices"]):
        problems.append(_("“%(question)s”: two answers are the same.") % named)
    explanation = question["explanation"]
    if not explanation:
        problems.append(_("“%(question)s”: explain the right answer in one sentence (a line starting with =).") % named)
    elif len(re.findall(r"[.!?](\s|$)", explanation)) > 1:
        problems.append(_("“%(question)s”: keep the explanation to one sentence.") % named)
    if not question["section"]:
        problems.append(
            _("“%(question)s”: name the section of the page that answers it (a line starting with #).") % named
        )
    elif sections is not None and question["section"] not in sections:
        known = ", ".join(f"“{name}”" for name in sections) or _("none")
        problems.append(
            _("“%(question)s”: the page has no heading “%(section)s” (its headings: %(known)s).")
            % {**named, "section": question["section"], "known": known}
        )
    return problems
