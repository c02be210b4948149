"""An in-memory Adresseregister for tests: parties by HER-id, and a switch that makes it unreachable."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.ar.model import ArError, CommunicationParty, UnknownHerId


@dataclass
class MemoryAddressRegister:
    """Answers from `parties`; while `down` holds a reason, every look-up fails with it."""

    parties: dict[int, CommunicationParty] = field(default_factory=dict)
    down: str | None = None
    looked_up: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, parties: Iterable[CommunicationParty]) -> MemoryAddressRegister:
        return cls({p.her_id: p for p in parties})

    def lookup(self, her_id: int) -> CommunicationParty:
        self.looked_up.append(her_id)
        if self.down is not None:
            raise ArError(self.down)
        party = self.parties.get(her_id)
        if party is None:
            raise UnknownHerId(her_id)
        return party
