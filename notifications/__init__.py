"""Outbox, mail rendering, calendar invitations, sending, reminders."""
