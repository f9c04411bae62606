"""Built-in note types: basic, basic-and-reversed, cloze and multiple-choice.

Templates use Anki's template language, so exported decks open in Anki unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

from cehrs_cards.core.render import MAX_TEMPLATE_CHARS, card_ords, render_template, template_problem
from cehrs_cards.core.sanitize import strip_html


@dataclass(frozen=True)
class Template:
    name: str
    front: str
    back: str


@dataclass(frozen=True)
class NoteTypeDef:
    name: str
    kind: str  # basic | reversed | cloze | mcq | custom
    fields: tuple[str, ...]
    templates: tuple[Template, ...]
    css: str = ""

    def render(self, fields: dict[str, str], ord_: int) -> tuple[str, str]:
        """Front and back HTML of card `ord_` of a note with these fields."""
        tpl = self.templates[0 if self.kind == "cloze" else ord_]
        front = render_template(tpl.front, fields, ord_, question=True)
        back = render_template(tpl.back, fields, ord_, question=False, front_side=front)
        return front, back

    def ords(self, fields: dict[str, str]) -> list[int]:
        """Card ordinals this note makes (cloze numbers, or templates with a non-empty front)."""
        if self.kind == "cloze":
            return card_ords("cloze", 1, fields, self.fields[0])
        made = [o for o in range(len(self.templates)) if _has_content(self.render(fields, o)[0])]
        return made or [0]


def notetype_problem(nt: NoteTypeDef) -> str | None:
    """Why a note type from a deck file cannot be used (a template too large or nested too
    deep to render, or an oversized style sheet), naming the template; None if it can."""
    for tpl in nt.templates:
        for side, text in (("front", tpl.front), ("back", tpl.back)):
            problem = template_problem(text)
            if problem:
                return f"the {side} of its template {tpl.name[:80]!r} cannot be used: {problem}"
    if len(nt.css) > MAX_TEMPLATE_CHARS:
        return (
            f"its style sheet has {len(nt.css):,} characters; the limit is {MAX_TEMPLATE_CHARS:,}"
        )
    return None


def _has_content(html: str) -> bool:
    return bool(strip_html(html)) or "<img" in html


_ANSWER_HR = '{{FrontSide}}<hr id="answer">'

BASIC = NoteTypeDef(
    "Basic", "basic", ("Front", "Back"), (Template("Card 1", "{{Front}}", _ANSWER_HR + "{{Back}}"),)
)
REVERSED = NoteTypeDef(
    "Basic (and reversed card)",
    "reversed",
    ("Front", "Back"),
    (
        Template("Card 1", "{{Front}}", _ANSWER_HR + "{{Back}}"),
        Template("Card 2", "{{Back}}", _ANSWER_HR + "{{Front}}"),
    ),
)
CLOZE = NoteTypeDef(
    "Cloze",
    "cloze",
    ("Text", "Back Extra"),
    (
        Template(
            "Cloze",
            "{{cloze:Text}}",
            "{{cloze:Text}}{{#Back Extra}}<br>{{Back Extra}}{{/Back Extra}}",
        ),
    ),
)
MCQ_OPTION_FIELDS = ("A", "B", "C", "D")
MCQ = NoteTypeDef(
    "Multiple choice",
    "mcq",
    ("Stem", "A", "B", "C", "D", "Answer", "Explanation", "Why A", "Why B", "Why C", "Why D"),
    (
        Template(
            "MCQ",
            '<div class="stem">{{Stem}}</div><ol type="A" class="options">'
            "<li>{{A}}</li><li>{{B}}</li><li>{{C}}</li><li>{{D}}</li></ol>",
            _ANSWER_HR + '<div class="answer">Answer: <b>{{Answer}}</b></div>'
            '<div class="explanation">{{Explanation}}</div>',
        ),
    ),
)
BUILTINS: tuple[NoteTypeDef, ...] = (BASIC, REVERSED, CLOZE, MCQ)
BUILTIN_BY_KIND = {nt.kind: nt for nt in BUILTINS}
