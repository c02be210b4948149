"""OAuth2 token sources pointed at the sandbox's authority, for the integration tests."""

from __future__ import annotations

from pathlib import Path

from bot.mail.oauth2 import OAuth2Config, TokenSource
from sandbox import APP_ID, APP_SECRET, Sandbox


def sandbox_tokens(sandbox: Sandbox, *, certificate_file: Path | None = None, trust_sandbox_ca: bool = True,
                   **overrides: str) -> TokenSource:
    """A TokenSource for the sandbox's app: its secret, or `certificate_file` instead."""
    options = {"tenant_id": sandbox.authority.tenant_id, "client_id": APP_ID, "authority": sandbox.authority.base_url}
    options.update(overrides)
    secret = None if certificate_file else APP_SECRET
    return TokenSource(OAuth2Config(**options, client_secret=secret, certificate_file=certificate_file,
                                    ca_file=sandbox.ca_file if trust_sandbox_ca else None))
