"""Signed-in organisers for the planning pages (the organiser tests' fixtures)."""

from tests.organiser.conftest import anna, olle

__all__ = ["anna", "olle"]
