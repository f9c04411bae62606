"""Fitting the user's own FSRS parameters (fsrs-rs, no torch), kept only on evidence.

New parameters must predict reviews they were not fitted to better than the current ones:
the review history is cut in time order as fsrs-rs's time-series split does (6 segments;
fold k fits on segments 0..k and predicts segment k+1), both parameter sets are scored on
the same held-out segments with the same measure, and the new set is kept only if it is
better there by a margin on log loss and no worse on RMSE (bins). Outliers are filtered as
fsrs-rs filters them (`filter_outlier`), and too little data, or a log without both
successes and failures, keeps the current parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from cehrs_cards.core.history import LogEntry, TrainingItem, training_sequences
from cehrs_cards.core.ops import Cancelled as OpsCancelled
from cehrs_cards.core.scheduling import DEFAULT_PARAMETERS
from cehrs_cards.db import revlog
from cehrs_cards.services.collection import Collection

Progress = Callable[[int, int], bool]
MIN_ITEMS = 400
"""Long-term reviews (answers on a later study day than the one before) needed to fit."""
MIN_EACH = 20
"""Failures and successes each needed among them (all Good or all Again teaches nothing)."""
FOLDS = 5
MIN_GAIN = 0.01
"""Relative held-out log-loss gain the new parameters need: 1% (fitting noise to a learner
who follows the defaults gained up to 0.5% in 10 synthetic runs)."""


class Cancelled(OpsCancelled):
    """The user cancelled a reschedule or an optimisation; nothing was written."""


@dataclass(frozen=True)
class Fit:
    log_loss: float
    rmse_bins: float

    def to_json(self) -> dict[str, float]:
        return {"log_loss": round(self.log_loss, 5), "rmse_bins": round(self.rmse_bins, 5)}


@dataclass(frozen=True)
class OptimiseReport:
    """Current and new parameters scored on the same held-out reviews, and which were kept."""

    cards: int
    reviews: int
    items: int
    old: tuple[float, ...]
    new: tuple[float, ...]
    old_fit: Fit | None
    new_fit: Fit | None
    kept: str  # "new" | "old"
    reason: str
    held_out: int = 0
    """Reviews both sets were scored on (fitted on earlier reviews only)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "cards": self.cards,
            "reviews": self.reviews,
            "items": self.items,
            "held_out_reviews": self.held_out,
            "scored_on": "held-out reviews (time-series split: fitted on earlier reviews)",
            "kept": self.kept,
            "reason": self.reason,
            "old": {"parameters": [round(w, 4) for w in self.old], **_fit_json(self.old_fit)},
            "new": {"parameters": [round(w, 4) for w in self.new], **_fit_json(self.new_fit)},
        }


def _fit_json(fit: Fit | None) -> dict[str, Any]:
    return fit.to_json() if fit else {"log_loss": None, "rmse_bins": None}


def is_better(old: Fit, new: Fit) -> bool:
    """New parameters win only with a real held-out gain in log loss and no worse RMSE."""
    gain = old.log_loss - new.log_loss
    return gain > MIN_GAIN * old.log_loss and new.rmse_bins <= old.rmse_bins


def optimise_parameters(col: Collection, progress: Progress | None = None) -> OptimiseReport:
    """Fit FSRS parameters to the review log; save them only on held-out evidence."""
    settings = col.settings()
    old = tuple(settings.parameters or DEFAULT_PARAMETERS)
    histories = load_histories(col)
    seqs = training_sequences(histories.values(), col.study_days())
    report = decide(old, seqs, progress)
    report = replace(report, cards=len(histories), reviews=sum(map(len, histories.values())))
    if report.kept == "new":
        col.save_settings(replace(settings, parameters=report.new))
    return report


def decide(
    old: tuple[float, ...], seqs: Sequence[TrainingItem], progress: Progress | None = None
) -> OptimiseReport:
    """Fit and score new parameters against `old` on training items in time order (pure of
    the database: the simulation's synthetic learners use it as it is)."""
    import fsrs_rs_python as rs

    items = filtered([rs.FSRSItem([rs.FSRSReview(r, d) for r, d in s.reviews]) for s in seqs])
    base = OptimiseReport(0, 0, len(items), old, old, None, None, "old", "")
    if (why := too_little(len(items), [s.reviews[-1][0] for s in seqs])) is not None:
        return replace(base, reason=why)
    _step(progress, 1, FOLDS + 2)
    old_fit, new_fit, held = held_out_scores(old, items, progress)
    new = tuple(float(w) for w in rs.FSRS(list(old)).compute_parameters(items))
    _step(progress, FOLDS + 2, FOLDS + 2)
    better = is_better(old_fit, new_fit)
    reason = (
        "new parameters predict reviews they were not fitted to better"
        if better
        else "no better on held-out reviews"
    )
    kept = "new" if better else "old"
    return replace(
        base, new=new, old_fit=old_fit, new_fit=new_fit, kept=kept, reason=reason, held_out=held
    )


def filtered(items: list[Any]) -> list[Any]:
    """Long-term items with fsrs-rs's outliers removed (rare first-answer/interval pairs)."""
    import fsrs_rs_python as rs

    items = [i for i in items if i.long_term_review_cnt() > 0]
    first = [i for i in items if i.long_term_review_cnt() == 1]
    if not first:
        return items
    _, kept = rs.filter_outlier(first, items)
    return list(kept)


def too_little(items: int, ratings: Sequence[int]) -> str | None:
    """Why `items` long-term reviews (after outliers), answered `ratings`, cannot support new
    parameters; None if they can."""
    failed = sum(1 for r in ratings if r == 1)
    if failed < MIN_EACH or len(ratings) - failed < MIN_EACH:
        return (
            f"{failed} failed and {len(ratings) - failed} recalled long-term reviews; "
            f"at least {MIN_EACH} of each are needed"
        )
    if items < MIN_ITEMS:
        return f"only {items} long-term reviews; at least {MIN_ITEMS} are needed"
    return None


def held_out_scores(
    old: tuple[float, ...], items: list[Any], progress: Progress | None
) -> tuple[Fit, Fit, int]:
    """Old and freshly fitted parameters scored on the same later segments, fold by fold."""
    import fsrs_rs_python as rs

    seg = len(items) // (FOLDS + 1)
    sums = [0.0, 0.0, 0.0, 0.0]
    held = 0
    for k in range(FOLDS):
        start, end = (k + 1) * seg, len(items) if k == FOLDS - 1 else (k + 2) * seg
        train, test = items[:start], items[start:end]
        fitted = rs.FSRS(list(old)).compute_parameters(train)
        for i, params in enumerate((list(old), fitted)):
            ev = rs.FSRS(params).evaluate(test)
            sums[2 * i] += ev.log_loss * len(test)
            sums[2 * i + 1] += ev.rmse_bins * len(test)
        held += len(test)
        _step(progress, k + 2, FOLDS + 2)
    return Fit(sums[0] / held, sums[1] / held), Fit(sums[2] / held, sums[3] / held), held


def _step(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and not progress(done, total):
        raise Cancelled("Optimising cancelled; nothing was changed.")


def load_histories(col: Collection) -> dict[int, list[LogEntry]]:
    """Every card's review log in time order, resets included (training starts each card
    again after its last one: core.history.training_sequences)."""
    with col.read() as s:
        return revlog.log_entries(s)
