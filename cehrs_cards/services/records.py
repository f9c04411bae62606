"""Records and errors defined below the services that the UI receives from them.

The UI depends on services only (an import contract): what it needs of db/ and interchange/
(the settings record, a schema-too-new error, a text file's column mapping) is named here.
"""

from __future__ import annotations

from cehrs_cards.db.migrations import SchemaTooNewError
from cehrs_cards.db.settings import Settings
from cehrs_cards.interchange.text_csv import ColumnMapping

__all__ = ["ColumnMapping", "SchemaTooNewError", "Settings"]
