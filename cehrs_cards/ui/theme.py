"""Light and dark themes; 'system' follows the desktop's colour scheme, live."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

DARK = {
    QPalette.ColorRole.Window: "#202124",
    QPalette.ColorRole.WindowText: "#e8eaed",
    QPalette.ColorRole.Base: "#17181a",
    QPalette.ColorRole.AlternateBase: "#26282b",
    QPalette.ColorRole.Text: "#e8eaed",
    QPalette.ColorRole.Button: "#2d2f33",
    QPalette.ColorRole.ButtonText: "#e8eaed",
    QPalette.ColorRole.Highlight: "#4c8bf5",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.ToolTipBase: "#2d2f33",
    QPalette.ColorRole.ToolTipText: "#e8eaed",
    QPalette.ColorRole.PlaceholderText: "#9aa0a6",
    QPalette.ColorRole.Link: "#8ab4f8",
}
LIGHT = {
    QPalette.ColorRole.Window: "#f5f6f8",
    QPalette.ColorRole.WindowText: "#1f2328",
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#f0f2f5",
    QPalette.ColorRole.Text: "#1f2328",
    QPalette.ColorRole.Button: "#e9ecef",
    QPalette.ColorRole.ButtonText: "#1f2328",
    QPalette.ColorRole.Highlight: "#2f6fde",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.ToolTipBase: "#ffffff",
    QPalette.ColorRole.ToolTipText: "#1f2328",
    QPalette.ColorRole.PlaceholderText: "#6e7781",
    QPalette.ColorRole.Link: "#0b57d0",
}
RATING_COLOURS = {1: "#d93025", 2: "#e37400", 3: "#188038", 4: "#1a73e8"}


def system_is_dark(app: QApplication) -> bool:
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def wants_dark(app: QApplication, setting: str) -> bool:
    if setting == "dark":
        return True
    if setting == "light":
        return False
    return system_is_dark(app)


def apply_theme(app: QApplication, dark: bool) -> None:
    app.setStyle("Fusion")
    palette = QPalette()
    for role, colour in (DARK if dark else LIGHT).items():
        palette.setColor(role, QColor(colour))
        if role in (
            QPalette.ColorRole.Text,
            QPalette.ColorRole.ButtonText,
            QPalette.ColorRole.WindowText,
        ):
            palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#80868b"))
    app.setPalette(palette)
    app.setProperty("cehrs_dark", dark)


def card_css(dark: bool) -> str:
    """Style sheet of the card document (QTextBrowser supports a CSS subset)."""
    fg, muted, accent = (
        ("#e8eaed", "#9aa0a6", "#8ab4f8") if dark else ("#1f2328", "#5f6368", "#0b57d0")
    )
    return (
        f"body {{ color: {fg}; font-size: 19px; }}"
        f".cloze {{ color: {accent}; font-weight: bold; }}"
        f".explanation {{ color: {fg}; font-size: 16px; }}"
        f".answer {{ color: {accent}; font-size: 18px; }}"
        f".muted {{ color: {muted}; }}"
        "ol.options li { margin-bottom: 6px; }" + _choice_css(dark)
    )


def _choice_css(dark: bool) -> str:
    """Multiple-choice marks (ui/mcq_html.py): right and wrong in colours readable on the
    theme's background, tinted cells for the right and the chosen option."""
    right, wrong, right_bg, wrong_bg, why, link = (
        ("#81c995", "#f28b82", "#1d3a26", "#4a2220", "#bdc1c6", "#e8eaed")
        if dark
        else ("#137333", "#c5221f", "#e6f4ea", "#fce8e6", "#3c4043", "#1f2328")
    )
    return (
        f".right {{ color: {right}; }} .wrong {{ color: {wrong}; }}"
        f"td.rightcell {{ background-color: {right_bg}; }}"
        f"td.wrongcell {{ background-color: {wrong_bg}; }}"
        f".why {{ color: {why}; font-size: 15px; }}"
        f"a.pick {{ color: {link}; text-decoration: none; }}"
        "table.choices { margin-top: 8px; }"
    )
