"""Oppkoblingsbot: the onboarding routine for kommune ↔ HF health messaging, run from a mailbox."""
