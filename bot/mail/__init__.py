"""Mail IO: the Mailbox port and its IMAP and in-memory adapters, plus the outgoing side."""
