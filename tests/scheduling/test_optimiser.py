"""The optimiser keeps new parameters only on held-out evidence (issue 18 item 10): synthetic
learners whose true parameters are the defaults must keep the defaults."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from cehrs_cards.core.clock import StudyDays
from cehrs_cards.core.history import LogEntry, training_sequences
from cehrs_cards.core.memory_model import recall
from cehrs_cards.core.records import CardState, Rating
from cehrs_cards.core.scheduling import DEFAULT_PARAMETERS, Policy, Schedulers, new_state
from cehrs_cards.core.simulate import learner_parameters
from cehrs_cards.services.optimise import decide

DAYS = StudyDays(UTC, 4)
START = datetime(2026, 1, 5, 9, tzinfo=UTC)


def learner_log(seed: int, truth=DEFAULT_PARAMETERS, cards=260, days=60, rate=None):
    """A learner studying with the app's scheduler (default parameters) whose memory
    follows `truth`: answers Again with probability 1 - R, else Hard/Good/Easy."""
    rng = random.Random(seed)
    sched = Schedulers(Policy(fuzz=True), DAYS)
    decay = truth[20]
    real = Schedulers(Policy(parameters=tuple(truth), fuzz=False), DAYS)
    logs: dict[int, list[LogEntry]] = {}
    state, true = {}, {}
    per_day = cards // (days - 10)
    for day in range(days):
        now = START + timedelta(days=day)
        for i in range(day * per_day, min(cards, (day + 1) * per_day)):
            state[i + 1] = true[i + 1] = new_state(now)
        for _ in range(6):  # learning steps come back within the session
            for cid in [c for c, m in state.items() if m.due <= now]:
                m, t = state[cid], true[cid]
                if rate is not None:
                    rating = rate
                elif t.state == CardState.NEW:
                    rating = rng.choices([1, 2, 3, 4], [0.24, 0.09, 0.5, 0.17])[0]
                elif rng.random() >= recall(t.stability, DAYS.elapsed(t.last_review, now), decay):
                    rating = 1
                else:
                    rating = rng.choices([2, 3, 4], [0.22, 0.63, 0.15])[0]
                state[cid] = sched.answer(cid, 0, m, Rating(rating), now)
                true[cid] = real.answer(cid, 0, t, Rating(rating), now)
                logs.setdefault(cid, []).append(LogEntry(now, rating))
            now += timedelta(minutes=11)
    return list(logs.values())


def _decide(logs):
    return decide(DEFAULT_PARAMETERS, training_sequences(logs, DAYS))


def test_default_learners_keep_the_defaults_in_at_least_9_runs_of_10():
    reports = [_decide(learner_log(seed)) for seed in range(10)]
    assert all(r.items >= 400 for r in reports), [r.items for r in reports]
    kept = [r for r in reports if r.kept == "new"]
    assert len(kept) <= 1, [(r.old_fit, r.new_fit) for r in reports]
    for r in reports:  # never kept when held-out is worse
        assert r.kept == "old" or r.new_fit.log_loss < r.old_fit.log_loss


def test_a_learner_unlike_the_defaults_gets_new_parameters():
    truth = list(learner_parameters(3, 0.0))
    truth[0:4] = [2.0, 5.0, 12.0, 30.0]  # remembers far better than the defaults assume
    report = _decide(learner_log(3, truth=truth, cards=240))
    assert report.kept == "new", (report.old_fit, report.new_fit, report.reason)
    assert report.new_fit.log_loss < report.old_fit.log_loss


@pytest.mark.parametrize("rating", [Rating.GOOD, Rating.AGAIN])
def test_all_good_and_all_again_logs_keep_the_defaults(rating):
    report = _decide(learner_log(1, rate=int(rating), cards=120, days=40))
    assert report.kept == "old" and report.new == DEFAULT_PARAMETERS
    assert "at least 20 of each" in report.reason
