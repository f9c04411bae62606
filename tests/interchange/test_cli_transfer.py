"""`cehrs-cards import / export / cards` from the command line: exit codes and JSON."""

from __future__ import annotations

import json

import pytest

from cehrs_cards.cli import main
from tests.fixtures.apkg import make_fixtures as fx
from tests.interchange import hostile


@pytest.fixture(autouse=True)
def no_bundled_deck(monkeypatch, tmp_path):
    monkeypatch.setenv("CEHRS_CARDS_DECKS_DIR", str(tmp_path / "no-bundled-deck"))


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_then_cards_lists_every_note(capsys, made, tmp_path):
    data = tmp_path / "data"
    code, out, _ = run(capsys, "--data-dir", data, "import", made["anki21b"], "--json")
    assert code == 0
    summary = json.loads(out)
    assert (summary["notes_added"], summary["cards_added"], summary["media_added"]) == (3, 5, 2)
    code, out, _ = run(capsys, "--data-dir", data, "cards", "--json", "--deck", "Anki Shared")
    notes = {n["id"]: n for n in json.loads(out)}
    assert code == 0 and set(notes) == set(fx.GUIDS.values())
    cloze = notes[fx.GUIDS["cloze"]]
    assert (cloze["cards"], cloze["domain"], sorted(cloze["tags"])) == (2, 3, ["billing", "coding"])
    assert cloze["fields"]["Text"] == fx.CLOZE[0]


def test_domain_option_and_preview(capsys, made, tmp_path):
    data = tmp_path / "data"
    code, out, _ = run(capsys, "--data-dir", data, "import", made["genanki"], "--preview", "--json")
    preview = json.loads(out)
    assert (
        code == 0
        and preview["notes"] == 3
        and {d["proposed_domain"] for d in preview["decks"]} == {3, 4}
    )
    code, out, _ = run(capsys, "--data-dir", data, "cards", "--json")
    assert json.loads(out) == []  # the preview wrote nothing
    code, out, _ = run(
        capsys, "--data-dir", data, "import", made["genanki"], "--domain", "2", "--json"
    )
    assert json.loads(out)["notes_by_domain"] == {"2": 3}


def test_deck_domain_option(capsys, made, tmp_path):
    data = tmp_path / "data"
    args = ["--deck-domain", f"{fx.DECK_MISC}=Reporting"]
    code, out, _ = run(capsys, "--data-dir", data, "import", made["anki21"], *args, "--json")
    assert code == 0 and json.loads(out)["notes_by_domain"] == {"4": 2, "5": 1}


def test_export_writes_a_package(capsys, made, tmp_path):
    data = tmp_path / "data"
    run(capsys, "--data-dir", data, "import", made["anki21b"])
    out_file = tmp_path / "out.apkg"
    code, out, _ = run(capsys, "--data-dir", data, "export", out_file, "--deck", "Anki Shared")
    assert code == 0 and out_file.exists() and "notes: 3" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["import", "missing.apkg"], "does not exist"),
        (["import", "NOTAZIP", "--json"], "not a zip file"),
        (["import", "NOTAZIP", "--domain", "9"], "unknown domain"),
        (["export", "x.docx"], "export to"),
        (["export", "x.apkg", "--deck", "Nope"], "no deck named"),
    ],
)
def test_errors_exit_non_zero_with_a_message_on_stderr(capsys, tmp_path, argv, message):
    bad = hostile.not_a_zip(tmp_path)
    argv = [str(bad) if a == "NOTAZIP" else a for a in argv]
    argv = [
        str(tmp_path / a) if a.endswith((".apkg", ".docx")) and "/" not in a else a for a in argv
    ]
    code, out, err = run(capsys, "--data-dir", tmp_path / "data", *argv)
    assert code != 0 and message in err and out == ""


def test_data_dir_may_follow_the_sub_command(capsys, made, tmp_path):
    data = tmp_path / "data"
    code, out, _ = run(capsys, "import", made["genanki"], "--data-dir", data, "--json")
    assert code == 0 and json.loads(out)["notes_added"] == 3
    code, out, _ = run(capsys, "cards", "--json", "--data-dir", data)
    assert len(json.loads(out)) == 3 and (data / "collection.sqlite").exists()


def test_export_will_not_replace_a_file_without_force(capsys, made, tmp_path):
    data = tmp_path / "data"
    run(capsys, "--data-dir", data, "import", made["anki21b"])
    for name in ("out.apkg", "out.txt", "out.toml"):
        target = tmp_path / name
        target.write_bytes(b"mine")
        code, out, err = run(capsys, "--data-dir", data, "export", target)
        assert (code, out, target.read_bytes()) == (2, "", b"mine")
        assert "already exists" in err and "--force" in err
        code, out, _ = run(capsys, "--data-dir", data, "export", target, "--force", "--json")
        assert code == 0 and json.loads(out)["notes"] == 3 and target.read_bytes() != b"mine"


def test_export_scheduling_flag_carries_the_review_log(capsys, made, tmp_path):
    import sqlite3
    import zipfile

    data = tmp_path / "data"
    run(capsys, "--data-dir", data, "import", made["anki21b"], "--scheduling")
    counts = []
    for flag in ([], ["--scheduling"]):
        out_file = tmp_path / f"out{len(flag)}.apkg"
        code, out, err = run(capsys, "--data-dir", data, "export", out_file, *flag, "--json")
        assert code == 0, err
        db = tmp_path / f"col{len(flag)}"
        db.write_bytes(zipfile.ZipFile(out_file).read("collection.anki21"))
        with sqlite3.connect(db) as con:
            counts.append(con.execute("SELECT count(*) FROM revlog").fetchone()[0])
        assert json.loads(out)["reviews"] == (counts[-1] if flag else None)
        con.close()
    assert counts[0] == 0 and counts[1] > 0
    code, _, err = run(capsys, "--data-dir", data, "export", tmp_path / "x.txt", "--scheduling")
    assert code == 2 and "only in an .apkg" in err
