"""The Adresseregister (NHN's CommunicationParty API behind HelseID): HER-id look-ups behind a small seam."""

from __future__ import annotations

from bot.ar.helseid import HelseIdTokens
from bot.ar.http import https_client
from bot.ar.keys import ClientKey
from bot.ar.memory import MemoryAddressRegister
from bot.ar.model import AddressRegister, ArError, CommunicationParty, UnknownHerId, parse_party
from bot.ar.rest import RestAddressRegister

__all__ = ["AddressRegister", "ArError", "ClientKey", "CommunicationParty", "HelseIdTokens", "MemoryAddressRegister",
           "RestAddressRegister", "UnknownHerId", "https_client", "parse_party"]
