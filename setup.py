"""Only the package list lives here (everything else is in pyproject.toml): the code packages
found under cehrs_cards/, plus decks/ and resources/ installed as cehrs_cards._decks and
cehrs_cards._resources (mapped in [tool.setuptools.package-dir]), so wheels, sdists and
editable installs all carry the bundled deck and the icons."""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["cehrs_cards", "cehrs_cards.*"]),
        "cehrs_cards._decks",
        "cehrs_cards._resources",
    ]
)
