"""The database session services pass around, and the database error they may catch: db/ owns
the database libraries, so services name these through this module (they hold no SQL: the
import-linter contract "services/ hold no SQL" forbids sqlite3, SQLAlchemy and SQLModel there)
and hand the session to db/ functions."""

from sqlalchemy.exc import DatabaseError
from sqlmodel import Session

__all__ = ["DatabaseError", "Session"]
