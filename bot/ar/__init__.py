"""The Adresseregister (NHN's CommunicationParty API behind HelseID): HER-id look-ups behind a small seam."""

from __future__ import annotations

from bot.ar.helseid import HelseIdTokens
from bot.ar.http import https_client
from bot.ar.keys import ClientKey
from bot.ar.memory import MemoryAddressRegister
from bot.ar.model import AddressRegister, ArError, CommunicationParty, UnknownHerId, parse_party
from bot.ar.rest import RestAddressRegister
from bot.settings import ArMode, Settings

__all__ = ["AddressRegister", "ArError", "CommunicationParty", "MemoryAddressRegister", "RestAddressRegister",
           "UnknownHerId", "build_address_register", "parse_party"]


def build_address_register(settings: Settings) -> RestAddressRegister | None:
    """The REST client for BOT_AR=rest, None for off; ArError when the key file cannot be used."""
    if settings.ar != ArMode.REST:
        return None
    assert settings.ar_url and settings.helseid_client_id and settings.helseid_private_key_file  # by Settings
    tokens = HelseIdTokens(settings.helseid_authority, settings.helseid_client_id, settings.ar_scope,
                           ClientKey.load(settings.helseid_private_key_file), https_client(settings.ca_file))
    return RestAddressRegister(settings.ar_url, tokens)
