"""Issue 14, text decks and names: deep or mistyped TOML, huge files, deep deck names, media
names Windows or the eye would misread, and text that made a regex rescan to the end."""

from __future__ import annotations

import random
import re

import pytest
from sqlmodel import select

from cehrs_cards.db.models import Deck
from cehrs_cards.db.repo import ensure_deck
from cehrs_cards.interchange import text_csv
from cehrs_cards.interchange.native import read_native, read_native_file
from cehrs_cards.interchange.package import DeckFormatError
from cehrs_cards.interchange.zipsafe import PackageError, safe_media_name
from cehrs_cards.services.transfer import import_file
from tests.interchange import hostile
from tests.interchange.test_hostile import snapshot

GOOD = 'id = "n1"\ntype = "basic"\ndomain = 1\nfront = "Q"\nback = "A"\n'


def deck_file(tmp_path, body: str, head: str = "format = 1\n"):
    path = tmp_path / "deck.toml"
    path.write_text(head + body, encoding="utf-8")
    return path


def test_a_plain_deck_file_reads(tmp_path):
    notes = read_native_file(deck_file(tmp_path, "[[notes]]\n" + GOOD + 'tags = ["a", "b"]\n'))
    assert notes[0].fields == {"Front": "Q", "Back": "A"} and notes[0].tags == ["a", "b"]


def test_deeply_nested_toml_is_refused(mini_col, tmp_path):
    path = deck_file(tmp_path, "x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    before = snapshot(mini_col)
    with pytest.raises(
        DeckFormatError, match=r"deck.toml: not a deck file \(it nests too deeply\)"
    ):
        import_file(mini_col, path)
    assert snapshot(mini_col) == before


MISTYPED = {
    "front is a table": (
        GOOD.replace('front = "Q"', "front = {x = 1}"),
        "front must be text, not a table",
    ),
    "tags is text": (GOOD + 'tags = "abc"\n', "tags must be a list of text"),
    "tags holds a number": (GOOD + "tags = [1]\n", "tags must be a list of text"),
    "options is text": (
        'id = "m"\ntype = "mcq"\ndomain = 1\nstem = "S"\noptions = "abcd"\nanswer = "A"\n'
        'explanation = "E"\n',
        "options must be a list of text",
    ),
    "answer is a number": (
        'id = "m"\ntype = "mcq"\ndomain = 1\nstem = "S"\noptions = ["a","b","c","d"]\n'
        'answer = 1\nexplanation = "E"\n',
        "answer must be text, not a number",
    ),
    "domain is true": (GOOD.replace("domain = 1", "domain = true"), "domain must be 0..5"),
    "id is a date": (GOOD.replace('id = "n1"', "id = 2024-01-01"), "id must be text, not a date"),
    "source is a list": (GOOD + 'source = ["x"]\n', "source must be text, not a list"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(MISTYPED))
def test_mistyped_fields_are_named_with_file_and_note(tmp_path, case):
    body, message = MISTYPED[case]
    path = deck_file(tmp_path, "[[notes]]\n" + GOOD.replace('"n1"', '"n0"') + "[[notes]]\n" + body)
    with pytest.raises(DeckFormatError, match=r"deck\.toml note 2\b.*" + re.escape(message)):
        read_native_file(path)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("notes = 5\n", "'notes' a list of tables"),
        ("deck = 3\nnotes = []\n", "'deck' must be text"),
        ("notes = [1]\n", "note 1: a note must be a table"),
        ("format = 2\n", "unsupported format 2"),
    ],
)
def test_mistyped_top_level_is_named(tmp_path, body, message):
    head = "" if body.startswith("format") else "format = 1\n"
    with pytest.raises(DeckFormatError, match=re.escape(message)):
        read_native_file(deck_file(tmp_path, body, head))


