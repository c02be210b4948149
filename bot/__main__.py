"""`python -m bot …` is the same as the `oppkobling` console script."""

from bot.cli import entry

raise SystemExit(entry())
