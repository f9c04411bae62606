"""Every service of one open collection, built in one place (the composition root asks for
this; views receive the services they need, never the collection)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cehrs_cards.services.browse import BrowseService
from cehrs_cards.services.cards import CardService
from cehrs_cards.services.collection import Collection
from cehrs_cards.services.exams import ExamService
from cehrs_cards.services.notes import NotesService
from cehrs_cards.services.outcome import OutcomeService
from cehrs_cards.services.review import ReviewService
from cehrs_cards.services.scheduling import SchedulingService
from cehrs_cards.services.session import CollectionSession
from cehrs_cards.services.stats import StatsService
from cehrs_cards.services.transfer import TransferService


@dataclass(frozen=True)
class Services:
    review: ReviewService
    cards: CardService
    notes: NotesService
    browse: BrowseService
    exams: ExamService
    outcome: OutcomeService
    stats: StatsService
    transfer: TransferService
    scheduling: SchedulingService
    session: CollectionSession
    media_dir: Path
    data_dir: Path


def build_services(col: Collection) -> Services:
    review = ReviewService(col)
    return Services(
        review=review,
        cards=CardService(col),
        notes=NotesService(col),
        browse=BrowseService(col),
        exams=ExamService(col),
        outcome=OutcomeService(col),
        stats=StatsService(col),
        transfer=TransferService(col),
        scheduling=SchedulingService(col, review),
        session=CollectionSession(col),
        media_dir=col.media_dir,
        data_dir=col.data_dir,
    )
