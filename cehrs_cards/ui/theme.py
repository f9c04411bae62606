"""Light and dark themes; 'system' follows the desktop's colour scheme, live.

Every colour the app draws with is named here, once per theme: the palette, the text colours
(counts, right / wrong, warnings, muted notes) and the graphics (rating stripes, flags, chart
series). Text colours reach 4.5:1 and graphics 3:1 against the backgrounds they are drawn on,
in both themes (tests/ui/test_theme.py computes it). A switch restyles every open widget at
once: style sheets are re-read and views that bake colours into their text redraw on
`theme_signals().sig_changed`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QRect, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleOption,
    QStyleOptionComplex,
    QWidget,
)

Role = QPalette.ColorRole
DARK = {
    Role.Window: "#202124",
    Role.WindowText: "#e8eaed",
    Role.Base: "#17181a",
    Role.AlternateBase: "#26282b",
    Role.Text: "#e8eaed",
    Role.Button: "#2d2f33",
    Role.ButtonText: "#e8eaed",
    Role.Highlight: "#8ab4f8",
    Role.HighlightedText: "#17181a",
    Role.ToolTipBase: "#2d2f33",
    Role.ToolTipText: "#e8eaed",
    Role.PlaceholderText: "#9aa0a6",
    Role.Link: "#8ab4f8",
    Role.Light: "#3c4043",
    Role.Midlight: "#35363a",
    Role.Mid: "#5f6368",
    Role.Dark: "#111214",
    Role.Shadow: "#000000",
    Role.BrightText: "#ffffff",
}
LIGHT = {
    Role.Window: "#f5f6f8",
    Role.WindowText: "#1f2328",
    Role.Base: "#ffffff",
    Role.AlternateBase: "#f0f2f5",
    Role.Text: "#1f2328",
    Role.Button: "#e9ecef",
    Role.ButtonText: "#1f2328",
    Role.Highlight: "#2f6fde",
    Role.HighlightedText: "#ffffff",
    Role.ToolTipBase: "#ffffff",
    Role.ToolTipText: "#1f2328",
    Role.PlaceholderText: "#5f6368",
    Role.Link: "#0b57d0",
    Role.Light: "#ffffff",
    Role.Midlight: "#f1f3f4",
    Role.Mid: "#b0b7bf",
    Role.Dark: "#80868b",
    Role.Shadow: "#5f6368",
    Role.BrightText: "#ffffff",
}
DISABLED_TEXT = "#80868b"


@dataclass(frozen=True)
class Colours:
    """The named colours of one theme (text colours first, then graphics)."""

    new: str
    learning: str
    due: str
    error: str
    right: str
    warn: str
    muted: str
    accent: str
    ratings: tuple[str, str, str, str]
    """Again, Hard, Good, Easy: button stripes, and the answer in card info."""
    flags: tuple[str, str, str, str, str, str, str]
    """Anki's flags 1-7: red, orange, green, blue, pink, turquoise, purple."""
    series: tuple[str, str, str, str, str, str]
    domains: tuple[str, str, str, str, str]
    on_domain: str
    """Text drawn on a domain colour."""
    states: tuple[str, str, str, str, str, str]
    """Cards by state: new, learning, relearning, young, mature, suspended."""
    control: str
    """Borders of check boxes, radio buttons and text fields."""
    tints: tuple[str, str, str]
    """Backgrounds of an exam option: selected, right, wrong."""
    flag_button: str
    """Background of the checked flag button (white text)."""

    def count_colours(self) -> tuple[str, str, str]:
        return self.new, self.learning, self.due


