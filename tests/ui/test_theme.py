"""Light and dark themes (issue 16): contrast computed from the colours the app draws with
(WCAG 2.x: text 4.5:1, graphics and control borders 3:1), check boxes that show unticked in
dark mode, a live switch that restyles what is open, the focused Good button's stripe, and the
exam history's "390 pass" label clear of the grid line."""

from __future__ import annotations

from dataclasses import fields

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QCheckBox, QWidget

from cehrs_cards.core.records import Rating
from cehrs_cards.ui.theme import (
    DARK,
    DARK_COLOURS,
    LIGHT,
    LIGHT_COLOURS,
    Colours,
    Role,
    ThemeStyle,
    apply_theme,
    colours,
)
from tests.ops_helpers import make_main_window, settle

THEMES = {"light": (LIGHT, LIGHT_COLOURS), "dark": (DARK, DARK_COLOURS)}
TEXT = ("new", "learning", "due", "error", "right", "warn", "muted", "accent")


def luminance(colour: str | QColor) -> float:
    c = QColor(colour)

    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast(a: str | QColor, b: str | QColor) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("theme", THEMES)
def test_text_colours_reach_4_5_to_1_on_every_background(theme):
    pal, c = THEMES[theme]
    grounds = (pal[Role.Window], pal[Role.Base], pal[Role.AlternateBase])
    low = {
        (name, ground): round(contrast(getattr(c, name), ground), 2)
        for name in TEXT
        for ground in grounds
        if contrast(getattr(c, name), ground) < 4.5
    }
    assert low == {}


@pytest.mark.parametrize("theme", THEMES)
def test_palette_text_reaches_4_5_to_1(theme):
    pal, c = THEMES[theme]
    pairs = {
        "text on base": (Role.Text, Role.Base),
        "text on alternate rows": (Role.Text, Role.AlternateBase),
        "window text": (Role.WindowText, Role.Window),
        "button text": (Role.ButtonText, Role.Button),
        "selected text": (Role.HighlightedText, Role.Highlight),
        "placeholder": (Role.PlaceholderText, Role.Base),
        "muted labels": (Role.PlaceholderText, Role.Window),
        "links": (Role.Link, Role.Base),
        "tooltips": (Role.ToolTipText, Role.ToolTipBase),
    }
    low = {k: contrast(pal[a], pal[b]) for k, (a, b) in pairs.items()}
    assert {k: round(v, 2) for k, v in low.items() if v < 4.5} == {}
    on_colour = {
        "exam option tints": [contrast(pal[Role.Text], t) for t in c.tints],
        "mastery columns": [contrast(c.on_domain, d) for d in c.domains],
        "checked flag button": [contrast("#ffffff", c.flag_button)],
    }
    assert {k: min(v) for k, v in on_colour.items() if min(v) < 4.5} == {}


def over(top: str, alpha: int, under: str) -> QColor:
    """`top` painted with `alpha` (0-255) over `under`."""
    a = alpha / 255
    pairs = zip(QColor(top).getRgbF()[:3], QColor(under).getRgbF()[:3], strict=True)
    return QColor.fromRgbF(*(a * x + (1 - a) * y for x, y in pairs))


@pytest.mark.parametrize("theme", THEMES)
def test_browser_row_tints_keep_the_text_readable(theme):
    from cehrs_cards.ui.browser_model import FLAG_ALPHA, SUSPENDED_ALPHA, SUSPENDED_TINT

    pal, c = THEMES[theme]
    rows = [
        over(f, FLAG_ALPHA, g) for f in c.flags for g in (pal[Role.Base], pal[Role.AlternateBase])
    ]
    rows += [over(SUSPENDED_TINT, SUSPENDED_ALPHA, pal[Role.Base])]
    assert min(contrast(pal[Role.Text], row) for row in rows) >= 4.5


@pytest.mark.parametrize("theme", THEMES)
def test_graphics_and_control_borders_reach_3_to_1(theme):
    pal, c = THEMES[theme]
    base, window, button = pal[Role.Base], pal[Role.Window], pal[Role.Button]
    groups = {
        "rating stripes on buttons": [(x, button) for x in c.ratings],
        "chart series": [(x, base) for x in c.series],
        "card states": [(x, base) for x in c.states],
        "domains": [(x, base) for x in c.domains],
        "flags": [(x, g) for x in c.flags for g in (base, window)],
        "check box and field borders": [(c.control, g) for g in (base, window)],
        "focus ring": [(pal[Role.Highlight], g) for g in (base, window, button)],
        "option edges": [(x, base) for x in (c.right, c.error)],
    }
    low = {
        name: round(min(contrast(a, b) for a, b in pairs), 2)
        for name, pairs in groups.items()
        if min(contrast(a, b) for a, b in pairs) < 3
    }
    assert low == {}


