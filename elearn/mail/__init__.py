"""The outbox: every e-mail elearn sends, its delivery and the scheduler that runs it."""
