"""Today's readiness model (memory only), kept as the calibration study's baseline."""

from cehrs_cards.core.readiness import (  # noqa: F401
    MockScore,
    estimate,
    item_probability,
    mock_score,
    too_little,
)
