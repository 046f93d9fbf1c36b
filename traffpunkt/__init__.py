"""Träffpunkt: the shell that composes the domains (events, registrations, networking,
notifications). No business rules live here."""
