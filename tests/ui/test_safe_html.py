"""A stranger's deck cannot make Qt read a file: images only from the media folder, every
name escaped. Each test builds the hostile input and looks at what Qt actually shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QImage, QTextDocument
from PySide6.QtWidgets import QLabel, QWidget

from cehrs_cards.ui.safe_html import (
    ZWSP,
    SafeTextBrowser,
    breakable,
    esc,
    inline_media,
    media_file,
    tip,
)


def red_share(widget: QWidget) -> float:
    """Share of the widget's pixels that are pure-ish red (the test images are red)."""
    widget.repaint()
    img = widget.grab().toImage()
    hits = total = 0
    for x in range(0, img.width(), 3):
        for y in range(0, img.height(), 3):
            c = img.pixelColor(x, y)
            total += 1
            hits += c.red() > 200 and c.green() < 60 and c.blue() < 60
    return hits / max(1, total)


def _red(path: Path) -> Path:
    img = QImage(60, 60, QImage.Format.Format_RGB32)
    img.fill(QColor("red"))
    assert img.save(str(path))
    return path


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """An image outside the media folder that a hostile deck wants shown."""
    return _red(tmp_path / "secret.png")


@pytest.fixture
def media(tmp_path: Path) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    _red(folder / "ok.png")
    return folder


def hostile_srcs(secret: Path) -> list[str]:
    p = secret.as_posix()
    enc = p.replace("/", "%2F")
    return [
        p,
        enc,
        enc.replace("%2F", "%252F"),
        f"file://{p}",
        "..%2Fsecret.png",
        "%2E%2E%2Fsecret.png",
        "../secret.png",
        f"{p}%00.png",
        "/dev/zero",
        "%2Fdev%2Fzero",
        "\\\\host\\share\\x.png",
        "%5C%5Chost%5Cshare%5Cx.png",
    ]


def test_plain_qt_would_read_the_file(qtbot, secret: Path):
    """The threat is real: an ordinary QLabel shows a file named by a percent-encoded src."""
    label = QLabel(f'<img src="{secret.as_posix().replace("/", "%2F")}">')
    qtbot.addWidget(label)
    label.resize(200, 200)
    label.show()
    assert red_share(label) > 0.01


def test_no_hostile_src_reaches_qt(qtbot, media: Path, secret: Path):
    for src in hostile_srcs(secret):
        html = inline_media(f'x <img src="{src}"> y', media)
        assert "<img" not in html, src
        for widget in (QLabel(html), SafeTextBrowser()):
            qtbot.addWidget(widget)
            if isinstance(widget, SafeTextBrowser):
                widget.setHtml(html)
            widget.resize(200, 200)
            widget.show()
            assert red_share(widget) == 0, src


def test_safe_browser_refuses_whatever_qt_asks_for(qtbot, secret: Path):
    browser = SafeTextBrowser()
    qtbot.addWidget(browser)
    browser.setHtml(f'<img src="{secret.as_posix()}"><img src="file://{secret.as_posix()}">')
    browser.resize(300, 200)
    browser.show()
    assert red_share(browser) == 0
    got = browser.loadResource(QTextDocument.ResourceType.ImageResource, QUrl(secret.as_posix()))
    assert isinstance(got, QImage) and got.width() == 1


def test_media_images_are_shown_inline(qtbot, media: Path):
    html = inline_media('<img src="ok.png" alt="chart">', media)
    assert html.startswith('<img src="data:image/png;base64,') and 'alt="chart"' in html
    label = QLabel(html)
    qtbot.addWidget(label)
    label.resize(200, 200)
    label.show()
    assert red_share(label) > 0.01


def test_media_file_rules(media: Path, tmp_path: Path):
    (media / "notes.txt").write_text("not an image")
    (media / "sub").mkdir()
    assert media_file("ok.png", media) == (media / "ok.png").resolve()
    assert media_file("ok%2Epng", media) == (media / "ok.png").resolve()  # decoded, still inside
    for bad in ["", ".hidden", "sub", "sub/ok.png", "C:ok.png", "ok.png\x00", "missing.png"]:
        assert media_file(bad, media) is None, bad
    (media / "link.png").symlink_to(tmp_path / "media" / ".." / "secret-link-target.png")
    assert media_file("link.png", media) is None
    assert inline_media('<img src="notes.txt">', media) == ""  # not a raster image


def test_svg_is_never_inlined(media: Path):
    """An SVG may load other files itself; only raster formats go to Qt."""
    (media / "x.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    assert inline_media('<img src="x.svg">', media) == ""


def test_names_are_escaped_for_rich_text(qtbot, secret: Path):
    deck = f'<img src="{secret.as_posix()}">'
    label = QLabel(f"<b>{esc(deck)}</b> · Domain 1")
    qtbot.addWidget(label)
    label.resize(400, 100)
    label.show()
    assert red_share(label) == 0 and "&lt;img" in label.text()
    assert "&lt;img" in tip(deck)


def test_long_runs_of_text_get_break_points_and_nothing_else_changes():
    """Only text outside tags, styles and scripts; never inside an entity; a break every
    1,000 characters (an entity counts as one) of a run of 2,000 or more without a space."""
    assert breakable("short") == "short"
    edge = "y" * 1999 + " " + "z" * 1999
    assert breakable(edge) == edge
    assert [len(p) for p in breakable("x" * 2500).split(ZWSP)] == [1000, 1000, 500]
    amp = breakable("&amp;" * 3000)
    assert amp.replace(ZWSP, "") == "&amp;" * 3000
    assert all(p.startswith("&") and p.endswith(";") and len(p) == 5000 for p in amp.split(ZWSP))
    mixed = "x&#160;" * 700 + "&" + "y" * 3000
    assert breakable(mixed).replace(ZWSP, "") == mixed and breakable(mixed).count(ZWSP) == 4
    url = "data:image/png;base64," + "A" * 5000
    css = "<style>.a { background: url(" + "b" * 5000 + ") }</style>"
    script = "<script>" + "s" * 3000 + "</script>"
    html = f'<p title="{"t" * 3000}">{"w" * 4000}<img src="{url}"></p>{css}{script}'
    out = breakable(html)
    assert out.replace(ZWSP, "") == html and out.count(ZWSP) == 3
    assert url in out and css in out and "t" * 3000 in out and "s" * 3000 in out


def test_qt_shows_a_huge_unbroken_field_with_its_break_points(qtbot):
    browser = SafeTextBrowser()
    qtbot.addWidget(browser)
    browser.resize(400, 300)
    browser.show()
    qtbot.waitExposed(browser)
    browser.setHtml(inline_media("<p>" + "x" * 200_000 + "</p>", None))
    assert browser.document().size().height() > 10_000  # wrapped into thousands of lines
    shown = browser.document().toPlainText()
    assert shown.replace(ZWSP, "") == "x" * 200_000 and shown.count(ZWSP) == 199
