"""Intake: from raw mail bytes to a classified message with its new text and, for orders, the order."""
