"""Reading every .apkg variant made by the real tools: notes, cards, tags, decks, media."""

from __future__ import annotations

import pytest

from cehrs_cards.interchange.apkg_read import read_apkg
from tests.fixtures.apkg import make_fixtures as fx

VARIANTS = {
    "genanki": "Anki package (collection.anki2)",
    "anki21": "Anki package (collection.anki21)",
    "anki21b": "Anki package (collection.anki21b)",
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_variant_reads_every_note_card_tag_and_image(made, variant, tmp_path):
    pkg = read_apkg(made[variant], media_dir=tmp_path)
    assert pkg.format == VARIANTS[variant]
    by_guid = {n.guid: n for n in pkg.notes}
    assert set(by_guid) == set(fx.GUIDS.values())
    basic, rev, cloze = (by_guid[fx.GUIDS[k]] for k in ("basic", "reversed", "cloze"))
    assert list(basic.fields.values()) == list(fx.BASIC)
    assert list(rev.fields.values()) == list(fx.REVERSED)
    assert list(cloze.fields.values()) == list(fx.CLOZE)
    assert sorted(basic.tags) == sorted(fx.TAGS["basic"])
    assert sorted(cloze.tags) == sorted(fx.TAGS["cloze"])
    assert [c.ord for c in rev.cards] == [0, 1] and [c.ord for c in cloze.cards] == [0, 1]
    assert sum(len(n.cards) for n in pkg.notes) == fx.EXPECTED_CARDS
    assert basic.deck == fx.DECK_HIPAA and cloze.deck == fx.DECK_MISC
    assert pkg.notetypes[cloze.notetype].kind == "cloze"
    assert pkg.notetypes[rev.notetype].kind == "reversed"
    assert sorted(pkg.media_files) == sorted(fx.MEDIA)
    media_src = made["genanki"].parent / "media-src"
    for name, path in pkg.media_files.items():
        assert path.read_bytes() == (media_src / name).read_bytes()


def test_current_package_is_read_from_anki21b_not_the_dummy(made):
    import zipfile

    names = zipfile.ZipFile(made["anki21b"]).namelist()
    assert "collection.anki2" in names and "collection.anki21b" in names  # the dummy is there
    pkg = read_apkg(made["anki21b"])
    assert len(pkg.notes) == 3 and not any("update" in n.fields.get("Front", "") for n in pkg.notes)


@pytest.mark.parametrize("variant", ["anki21", "anki21b"])
def test_scheduling_and_review_history_come_along(made, variant):
    pkg = read_apkg(made[variant])
    assert pkg.has_scheduling and pkg.history is not None  # read card by card, not held
    logs = {c.anki_id: pkg.history_of(c) for n in pkg.notes for c in n.cards}
    studied = [c for n in pkg.notes for c in n.cards if logs[c.anki_id]]
    assert len(studied) == 2
    assert {r.rating for c in studied for r in logs[c.anki_id]} == {3, 4}
    review = next(c for c in studied if c.kind == 2)
    assert review.interval_days > 0 and review.due is not None
    folder = pkg.history.folder
    pkg.close()
    assert not folder.exists() and pkg.history is None


def test_genanki_package_has_no_scheduling(made):
    assert not read_apkg(made["genanki"]).has_scheduling


def test_preview_read_does_not_extract_media(made):
    pkg = read_apkg(made["anki21b"])
    assert pkg.media_files == {} and sorted(pkg.media_names) == sorted(fx.MEDIA)


def test_whole_collection_backup_colpkg_reads_too(tmp_path):
    media = fx.write_media(tmp_path / "media")
    col = fx.make_anki_collection(tmp_path / "c.anki2", media)
    path = tmp_path / "all.colpkg"
    try:
        col.export_collection_package(str(path), include_media=True, legacy=False)
    finally:
        col.close()
    pkg = read_apkg(path, media_dir=tmp_path)
    assert len(pkg.notes) == 3 and sum(len(n.cards) for n in pkg.notes) == fx.EXPECTED_CARDS
    assert sorted(pkg.media_files) == sorted(fx.MEDIA)


@pytest.mark.parametrize("with_history", [False, True])
def test_cards_stored_out_of_ordinal_order_read_in_ordinal_order(made, tmp_path, with_history):
    """Rows come in table order when no history is read: a note whose second card is stored
    first still lists its cards by ordinal, each with its own deck."""
    from tests.interchange import hostile

    swapped = hostile.edited_collection(
        made["anki21"],
        tmp_path,
        "swapped",
        "UPDATE cards SET id = 1, did = (SELECT max(did) FROM cards) "
        f"WHERE ord = 1 AND nid = (SELECT id FROM notes WHERE guid = '{fx.GUIDS['reversed']}')",
    )
    pkg = read_apkg(swapped, with_history=with_history)
    rev = next(n for n in pkg.notes if n.guid == fx.GUIDS["reversed"])
    assert [c.ord for c in rev.cards] == [0, 1]
    plain = read_apkg(made["anki21"], with_history=with_history)
    assert sum(len(n.cards) for n in pkg.notes) == sum(len(n.cards) for n in plain.notes)
    assert rev.cards[0].deck == next(n for n in plain.notes if n.guid == rev.guid).cards[0].deck
