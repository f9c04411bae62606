"""Daily review of multiple-choice cards (answer before the reveal, marked after) and of cards
with [sound:] tags (real mp3, ogg and wav files decoded and played through miniaudio's null
device: the same decoders and device code, no speaker needed)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import miniaudio
import pytest
from PySide6.QtCore import Qt, QUrl

from cehrs_cards.interchange.package import NoteIn, Package
from cehrs_cards.services.importing import import_package
from cehrs_cards.ui.sound import SoundPlayer, audio_kind, sound_file
from tests.conftest import FIXTURES
from tests.ops_helpers import make_main_window, settle

AUDIO = FIXTURES / "audio"
NULL = [miniaudio.Backend.NULL]
EXPLANATION = (
    "B is right: minimum necessary limits a use to what the task needs. A is wrong: consent "
    "is a different rule. C is wrong: encryption protects data in transit and at rest. "
    "D is wrong: the notice of privacy practices describes uses."
)


def mcq_note() -> NoteIn:
    return NoteIn(
        guid="rev-mcq-1",
        notetype="Multiple choice",
        deck="Mine",
        fields={
            "Stem": "Which standard limits a disclosure to what the task needs?",
            "A": "Patient consent",
            "B": "Minimum necessary",
            "C": "Encryption",
            "D": "Notice of privacy practices",
            "Answer": "B",
            "Explanation": EXPLANATION,
            "Why A": "Consent is another rule.",
            "Why B": "Correct: minimum necessary.",
            "Why C": "Encryption is security.",
            "Why D": "The notice describes uses.",
        },
        domain=4,
    )


def sound_note() -> NoteIn:
    return NoteIn(
        guid="rev-sound-1",
        notetype="Basic",
        deck="Mine",
        fields={
            "Front": "How is HIPAA said? [sound:tone.mp3]",
            "Back": "HIP-uh [sound:tone.ogg] [sound:tone.wav] [sound:../collection.sqlite]",
        },
        domain=4,
    )


@pytest.fixture
def window(qtbot, col):
    import_package(col, Package(notes=[mcq_note()]))
    w = make_main_window(qtbot, col)
    w.reviewer.sound.close()
    w.reviewer.sound = SoundPlayer(col.media_dir, NULL)
    yield w
    w.reviewer.sound.close()


def _ratings(col) -> list[int]:
    return [r[0] for r in sqlite3.connect(col.db_path).execute("SELECT rating FROM revlog")]


def _window_keys(window) -> set[str]:
    return {k.toString() for a in window.actions() for k in a.shortcuts()}


def test_an_mcq_is_answered_with_a_letter_and_the_reveal_marks_both_options(qtbot, window, col):
    window.start_study(None)
    settle(qtbot)
    rv = window.reviewer
    assert rv.card.mcq is not None and not rv.revealed
    assert {"A", "B", "D"}.isdisjoint(_window_keys(window))  # lent to the review screen
    text = rv.browser.toPlainText()
    assert "Minimum necessary" in text and "✓" not in text  # options, nothing marked yet
    qtbot.keyClick(rv, Qt.Key.Key_C)
    settle(qtbot)
    assert rv.revealed and rv.choice == 2
    shown = rv.browser.toPlainText()
    assert "✗ your answer" in shown and "✓ right answer" in shown
    assert "Incorrect: you chose C; the answer is B." in shown
    for reason in ("limits a use to what the task needs", "encryption protects data"):
        assert shown.count(reason) == 1  # each reason said once, under its option
    assert "Encryption is security." not in shown  # the rationale repeats it: not shown too
    assert {"A", "B", "D"} <= _window_keys(window)  # given back after the reveal
    assert rv.rate_buttons[1].hasFocus()  # a wrong pick suggests Again
    qtbot.keyClick(rv, Qt.Key.Key_Space)
    settle(qtbot)
    assert _ratings(col) == [1]


def test_an_mcq_option_can_be_clicked_and_a_right_pick_suggests_good(qtbot, window, col):
    window.start_study(None)
    settle(qtbot)
    rv = window.reviewer
    rv.browser.anchorClicked.emit(QUrl("pick:1"))
    assert rv.revealed and rv.choice == 1
    assert "Correct: B." in rv.browser.toPlainText()
    assert rv.suggested() == 3
    window.show_decks()  # leaving gives every key back
    assert {"A", "B", "D"} <= _window_keys(window)


@pytest.mark.parametrize("name", ["tone.mp3", "tone.ogg", "tone.wav"])
def test_each_audio_fixture_is_real_and_decodes(name):
    data = (AUDIO / name).read_bytes()
    assert audio_kind(data[:12]) == name.rsplit(".", 1)[1]
    decoded = miniaudio.decode(data, nchannels=2, sample_rate=44_100)
    assert 0.38 < decoded.duration < 0.5  # the 0.4 s tone (mp3 adds encoder padding)
    assert max(decoded.samples) > 5000  # a tone, not silence


def test_sound_names_resolve_only_inside_the_media_folder(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    shutil.copy(AUDIO / "tone.mp3", media / "tone.mp3")
    (media / "fake.mp3").write_text("not audio")
    (tmp_path / "outside.mp3").write_bytes((AUDIO / "tone.mp3").read_bytes())
    assert sound_file("tone.mp3", media) == media / "tone.mp3"
    for bad in ("fake.mp3", "../outside.mp3", "%2e%2e%2foutside.mp3", "/etc/passwd", "missing"):
        assert sound_file(bad, media) is None, bad


def test_sounds_play_when_each_side_shows_and_r_replays(qtbot, col):
    for name in ("tone.mp3", "tone.ogg", "tone.wav"):
        shutil.copy(AUDIO / name, col.media_dir / name)
    import_package(col, Package(notes=[sound_note()]))
    window = make_main_window(qtbot, col)
    rv = window.reviewer
    rv.sound.close()
    rv.sound = SoundPlayer(col.media_dir, NULL)
    try:
        window.start_study(None)
        settle(qtbot)
        shown = rv.browser.toPlainText()
        assert "[sound:" not in shown and "Play sound" in shown
        front = rv.sound.current
        assert front is not None and [p.name for p in front.files] == ["tone.mp3"]
        assert front.done.wait(5) and front.frames > 0.38 * 44_100 and not front.failed
        qtbot.keyClick(rv, Qt.Key.Key_Space)
        settle(qtbot)
        back = rv.sound.current
        assert [p.name for p in back.files] == ["tone.ogg", "tone.wav"]  # not the front again
        assert back.done.wait(5) and back.frames > 0.76 * 44_100 and not back.failed
        assert "[sound:" not in rv.browser.toPlainText()
        qtbot.keyClick(rv, Qt.Key.Key_R)
        assert [p.name for p in rv.sound.current.files] == ["tone.ogg", "tone.wav"]
        rv.browser.anchorClicked.emit(QUrl("sound:0"))  # the front's link, still on the back
        assert [p.name for p in rv.sound.current.files] == ["tone.mp3"]
    finally:
        rv.sound.close()


def test_without_a_sound_device_the_card_still_shows_and_says_why_once(qtbot, col, tmp_path):
    player = SoundPlayer(Path(tmp_path), backends=[miniaudio.Backend.CUSTOM])
    shutil.copy(AUDIO / "tone.wav", tmp_path / "tone.wav")
    assert player.play(["tone.wav"]) is None
    assert player.unavailable and "No sound device" in player.unavailable


def test_the_window_loads_miniaudio_only_for_a_sound(tmp_path):
    """miniaudio (and cffi, urllib.request with it: 2 MB) is imported on the first sound
    played, never by the window's start-up (issue 15, peak memory). A real process."""
    code = (
        "import sys; import cehrs_cards.ui.app; from cehrs_cards.ui.sound import SoundPlayer; "
        "print('miniaudio' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False"]