def test_both_themes_name_the_same_colours():
    for f in fields(Colours):
        light, dark = getattr(LIGHT_COLOURS, f.name), getattr(DARK_COLOURS, f.name)
        assert type(light) is type(dark)
        if isinstance(light, tuple):
            assert len(light) == len(dark), f.name


def _pixels(image: QImage, colour: str, tolerance: int = 40) -> int:
    want = QColor(colour)
    found = 0
    for y in range(image.height()):
        for x in range(image.width()):
            got = image.pixelColor(x, y)
            if (
                abs(got.red() - want.red()) + abs(got.green() - want.green())
                + abs(got.blue() - want.blue()) <= tolerance
            ):  # fmt: skip
                found += 1
    return found


def test_an_unticked_check_box_is_visible_in_dark_mode(qapp):
    apply_theme(qapp, True)
    try:
        box = QCheckBox("Allow pausing the clock")
        box.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # unfocused: the plain border
        box.show()
        qapp.processEvents()
        indicator = box.grab().toImage().copy(0, 0, box.height(), box.height())
        border = _pixels(indicator, DARK_COLOURS.control)
        assert border >= 4 * (box.height() - 8)  # the square's four sides, drawn 3:1
        box.close()
    finally:
        apply_theme(qapp, False)


def _button_fill(w: QWidget) -> QColor:
    return w.grab().toImage().pixelColor(QPoint(w.width() // 2, 6))


def test_a_theme_switch_restyles_the_open_review_screen_at_once(qtbot, mini_col):
    window = make_main_window(qtbot, mini_col)
    qapp = QApplication.instance()
    window.start_study(None)
    settle(qtbot)
    window.reviewer.reveal()
    again = window.reviewer.rate_buttons[Rating.AGAIN]
    qtbot.waitUntil(again.isVisible)
    try:
        for dark in (True, False, True):
            apply_theme(qapp, dark)
            qapp.processEvents()
            expected = QColor((DARK if dark else LIGHT)[Role.Button])
            for rating in (Rating.AGAIN, Rating.HARD, Rating.EASY):
                fill = _button_fill(window.reviewer.rate_buttons[rating])
                assert contrast(fill, expected) < 1.15, (dark, rating, fill.name())
            counts = window.reviewer.counts.text()
            assert colours(dark).new in counts or not counts
    finally:
        apply_theme(qapp, False)


def test_the_focused_good_button_keeps_its_colour_stripe(qtbot, mini_col):
    window = make_main_window(qtbot, mini_col)
    window.start_study(None)
    settle(qtbot)
    window.reviewer.reveal()
    good = window.reviewer.rate_buttons[Rating.GOOD]
    qtbot.waitUntil(good.hasFocus)
    image = good.grab().toImage()
    stripe = image.copy(8, image.height() - 4, image.width() - 16, 3)
    assert _pixels(stripe, colours().ratings[2]) > stripe.width()  # the green bottom edge
    top = image.copy(8, 0, image.width() - 16, 2)
    assert _pixels(top, QApplication.palette().color(Role.Highlight).name()) > top.width()


def test_the_390_pass_label_is_not_struck_by_a_grid_line(qtbot):
    from cehrs_cards.core.domains import PASSING_SCALED
    from cehrs_cards.ui.exam_history import TrendChart

    chart = TrendChart([])
    chart.resize(600, 260)
    chart.show()
    qtbot.waitExposed(chart)
    image = chart.grab().toImage()
    plot_height = 260 - 14 - 26
    y390 = 14 + plot_height * (1 - (PASSING_SCALED - 200) / 300)
    fm = chart.fontMetrics()
    label = image.copy(44 + 4, round(y390) + 3, fm.horizontalAdvance("390 pass"), fm.height() - 2)
    grid = QApplication.palette().color(Role.Mid).name()
    rows_with_a_line = [
        y for y in range(label.height())
        if _pixels(label.copy(0, y, label.width(), 1), grid, 10) > 0.8 * label.width()
    ]  # fmt: skip
    assert rows_with_a_line == []
    assert _pixels(label, colours().right, 60) > 10  # the label itself, in the pass colour
    chart.close()


def test_dark_mode_keeps_selected_rows_readable(qapp):
    pal = QApplication.palette()
    apply_theme(qapp, True)
    try:
        dark = QApplication.palette()
        assert contrast(dark.color(Role.HighlightedText), dark.color(Role.Highlight)) >= 4.5
        assert isinstance(QApplication.style(), ThemeStyle)
        assert dark.color(Role.Window) != pal.color(Role.Window)
    finally:
        apply_theme(qapp, False)
    assert pal.color(Role.Window) == QApplication.palette().color(Role.Window)
