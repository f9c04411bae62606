"""The database session services pass around: db/ owns the database libraries, so services
name the session through this module (they hold no SQL: the import-linter contract "services/
hold no SQL" forbids sqlite3, SQLAlchemy and SQLModel there) and hand it to db/ functions."""

from sqlmodel import Session

__all__ = ["Session"]