LIGHT_COLOURS = Colours(
    new="#1558b0",
    learning="#b3261e",
    due="#137333",
    error="#b3261e",
    right="#137333",
    warn="#9a4f00",
    muted="#5f6368",
    accent="#0b57d0",
    ratings=("#b3261e", "#9a4f00", "#137333", "#1558b0"),
    flags=("#d93025", "#b06000", "#188038", "#1a73e8", "#d01b8a", "#00838f", "#7b3fd1"),
    series=("#1a73e8", "#b06000", "#188038", "#d93025", "#a142f4", "#00838f"),
    domains=("#1a73e8", "#188038", "#b06000", "#a142f4", "#00838f"),
    on_domain="#ffffff",
    states=("#1a73e8", "#d93025", "#b06000", "#1e8e3e", "#0d652d", "#80868b"),
    control="#6e7781",
    tints=("#dce8fc", "#dcf1e2", "#fadcd9"),
    flag_button="#b06000",
)
DARK_COLOURS = Colours(
    new="#8ab4f8",
    learning="#f28b82",
    due="#81c995",
    error="#f28b82",
    right="#81c995",
    warn="#fcad70",
    muted="#9aa0a6",
    accent="#8ab4f8",
    ratings=("#f28b82", "#fcad70", "#81c995", "#8ab4f8"),
    flags=("#f28b82", "#fcad70", "#81c995", "#8ab4f8", "#ff8bcb", "#78d9ec", "#c58af9"),
    series=("#8ab4f8", "#fcad70", "#81c995", "#f28b82", "#c58af9", "#78d9ec"),
    domains=("#8ab4f8", "#81c995", "#fcad70", "#c58af9", "#78d9ec"),
    on_domain="#17181a",
    states=("#8ab4f8", "#f28b82", "#fcad70", "#a8dab5", "#34a853", "#9aa0a6"),
    control="#9aa0a6",
    tints=("#24406e", "#1d4a2a", "#5a2421"),
    flag_button="#b06000",
)


class ThemeSignals(QObject):
    sig_changed = Signal(bool)  # dark


_signals: ThemeSignals | None = None


def theme_signals() -> ThemeSignals:
    """The one notifier of theme switches (made with the first call, on the UI thread)."""
    global _signals
    if _signals is None:
        _signals = ThemeSignals()
    return _signals


def named_colour(key: str) -> QColor:
    """A colour by name in the current theme: "error", "series.2", "states.0", or "#rrggbb"
    itself. Charts keep names, not colours, so a theme switch repaints them right."""
    if key.startswith("#"):
        return QColor(key)
    name, _, index = key.partition(".")
    value = getattr(colours(), name)
    return QColor(value[int(index)] if index else value)


def is_dark() -> bool:
    app = QApplication.instance()
    return bool(app.property("cehrs_dark")) if app is not None else False


def colours(dark: bool | None = None) -> Colours:
    """The named colours of a theme (the current one by default)."""
    return DARK_COLOURS if (is_dark() if dark is None else dark) else LIGHT_COLOURS


def system_is_dark(app: QApplication) -> bool:
    hints = app.styleHints()
    return hints is not None and hints.colorScheme() == Qt.ColorScheme.Dark


def wants_dark(app: QApplication, setting: str) -> bool:
    if setting == "dark":
        return True
    if setting == "light":
        return False
    return system_is_dark(app)


def palette(dark: bool) -> QPalette:
    pal = QPalette()
    for role, colour in (DARK if dark else LIGHT).items():
        pal.setColor(role, QColor(colour))
    for role in (Role.Text, Role.ButtonText, Role.WindowText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(DISABLED_TEXT))
    return pal


def apply_theme(app: QApplication, dark: bool) -> None:
    """Switch every window to the theme now, open ones included."""
    if not isinstance(app.style(), ThemeStyle):
        app.setStyle(ThemeStyle())
    app.setProperty("cehrs_dark", dark)
    app.setPalette(palette(dark))
    for widget in app.allWidgets():
        if widget.property(TEXT_ROLE) is not None:
            _restyle(widget)
        elif widget.styleSheet():  # palette(...) in a style sheet is read when it is set
            widget.setStyleSheet(widget.styleSheet())
    theme_signals().sig_changed.emit(dark)


TEXT_ROLE = "cehrs_text_colour"


def set_text_colour(widget: QWidget, role: str | None, bold: bool = False) -> None:
    """Colour a label's text by role (an attribute of Colours: "error", "muted", ...), in
    the current theme and again after every switch; None: the palette's text colour."""
    widget.setProperty(TEXT_ROLE, f"{role or ''}:{'bold' if bold else ''}")
    _restyle(widget)


def _restyle(widget: QWidget) -> None:
    role, _, weight = str(widget.property(TEXT_ROLE) or ":").partition(":")
    colour = f"color: {getattr(colours(), role)};" if role else ""
    widget.setStyleSheet(colour + (" font-weight: bold;" if weight else ""))


