"""Multiple-choice questions as rich text: the options to pick from, and after the reveal the
chosen and the right option marked with each option's reason under it (core/mcq.explain), so
every reason is said once. Used by daily review, tutor mode and the exam results.

The colours come from the card style sheet's classes (ui/theme.card_css: right, wrong, chosen),
so light and dark themes each get readable ones. Option text is deck HTML, already sanitised.
"""

from __future__ import annotations

from collections.abc import Sequence

from cehrs_cards.core.exam import LETTERS
from cehrs_cards.core.mcq import Explained, explain

PICK = "pick:"
"""Link scheme of a clickable option: pick:0 .. pick:3."""


def options_html(options: Sequence[str], clickable: bool) -> str:
    """The options before the reveal, each a row with its letter; links pick:N if clickable."""
    rows = []
    for i, text in enumerate(options):
        letter = LETTERS[i]
        if clickable:
            letter = f"<a class='pick' href='{PICK}{i}'>{letter}</a>"
            text = f"<a class='pick' href='{PICK}{i}'>{text}</a>"
        rows.append(f"<tr><td width='34'><b>{letter}</b></td><td>{text}</td></tr>")
    return _table(rows)


def verdict_html(choice: int | None, answer: int) -> str:
    """One line: right, wrong (with what was chosen) or not answered, and the key."""
    key = LETTERS[answer]
    if choice is None:
        return f"<p><b>The answer is {key}.</b></p>"
    if choice == answer:
        return f"<p class='right'><b>Correct: {key}.</b></p>"
    return (
        f"<p><b class='wrong'>Incorrect:</b> you chose {LETTERS[choice]}; "
        f"the answer is <b>{key}</b>.</p>"
    )


def revealed_html(
    options: Sequence[str],
    answer: int,
    choice: int | None,
    explanation: str,
    rationales: Sequence[str],
    with_text: bool = True,
) -> str:
    """The verdict, the general part of the explanation, then each option (its text if
    `with_text`) marked right / yours, with its reason under it."""
    laid = explain(explanation, rationales, len(options))
    head = verdict_html(choice, answer)
    if laid.general:
        head += f"<div class='explanation'>{laid.general}</div>"
    return head + _option_rows(options, answer, choice, laid, with_text)


def _option_rows(
    options: Sequence[str], answer: int, choice: int | None, laid: Explained, with_text: bool
) -> str:
    rows = []
    for i, text in enumerate(options):
        cls, mark = _mark(i, answer, choice)
        body = f"{text} {mark}" if with_text else mark
        why = laid.per_option[i] if i < len(laid.per_option) else ""
        reason = f"<div class='why'>{why}</div>" if why else ""
        td = f"td class='{cls}'" if cls else "td"
        rows.append(f"<tr><{td} width='34'><b>{LETTERS[i]}</b></td><{td}>{body}{reason}</td></tr>")
    return _table(rows)


def _mark(i: int, answer: int, choice: int | None) -> tuple[str, str]:
    """(cell class, mark) of option i: its cells tinted (rightcell / wrongcell)."""
    if i == answer:
        yours = " (your answer)" if choice == i else ""
        return "rightcell", f"<b class='right'>✓ right answer{yours}</b>"
    if i == choice:
        return "wrongcell", "<b class='wrong'>✗ your answer</b>"
    return "", ""


def _table(rows: list[str]) -> str:
    attrs = "class='choices' cellspacing='2' cellpadding='8' width='100%'"
    return f"<table {attrs}>{''.join(rows)}</table>"
