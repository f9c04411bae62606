"""What the review screen shows of a card: its side as rich text, with [sound:] tags turned
into play links, and a multiple-choice card laid out as options to pick before the reveal,
then marked (chosen and right) with each option's reason under it."""

from __future__ import annotations

import html
from pathlib import Path

from cehrs_cards.core.records import StudyCard
from cehrs_cards.core.render import answer_only_sounds, replace_sounds, sound_names
from cehrs_cards.ui.mcq_html import options_html, revealed_html
from cehrs_cards.ui.safe_html import esc, inline_media

SOUND = "sound:"
"""Link scheme of a play link: sound:N plays the side's N-th sound again."""


def sound_link(i: int, name: str) -> str:
    """The small play link that stands in for a [sound:name] tag."""
    shown = esc(html.unescape(name))
    return f"<a class='pick' href='{SOUND}{i}' title='{shown}'>▶&nbsp;Play sound</a>"


def sound_label(_i: int, name: str) -> str:
    """A [sound:] tag where nothing plays (exam screens): a label, never the raw tag."""
    return f"<span class='muted'>♪ {esc(html.unescape(name))}</span>"


def side_html(
    card: StudyCard, revealed: bool, choice: int | None, media_dir: Path
) -> tuple[str, list[str]]:
    """The review document for this card and state, and the sound names its play links
    (sound:0, sound:1 ...) stand for."""
    if card.mcq is not None:
        body = mcq_side(card, revealed, choice)
    else:
        body = card.back_html if revealed else card.front_html
    shown = inline_media(replace_sounds(body, sound_link), media_dir)
    return f"<body>{shown}</body>", sound_names(body)


def mcq_side(card: StudyCard, revealed: bool, choice: int | None) -> str:
    """A multiple-choice card: stem and options to pick (A-D or a click), or after the reveal
    the options marked and explained."""
    q = card.mcq
    assert q is not None
    stem = f"<div class='stem'>{q.stem}</div>"
    if not revealed:
        hint = "<p class='muted'>Pick an answer: A-D or a click (Space shows the answer).</p>"
        return stem + options_html(q.options, clickable=True) + hint
    return stem + revealed_html(q.options, q.answer, choice, q.explanation, q.rationales)


def side_sounds(card: StudyCard, revealed: bool) -> list[str]:
    """The sounds that play when this side shows: the front's, or the back's own."""
    front = sound_names(card.front_html)
    if not revealed:
        return front
    return answer_only_sounds(front, sound_names(card.back_html))


def replay_sounds(card: StudyCard, revealed: bool) -> list[str]:
    """What R plays: the side's own sounds, or the front's when the back adds none."""
    return side_sounds(card, revealed) or sound_names(card.front_html)
