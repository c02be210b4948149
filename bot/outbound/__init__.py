"""Outbound mail: the engine's actions carried out, mail composed from templates, gated, queued and sent."""
