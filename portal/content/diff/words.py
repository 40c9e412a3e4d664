"""Word-by-word differences between lists of lines (see portal.content.diff.lines): escaped, paragraphs kept."""

import dataclasses
import difflib
import re
from collections import Counter

from django.utils.html import escape
from django.utils.safestring import mark_safe

from portal.content.diff.lines import html_to_lines

BREAK = "\n"
# A word is compared without the punctuation around it ("drive." -> "drive today." adds one word).
_WORD_RE = re.compile(r"^([(\[«“\"‘']*)(.*?)([.,;:!?%)\]»”\"’']*)$", re.S)
_OPENING = set("([«“\"‘'")
_CLOSING = set(".,;:!?%)]»”\"’'")
# An unchanged stretch this short between two changes is folded into them, so a reviewer reads
# "<del>on the day of treatment</del> <ins>until the next day</ins>" rather than a patchwork of fragments.
_FOLD_AT_MOST = 2


def _split_word(word):
    opening, core, closing = _WORD_RE.match(word).groups()
    return [*opening, *([core] if core else []), *closing]


def _tokens(lines):
    tokens = []
    for number, line in enumerate(lines):
        if number:
            tokens.append(BREAK)
        for word in line.split():
            tokens.extend(_split_word(word))
    return tokens


def _is_word(token):
    return token != BREAK and any(char.isalnum() for char in token)


def _glued(left, right):
    """No space between two tokens: before closing punctuation, after opening punctuation."""
    return (len(right) == 1 and right in _CLOSING) or (len(left) == 1 and left in _OPENING)


@dataclasses.dataclass(frozen=True)
class WordDiff:
    html: str  # safe HTML: <p> per line, <ins>/<del> around changed words
    added: int  # words added
    removed: int  # words removed
    changed: bool  # anything changed (punctuation alone counts)


def _segments(old, new):
    """Opcodes as [equal?, old tokens, new tokens], short equal stretches between changes folded in."""
    segments = [
        [tag == "equal", old[i1:i2], new[j1:j2]]
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    ]
    index = 1
    while index < len(segments) - 1:
        before, same, after = segments[index - 1 : index + 2]
        if same[0] and not before[0] and not after[0] and len(same[1]) <= _FOLD_AT_MOST and BREAK not in same[1]:
            segments[index - 1 : index + 2] = [[False, before[1] + same[1] + after[1], before[2] + same[1] + after[2]]]
            index = max(1, index - 1)
        else:
            index += 1
    return segments


def word_diff(old_lines, new_lines):
    """Compare two lists of lines (see html_to_lines): lines first (a new paragraph is one added block),
    then word by word within the lines that changed."""
    marked = []  # (kind, token) with kind "same", "del" or "ins"
    added, removed = Counter(), Counter()
    lines = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in lines.get_opcodes():
        old_tokens, new_tokens = _tokens(old_lines[i1:i2]), _tokens(new_lines[j1:j2])
        if marked:
            marked.append(("same", BREAK))
        if tag == "equal":
            marked.extend(("same", token) for token in old_tokens)
            continue
        for equal, old_part, new_part in _segments(old_tokens, new_tokens):
            if equal:
                marked.extend(("same", token) for token in old_part)
                continue
            marked.extend(("del", token) for token in old_part)
            marked.extend(("ins", token) for token in new_part)
            old_words, new_words = Counter(filter(_is_word, old_part)), Counter(filter(_is_word, new_part))
            removed.update(old_words - new_words)
            added.update(new_words - old_words)
    return WordDiff(
        html=mark_safe(_render(marked)),  # noqa: S308 - every token is escaped in _render
        added=added.total(),
        removed=removed.total(),
        changed=any(kind != "same" for kind, _token in marked),
    )


def text_diff(old_text, new_text):
    """Compare two single-line texts (a title, a summary)."""
    return word_diff([" ".join((old_text or "").split())], [" ".join((new_text or "").split())])


def html_diff(old_html, new_html):
    return word_diff(html_to_lines(old_html), html_to_lines(new_html))


def _render(marked):
    paragraphs, current = [], []
    for kind, token in marked:
        if token == BREAK:
            paragraphs.append(current)
            current = []
        else:
            current.append((kind, token))
    paragraphs.append(current)

    out = []
    for paragraph in paragraphs:
        if not paragraph:
            continue
        runs = []  # [kind, [tokens]]
        for kind, token in paragraph:
            if runs and runs[-1][0] == kind:
                runs[-1][1].append(token)
            else:
                runs.append([kind, [token]])
        html_parts = []
        for index, (kind, tokens) in enumerate(runs):
            if index and not _glued(runs[index - 1][1][-1], tokens[0]):
                html_parts.append(" ")
            html_parts.append(_run_html(kind, tokens))
        out.append(f"<p>{''.join(html_parts)}</p>")
    return "".join(out)


def _join(tokens):
    text = tokens[0]
    for left, right in zip(tokens, tokens[1:], strict=False):
        text += right if _glued(left, right) else f" {right}"
    return text


def _run_html(kind, tokens):
    text = escape(_join(tokens))
    if kind == "same":
        return text
    label = "Added" if kind == "ins" else "Removed"
    return f'<{kind}><span class="visually-hidden">{label}: </span>{text}</{kind}>'
