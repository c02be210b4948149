"""Fixtures for the fault tests: the bot's working dirs (the sandbox fixtures live in tests/conftest.py)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A working directory under /tmp for the bot (its database, data dir and logs), removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="oppk-reliability-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)
