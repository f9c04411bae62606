"""Multiple-choice notes, pure: the parts of an MCQ note and its explanation laid out per option.

Used by daily review (answer before the reveal) and by exams (tutor mode, results). The bundled
deck's explanations say "B is right: ... A is wrong: ..." and also carry a short rationale per
option; showing both prints each reason twice. So an explanation that names every option is
split at those names and each part goes under its option; otherwise the explanation stays one
paragraph and the rationales (different words) go under the options.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cehrs_cards.core.exam import LETTERS
from cehrs_cards.core.sanitize import strip_html

_VERDICT = re.compile(
    r"(?:^|(?<=[\s>(]))([A-D]) (?:is|was) (?:the )?(?:right|wrong|correct|incorrect)"
    r"(?: answer)?\b[:.,]?\s*"
)


@dataclass(frozen=True)
class Mcq:
    """A multiple-choice note as a question: stem, four options (HTML), the key (0-3)."""

    stem: str
    options: tuple[str, ...]
    answer: int
    explanation: str = ""
    rationales: tuple[str, ...] = ()


@dataclass(frozen=True)
class Explained:
    """An explanation laid out for display: a general part and one reason per option."""

    general: str
    per_option: tuple[str, ...]  # one per option, "" where there is nothing to say


def mcq_of(fields: Mapping[str, str]) -> Mcq | None:
    """The question of an MCQ note's fields (Stem, A-D, Answer, Explanation, Why A-D); None
    if it lacks a stem, an option or a key A-D."""
    options = tuple(fields.get(k, "") for k in LETTERS)
    key = fields.get("Answer", "").strip().upper()
    if not _shows(fields.get("Stem", "")) or key not in LETTERS:
        return None
    if not all(_shows(o) for o in options):
        return None
    whys = tuple(fields.get(f"Why {k}", "") for k in LETTERS)
    return Mcq(
        stem=fields["Stem"],
        options=options,
        answer=LETTERS.index(key),
        explanation=fields.get("Explanation", ""),
        rationales=whys if any(w.strip() for w in whys) else (),
    )


def _shows(html: str) -> bool:
    """Whether an HTML fragment shows something: text, or an image."""
    return bool(strip_html(html)) or "<img" in html


def explain(explanation: str, rationales: Sequence[str], options: int = 4) -> Explained:
    """Each reason once: the explanation split per option when it names every option ("A is
    wrong: ..."), else the explanation as a paragraph and the rationales per option."""
    parts = split_by_option(explanation, options)
    if parts is not None:
        return Explained(parts[0], parts[1])
    whys = tuple(rationales[i].strip() if i < len(rationales) else "" for i in range(options))
    return Explained(explanation.strip(), whys)


def split_by_option(text: str, options: int = 4) -> tuple[str, tuple[str, ...]] | None:
    """(text before the first verdict, the text after each option's verdict), when the text
    names each of the options exactly once as "X is right/wrong"; else None."""
    hits = list(_VERDICT.finditer(text))
    letters = [m.group(1) for m in hits]
    if sorted(letters) != list(LETTERS[:options]):
        return None
    per: dict[str, str] = {}
    for m, nxt in zip(hits, [*hits[1:], None], strict=True):
        end = nxt.start() if nxt is not None else len(text)
        per[m.group(1)] = text[m.end() : end].strip()
    general = text[: hits[0].start()].strip()
    return general, tuple(per[k] for k in LETTERS[:options])
