"""CEHRS Cards: spaced repetition and mock exams for the NHA CEHRS exam."""

__version__ = "0.1.0"
