"""The held-out estimate at the top of the readiness panel: the pass chance and raw score that
the held-out model (services/held_out.py) forecasts, or why it has no number yet.

Shows StatsService.report()'s HeldOutReadiness as it is; nothing is recomputed here. The
chance is shown between 1 % and 99 % and always labelled an estimate with its assumptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from cehrs_cards.core import readiness_model as rm
from cehrs_cards.core.domains import domain_name
from cehrs_cards.services.held_out import HeldOutReadiness
from cehrs_cards.services.outcome import ExamOutcome
from cehrs_cards.services.projection import ProjectionReport
from cehrs_cards.ui.advanced import Advanced

MUTED = "color: palette(placeholder-text);"


def held_out_html(h: HeldOutReadiness) -> str:
    """The figures, or the reasons there are none, as rich text."""
    f = h.forecast
    if f is None:
        reasons = "".join(f"<li>{escape(r)}</li>" for r in h.reasons)
        return (
            "<div style='font-size:13pt'><b>Pass chance: not enough held-out answers yet"
            f"</b></div><ul>{reasons}</ul>"
        )
    hard, easy = (rm.shown(p) for p in f.pass_band)
    lo, hi = rm.CUTS[0], rm.CUTS[-1]
    weakest = min(f.domains, key=lambda d: d.share)
    return (
        f"<div style='font-size:17pt'><b>Pass chance ≈ {f.shown_pass:.0%}</b> "
        "<span style='font-size:11pt'>(estimate)</span></div>"
        f"<p>Raw <b>{f.raw:.0f}</b> of 100 scored items "
        f"({rm.LEVEL:.0%} range {f.raw_low}–{f.raw_high}). The cut is unknown: "
        f"{hard:.0%} if it is {hi}, {easy:.0%} if it is {lo}; the chance above averages "
        f"{lo}–{hi}.</p>"
        f"<p>From {h.answers} answers to held-out items in {h.mocks} "
        f"mock{'s' if h.mocks != 1 else ''}. Weakest domain: "
        f"{escape(domain_name(weakest.domain))} (about {weakest.share:.0%} right; "
        f"deck coverage {weakest.coverage:.0%}, est.).</p>"
    )


def outcomes_html(outcomes: Sequence[ExamOutcome]) -> str:
    """Each real exam the candidate told the app about, beside that morning's estimate."""
    rows = []
    for o in outcomes:
        if o.passed is None:
            continue
        result = "passed" if o.passed else "did not pass"
        scaled = f", scaled {o.scaled}" if o.scaled is not None else ""
        p = o.prediction
        if p.pass_probability is None or p.raw_range is None:
            said = f"no estimate that morning ({p.answers} held-out answers)"
        else:
            said = (
                f"that morning's estimate: pass chance {p.pass_probability:.0%}, raw "
                f"{p.raw:.0f} ({p.raw_range[0]}–{p.raw_range[1]}), from {p.answers} answers"
            )
        rows.append(f"<li>Exam of {o.exam_date:%d %b %Y}: you {result}{scaled}; {said}.</li>")
    if not rows:
        return ""
    return f"<b>Your exam and the estimate</b><ul style='margin-left:-20px'>{''.join(rows)}</ul>"


def projection_html(r: ProjectionReport) -> str:
    """The exam-day projection, or why there is none."""
    p = r.projection
    if p is None:
        return "<p>" + " ".join(escape(x) for x in r.reasons) + "</p>"
    f, inp = p.forecast, r.inputs
    habits = ""
    if inp is not None:
        habits = (
            f" Simulated with your memory parameters, answer times and about "
            f"{inp.daily_minutes:.0f} minutes a day, {inp.new_per_day} new cards a day at most."
        )
    return (
        f"<p><b>On exam day ({p.exam:%d %b %Y}), if you keep studying as lately:</b> pass "
        f"chance ≈ <b>{f.shown_pass:.0%}</b>, raw <b>{f.raw:.0f}</b> ({rm.LEVEL:.0%} range "
        f"{f.raw_low}–{f.raw_high}; {p.runs} simulated futures give {p.raw_range[0]:.0f}–"
        f"{p.raw_range[1]:.0f}) (estimate).{habits}</p>"
    )


def assumptions_html(h: HeldOutReadiness) -> str:
    notes = "".join(f"<li>{escape(a)}</li>" for a in h.assumptions)
    return f"<ul style='margin-left:-20px'>{notes}</ul>"


class HeldOutPanel(QWidget):
    """The held-out estimate: headline figures, the exam-day projection on request, real
    exam results and, muted, its assumptions."""

    sig_project = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headline = QLabel()
        self.headline.setObjectName("heldOutHeadline")
        self.project = QPushButton("Project to exam day (simulation)")
        self.project.setToolTip("Simulate your own study up to the exam date (a few seconds)")
        self.projection = QLabel()
        self.projection.setObjectName("heldOutProjection")
        self.outcomes = QLabel()
        self.outcomes.setObjectName("heldOutOutcomes")
        self.assumptions = QLabel()
        self.assumptions.setObjectName("heldOutAssumptions")
        self.assumptions.setStyleSheet(MUTED)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        for lb in (self.headline, self.projection, self.outcomes, self.assumptions):
            lb.setWordWrap(True)
            lb.setTextFormat(Qt.TextFormat.RichText)
            lb.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if lb is not self.assumptions:
                box.addWidget(lb)
        self.how = Advanced("Advanced: how this is estimated")  # folded: plain words first
        self.how.add_widget(self.assumptions)
        box.addWidget(self.how)
        box.insertWidget(1, self.project, 0, Qt.AlignmentFlag.AlignLeft)
        self.project.clicked.connect(self.sig_project)
        self.projection.hide()

    def show_held_out(self, h: HeldOutReadiness, outcomes: Sequence[ExamOutcome] = ()) -> None:
        self.headline.setText(held_out_html(h))
        text = outcomes_html(outcomes)
        self.outcomes.setText(text)
        self.outcomes.setVisible(bool(text))
        self.project.setVisible(h.forecast is not None)
        self.assumptions.setText(assumptions_html(h))

    def show_projecting(self) -> None:
        self.project.setEnabled(False)
        self.projection.setText("<p>Simulating your study to exam day…</p>")
        self.projection.show()

    def show_projection(self, r: ProjectionReport | Exception) -> None:
        self.project.setEnabled(True)
        text = projection_html(r) if isinstance(r, ProjectionReport) else escape(str(r))
        self.projection.setText(text)
        self.projection.show()