def card_css(dark: bool, zoom: float = 1.0) -> str:
    """Style sheet of the card document (QTextBrowser supports a CSS subset)."""
    c = colours(dark)
    fg = DARK[Role.Text] if dark else LIGHT[Role.Text]

    def px(size: int) -> str:
        return f"{round(size * zoom)}px"

    return (
        f"body {{ color: {fg}; font-size: {px(19)}; }}"
        f".cloze {{ color: {c.accent}; font-weight: bold; }}"
        f".explanation {{ color: {fg}; font-size: {px(16)}; }}"
        f".answer {{ color: {c.accent}; font-size: {px(18)}; }}"
        f".muted {{ color: {c.muted}; }}"
        f".right {{ color: {c.right}; font-weight: bold; }}"
        f".wrong {{ color: {c.error}; font-weight: bold; }}"
        "ol.options li { margin-bottom: 6px; }" + _choice_css(c, fg, px)
    )


def _choice_css(c: Colours, fg: str, px: Callable[[int], str]) -> str:
    """Multiple-choice marks (ui/mcq_html.py): the theme's tints behind the right and the
    chosen option, each option's reason in the text colour, options as plain-looking links."""
    _selected, right_bg, wrong_bg = c.tints
    return (
        f"td.rightcell {{ background-color: {right_bg}; }}"
        f"td.wrongcell {{ background-color: {wrong_bg}; }}"
        f".why {{ color: {fg}; font-size: {px(15)}; }}"
        f"a.pick {{ color: {fg}; text-decoration: none; }}"
        "table.choices { margin-top: 8px; }"
    )


class ThemeStyle(QProxyStyle):
    """Fusion, with check boxes, radio buttons and text fields drawn with a border that
    stands out 3:1 from the background in both themes (Fusion derives its borders from the
    window colour, which leaves them invisible in dark mode), and a focus ring on buttons
    (Fusion shows a button's keyboard focus only as the default-button outline, which the
    default button has anyway)."""

    BORDERED = (
        QStyle.PrimitiveElement.PE_IndicatorCheckBox,
        QStyle.PrimitiveElement.PE_IndicatorRadioButton,
        QStyle.PrimitiveElement.PE_FrameLineEdit,
    )
    BUTTONS = (
        QStyle.PrimitiveElement.PE_PanelButtonCommand,
        QStyle.PrimitiveElement.PE_PanelButtonTool,
    )

    def __init__(self) -> None:
        super().__init__("Fusion")

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawPrimitive(element, option, painter, widget)
        scroll_frame = element == QStyle.PrimitiveElement.PE_Frame and isinstance(
            widget, QAbstractScrollArea
        )  # text areas, tables and lists: their frame shows the focus too
        if element in self.BORDERED or scroll_frame:
            _border(painter, option, element == QStyle.PrimitiveElement.PE_IndicatorRadioButton)
        elif element in self.BUTTONS and _keyboard_focus(option):
            _focus_ring(painter, option)

    def drawComplexControl(
        self,
        control: QStyle.ComplexControl,
        option: QStyleOptionComplex,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawComplexControl(control, option, painter, widget)
        editable = (QStyle.ComplexControl.CC_SpinBox, QStyle.ComplexControl.CC_ComboBox)
        if control in editable and _framed(option):
            _border(painter, option, False)


def _keyboard_focus(option: QStyleOption) -> bool:
    """Focused: Enter or Space would press it. (Not only after a key moved the focus, as
    Fusion's own outline: a keyboard user may have clicked first.)"""
    return bool(option.state & QStyle.StateFlag.State_HasFocus)


def _focus_ring(painter: QPainter, option: QStyleOption) -> None:
    """A 2 px ring in the highlight colour just inside the button's edge."""
    rect: QRect = option.rect.adjusted(2, 2, -3, -3)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(option.palette.color(Role.Highlight), 2))
    painter.drawRoundedRect(rect, 3, 3)
    painter.restore()


def _framed(option: QStyleOption) -> bool:
    return bool(getattr(option, "frame", True))


def _border(painter: QPainter, option: QStyleOption, round_: bool) -> None:
    """A 1 px border in the theme's control colour (the focus colour when focused)."""
    focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
    enabled = bool(option.state & QStyle.StateFlag.State_Enabled)
    colour = option.palette.color(Role.Highlight) if focused else QColor(colours().control)
    if not enabled:
        colour.setAlphaF(0.5)
    rect: QRect = option.rect.adjusted(0, 0, -1, -1)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, round_)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(colour, 2 if focused else 1))
    if round_:
        painter.drawEllipse(rect.adjusted(1, 1, -1, -1))
    else:
        painter.drawRoundedRect(rect, 2, 2)
    painter.restore()
