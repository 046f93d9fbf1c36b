"""Municipalities, venues, events, the topic taxonomy, organiser accounts, public calendars and
feeds."""
