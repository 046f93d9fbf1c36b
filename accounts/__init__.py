"""Organisers and their credentials: who they are (name, address, role, active), mailed sign-in
links, browser sessions and API tokens. The lowest domain: it imports no other domain.

Which municipalities an organiser may manage is not here: that link names a municipality, so
it lives with municipalities in `events` (`events.service.with_rights` completes a Principal).
"""
