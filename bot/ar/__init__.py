"""The Adresseregister (NHN's CommunicationParty API behind HelseID): HER-id look-ups behind a small seam.

The names below are loaded on first use: the engine's actions import `bot.ar.verdict` alone, and a read-only
command must not pay for the HelseID client (JOSE, HTTP) it never calls.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["AddressRegister", "ArError", "ClientKey", "CommunicationParty", "HelseIdTokens", "MemoryAddressRegister",
           "RestAddressRegister", "UnknownHerId", "https_client", "parse_party"]

_WHERE = {
    "HelseIdTokens": "bot.ar.helseid", "https_client": "bot.ar.http", "ClientKey": "bot.ar.keys",
    "MemoryAddressRegister": "bot.ar.memory", "AddressRegister": "bot.ar.model", "ArError": "bot.ar.model",
    "CommunicationParty": "bot.ar.model", "UnknownHerId": "bot.ar.model", "parse_party": "bot.ar.model",
    "RestAddressRegister": "bot.ar.rest",
}

if TYPE_CHECKING:
    from bot.ar.helseid import HelseIdTokens
    from bot.ar.http import https_client
    from bot.ar.keys import ClientKey
    from bot.ar.memory import MemoryAddressRegister
    from bot.ar.model import AddressRegister, ArError, CommunicationParty, UnknownHerId, parse_party
    from bot.ar.rest import RestAddressRegister


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'bot.ar' has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
