"""The database session services pass around, and the database errors they may catch
(SQLAlchemy's, and sqlite3's from files written with sqlite3 directly): db/ owns the database
libraries, so services name these through this module (they hold no SQL: the import-linter
contract "services/ hold no SQL" forbids sqlite3, SQLAlchemy and SQLModel there) and hand the
session to db/ functions."""

from sqlite3 import Error as SQLiteError

from sqlalchemy.exc import DatabaseError
from sqlmodel import Session

__all__ = ["DatabaseError", "SQLiteError", "Session"]
