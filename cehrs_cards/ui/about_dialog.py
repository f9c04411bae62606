"""Help > About: version, licences, third-party notices and the data folder; the app icon.

The notices list every library a build ships (tests/install checks it against the installed
dependency tree), so a frozen bundle carries its licence duties with it: Qt is LGPLv3, and
the text says how a user replaces the Qt libraries inside a bundle.
"""

from __future__ import annotations

import html
import importlib.metadata as md
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QIcon, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from cehrs_cards import __version__
from cehrs_cards.ui.widgets import named
from cehrs_cards.ui.window_state import keep_geometry

APP_ID = "io.github.cehrscards.CEHRSCards"
"""Reverse-DNS id: the .desktop and AppStream files in resources/ are named after it."""
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


@dataclass(frozen=True)
class Notice:
    name: str
    distribution: str | None  # pip distribution name, for the installed version
    licence: str
    what: str


NOTICES = (
    Notice("Qt 6 and PySide6", "PySide6-Essentials", "LGPL-3.0", "the user interface"),
    Notice("Shiboken6", "shiboken6", "LGPL-3.0", "PySide6's binding runtime"),
    Notice("fsrs (py-fsrs)", "fsrs", "MIT", "the FSRS scheduler"),
    Notice("fsrs-rs-python", "fsrs-rs-python", "BSD-3-Clause", "FSRS parameter optimiser"),
    Notice("SQLModel", "sqlmodel", "MIT", "database models"),
    Notice("SQLAlchemy", "SQLAlchemy", "MIT", "database toolkit"),
    Notice("Pydantic", "pydantic", "MIT", "used by SQLModel"),
    Notice("pydantic-core", "pydantic_core", "MIT", "used by Pydantic"),
    Notice("annotated-types", "annotated-types", "MIT", "used by Pydantic"),
    Notice("typing-inspection", "typing-inspection", "MIT", "used by Pydantic"),
    Notice("typing_extensions", "typing_extensions", "PSF-2.0", "used by several of these"),
    Notice("platformdirs", "platformdirs", "MIT", "where the data folder lives"),
    Notice("tzlocal", "tzlocal", "MIT", "the computer's time zone (study days)"),
    Notice("zstandard", "zstandard", "BSD-3-Clause", "backup compression"),
    Notice("tomli-w", "tomli_w", "MIT", "writing deck files"),
    Notice(
        "google-re2 (RE2)",
        "google-re2",
        "BSD-3-Clause",
        "linear-time regular expressions in search",
    ),
    Notice(
        "pyminiaudio (miniaudio, dr_libs, stb_vorbis)",
        "miniaudio",
        "MIT; the C libraries MIT-0 or public domain",
        "playing card sounds (mp3, ogg, wav, flac)",
    ),
    Notice("cffi", "cffi", "MIT-0", "used by pyminiaudio"),
    Notice("pycparser", "pycparser", "BSD-3-Clause", "used by cffi"),
    Notice("Python", None, "PSF-2.0", "the language and its standard library"),
    Notice("SQLite", None, "Public domain", "the collection file"),
)
"""Every library the app ships. The frozen bundles also carry the Python runtime's own
libraries (OpenSSL: Apache-2.0, libffi: MIT, zlib: Zlib) and Qt's ICU (Unicode-3.0)."""

QT_REPLACE = (
    "Qt and PySide6 are licensed under the GNU Lesser General Public License version 3. "
    "You may replace them with your own compatible build (same major and minor version): "
    "in a pip or pipx install, install another PySide6 into the app's environment; in the "
    "Linux or Windows app folder, replace the files under <code>_internal/PySide6/</code>; "
    "in the macOS app, those under <code>CEHRS Cards.app/Contents/Frameworks/PySide6/"
    "</code>. Qt's source code is published by the Qt Project at download.qt.io."
)


def resource_dir() -> Path:
    """resources/ of the repository, installed as the package cehrs_cards._resources."""
    return Path(str(resources.files("cehrs_cards._resources")))


def app_icon() -> QIcon:
    """The app's icon at every rendered size (resources/icons, from resources/*.svg)."""
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(resource_dir() / "icons" / f"cehrs-cards-{size}.png"))
    return icon


def installed_version(distribution: str | None) -> str:
    if distribution is None:
        return ""
    try:
        return md.version(distribution)
    except md.PackageNotFoundError:
        return ""


def notices_html() -> str:
    rows = "".join(
        f"<tr><td><b>{html.escape(n.name)}</b></td>"
        f"<td>{html.escape(installed_version(n.distribution))}</td>"
        f"<td>{html.escape(n.licence)}</td><td>{html.escape(n.what)}</td></tr>"
        for n in NOTICES
    )
    return (
        "<h3>Third-party software</h3>"
        f"<table cellpadding=3><tr><th align=left>Component</th><th align=left>Version</th>"
        f"<th align=left>Licence</th><th align=left>Used for</th></tr>{rows}</table>"
        f"<p>{QT_REPLACE}</p>"
        "<p>The app bundles also carry the Python runtime's libraries (OpenSSL: Apache-2.0, "
        "libffi: MIT, zlib: Zlib) and Qt's ICU data (Unicode-3.0).</p>"
    )


LICENCES_HTML = (
    "<p><b>Code</b>: MIT licence. <b>Bundled CEHRS deck</b>: Creative Commons Attribution "
    "4.0 (CC BY 4.0). Both were written for this project.</p>"
    "<p>CEHRS is a certification of the National Healthcareer Association (NHA); this app is "
    "not affiliated with or endorsed by NHA. CPT is a registered trademark of the American "
    "Medical Association; the deck cites code ranges and structure only.</p>"
    "<p>The app makes no network calls: your cards stay on this computer.</p>"
)


class AboutDialog(QDialog):
    """Version, licences, notices, and the data folder with a button that opens it."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.setWindowTitle("About CEHRS Cards")
        layout = QVBoxLayout(self)
        layout.addLayout(self._header())
        licences = QLabel(LICENCES_HTML)
        licences.setWordWrap(True)
        layout.addWidget(licences)
        layout.addLayout(self._data_row())
        self.notices = named(QTextBrowser(), "Third-party software")
        self.notices.setOpenLinks(False)  # nothing in it is fetched or followed
        self.notices.setHtml(notices_html())
        layout.addWidget(self.notices, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        keep_geometry(self, "about", QSize(680, 620))

    def _header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(QPixmap(str(resource_dir() / "icons" / "cehrs-cards-64.png")))
        row.addWidget(icon)
        self.title = QLabel(
            f"<h2>CEHRS Cards</h2><p>Version {html.escape(__version__)}<br>"
            "Spaced-repetition flashcards and timed mock exams for the NHA CEHRS exam.</p>"
        )
        row.addWidget(self.title, 1)
        return row

    def _data_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.folder = QLabel(f"<b>Data folder</b>: {html.escape(str(self.data_dir))}")
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder.setWordWrap(True)
        row.addWidget(self.folder, 1)
        self.open_button = QPushButton("Open data folder")
        self.open_button.clicked.connect(self.open_data_folder)
        row.addWidget(self.open_button)
        return row

    def open_data_folder(self) -> bool:
        """Show the data folder in the system's file manager."""
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_dir)))


def show_about(parent: QWidget, data_dir: Path) -> AboutDialog:
    dialog = AboutDialog(data_dir, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
