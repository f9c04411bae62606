"""Installed as the package cehrs_cards._decks so every build carries the bundled deck.

Nothing to import here: the app reads the deck files beside this one with importlib.resources.
"""
