from cehrs_cards.core.domains import (
    DOMAINS,
    SCORED_ITEMS,
    TASK_AREAS,
    UNASSIGNED,
    domain_key,
    parse_domain,
    task_areas_of,
)


def test_blueprint_weights_and_items_add_up():
    assert [d.id for d in DOMAINS] == [1, 2, 3, 4, 5]
    assert abs(sum(d.weight for d in DOMAINS) - 1.0) < 1e-9
    assert sum(d.scored_items for d in DOMAINS) == SCORED_ITEMS
    assert all(round(d.weight * 100) == d.scored_items for d in DOMAINS)


def test_domain_names_follow_nha_numbering():
    names = {d.id: d.name for d in DOMAINS}
    assert names[1] == "Non-Clinical Operations"
    assert names[2] == "Clinical Operations"
    assert names[5] == "Reporting"


def test_parse_domain_accepts_ids_and_names():
    assert parse_domain("3") == 3
    assert parse_domain("d2") == 2
    assert parse_domain("Reporting") == 5
    assert parse_domain("regulatory") == 4
    assert parse_domain("unassigned") == UNASSIGNED
    assert parse_domain("9") is None
    assert parse_domain("nonsense") is None


def test_every_domain_has_task_areas_with_unique_ids():
    assert len({t.id for t in TASK_AREAS}) == len(TASK_AREAS)
    for d in DOMAINS:
        assert len(task_areas_of(d.id)) >= 5
        assert all(t.id.startswith(f"{d.id}.") for t in task_areas_of(d.id))


def test_domain_key():
    assert domain_key(0) == "unassigned"
    assert domain_key(4) == "4"
