"""Fixtures for the status page's tests (helpers in web_kit.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_kit import CHROMEDRIVER, CHROMIUM, Site, seed_template, site_for


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed played once per session; each test gets a copy."""
    return seed_template(tmp_path_factory.mktemp("seed"))


@pytest.fixture
def site(tmp_path: Path, seeded_database: Path) -> Iterator[Site]:
    """A copy of the seeded database, with the status page serving it at WEB_NOW."""
    with site_for(tmp_path, template=seeded_database) as site:
        yield site


@pytest.fixture
def chromium() -> Path:
    """Debian's chromium and chromedriver (`make chromium`): skip without them, fail in CI."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    if missing:
        reason = f"{' and '.join(missing)} not installed (make chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}: browser tests may not be skipped in CI", pytrace=False)
        pytest.skip(reason)
    return CHROMIUM