def test_a_2_gb_deck_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.toml"
    with path.open("wb") as f:
        f.truncate(2 * 1024**3)  # sparse: nothing is written, reading it would need 4 GB
    with pytest.raises(DeckFormatError, match=r"huge\.toml: the file is 2,048 MB; a deck file may"):
        read_native_file(path)


def test_a_folder_of_deck_files_has_a_total_cap(tmp_path):
    for i in range(9):
        with (tmp_path / f"part{i}.toml").open("wb") as f:
            f.truncate(60 * 1024**2)
    with pytest.raises(DeckFormatError, match="hold 540 MB together; the limit is 512 MB"):
        read_native(tmp_path)


def test_deck_names_thousands_of_levels_deep_are_refused(tmp_path):
    deep = "::".join(f"L{i}" for i in range(5000))
    path = deck_file(tmp_path, f'deck = "{deep}"\n[[notes]]\n' + GOOD)
    with pytest.raises(DeckFormatError, match="5,000 levels; the limit is 100"):
        read_native_file(path)
    csv = tmp_path / "deep.txt"
    csv.write_text(f"#separator:tab\n#deck column:3\nQ\tA\t{deep}\n", encoding="utf-8")
    with pytest.raises(DeckFormatError, match="row 3: a deck name has 5,000 levels"):
        text_csv.read_text(csv)


def test_ensure_deck_walks_a_deep_name_without_recursion(col):
    """1,500 levels (past Python's recursion limit: an error before) cost no recursion and at
    most MAX_DEPTH rows: the levels past the limit become one last level."""
    from cehrs_cards.core.decks import MAX_DEPTH

    deep = "::".join(f"L{i}" for i in range(1500))
    with col.transaction() as s:
        leaf = ensure_deck(s, deep)
    with col.read() as s:
        decks = {d.id: d for d in s.exec(select(Deck))}
    name = decks[leaf].name
    assert name.count("::") == MAX_DEPTH - 1 and name.endswith("L1498 L1499")
    assert len(decks) <= MAX_DEPTH + 1
    parent = decks[decks[leaf].parent_id]
    assert parent.name == name.rsplit("::", 1)[0]


@pytest.mark.parametrize(
    "name",
    [
        "COM¹",
        "com².png",
        "LPT³.txt",
        "CONIN$",
        "conout$.png",
        "con .png",
        "AUX. .png",
        "a\u202egnp.exe",
        "zero\u200bwidth.png",
        "\ufeffbom.png",
        "\u2066isolate.png",
        "line\u2028break.png",
        "\ud800.png",
        "private\ue000.png",
    ],
)
def test_names_windows_or_the_eye_would_misread_are_refused(name):
    with pytest.raises(PackageError, match="unsafe media file name"):
        safe_media_name(name)


def test_misreadable_media_name_refuses_the_package(mini_col, made, tmp_path):
    path = hostile.legacy_media_name(made["anki21"], tmp_path, "x\u202egnp.exe", "bidi")
    before = snapshot(mini_col)
    with pytest.raises(DeckFormatError, match="unsafe media file name"):
        import_file(mini_col, path)
    assert snapshot(mini_col) == before


def test_ordinary_media_names_still_pass():
    for name in ("console.png", "com10.png", "image 1 (copy).png", "日本語.jpg", "a-b_c.mp3"):
        assert safe_media_name(name) == name


OLD_HTML_TAG = re.compile(r"<[a-zA-Z/][^>]*>|&[a-z]+;|&#\d+;")


def test_html_detection_gives_what_the_tag_regex_gave():
    pieces = ["<", ">", "a", "/", "<b>", "&amp;", "&#1;", "&x", " ", "</", "1"]
    rng = random.Random(9)
    for _ in range(20_000):
        cell = "".join(rng.choices(pieces, k=rng.randint(0, 10)))
        assert text_csv._looks_like_html(cell) == bool(OLD_HTML_TAG.search(cell)), cell
    assert not text_csv._looks_like_html("<a" * 500_000)  # the regex rescanned: quadratic
