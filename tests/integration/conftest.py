"""Integration tests run against the local mail sandbox; its fixtures live in tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_bot import Bot, cli_bot

from sandbox import Sandbox

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in item.path.parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture
def bot(sandbox: Sandbox, tmp_path: Path, request: pytest.FixtureRequest) -> Bot:
    """A `python -m bot` on the shipped rules/ and templates/, with a fresh database.

    Parametrized with "oauth2", it logs in as on Microsoft 365: OAuth2 tokens from the sandbox's
    authority, with passwords refused by IMAP and SMTP.
    """
    if getattr(request, "param", "password") == "oauth2":
        sandbox.microsoft365(basic_auth=False)
        return cli_bot(sandbox, tmp_path, **sandbox.oauth2_env())
    return cli_bot(sandbox, tmp_path)
