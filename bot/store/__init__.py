"""Persistence: sqlmodel tables and the repository, the only place that writes SQL."""
