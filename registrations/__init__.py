"""Sign-up, waiting list, tickets, emailed links, check-in."""
