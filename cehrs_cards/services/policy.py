"""The user's scheduling settings as a core Policy (before the day's exam plan): a module of
its own, so that an import bringing Anki's history in gets it without the study services."""

from __future__ import annotations

from cehrs_cards.core.scheduling import DEFAULT_PARAMETERS, Policy
from cehrs_cards.db.settings import Settings


def base_policy(settings: Settings) -> Policy:
    """The user's scheduling settings, before today's exam plan is applied."""
    return Policy(
        base_retention=settings.base_retention,
        tilt=settings.tilt,
        parameters=settings.parameters or DEFAULT_PARAMETERS,
        fuzz=settings.fuzz,
    )
