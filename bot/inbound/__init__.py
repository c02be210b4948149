"""Inbound mail: the mailbox read, each message understood by intake and turned into one engine event."""
