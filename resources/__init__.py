"""Installed as the package cehrs_cards._resources (icons, desktop files) so every build
carries them; the app reads them with importlib.resources."""
