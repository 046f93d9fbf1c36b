"""Needs and offers, consent, match suggestions, meeting plans."""
