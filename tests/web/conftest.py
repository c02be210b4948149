"""Fixtures for the status page's tests (helpers in web_kit.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_kit import PgServer
from web_kit import CHROMEDRIVER, CHROMIUM, Site, seed_template, site_for


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed played once per session; each test gets a copy."""
    return seed_template(tmp_path_factory.mktemp("seed"))


@pytest.fixture
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Site]:
    """A copy of the seeded database, with the status page serving it at WEB_NOW (PostgreSQL's with
    OPPK_TEST_DATABASE=postgresql, see reliability_kit.memory_bot)."""
    if os.environ.get("OPPK_TEST_DATABASE") == "postgresql":
        yield request.getfixturevalue("pg_site")
        return
    with site_for(tmp_path, template=request.getfixturevalue("seeded_database")) as site:
        yield site


@pytest.fixture
def sqlite_site(tmp_path: Path, seeded_database: Path) -> Iterator[Site]:
    """The same as `site`, under the name test modules that run on both databases ask for."""
    with site_for(tmp_path, template=seeded_database) as site:
        yield site


@pytest.fixture(scope="session")
def seeded_postgresql(postgres: PgServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The seed played once per session into a PostgreSQL database; tests get copies (CREATE DATABASE … TEMPLATE)."""
    url = postgres.create_database("seed")
    seed_template(tmp_path_factory.mktemp("seed-pg"), database_url=url)
    return url


@pytest.fixture
def pg_site(tmp_path: Path, postgres: PgServer, seeded_postgresql: str) -> Iterator[Site]:
    """The status page serving a copy of the seeded PostgreSQL database at WEB_NOW."""
    url = postgres.create_database("site", template=seeded_postgresql)
    with site_for(tmp_path, template=tmp_path, database_url=url) as site:
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
