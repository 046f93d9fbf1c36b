"""The event log speaks the organiser's language, not our action codes."""

from __future__ import annotations

from events.audit import ACTIONS, describe


def test_log_lines_in_swedish_and_english() -> None:
    assert describe("event.changed", "starts_at, title", "sv") == "Ändrade starttiden, titeln"
    assert describe("event.changed", "starts_at, title", "en") == (
        "Changed the start time, the title"
    )
    assert describe("invitations.sent", "3/1", "sv") == (
        "Skickade 3 inbjudningar (1 var redan anmälda)"
    )
    assert describe("event.published", "", "sv") == "Publicerade evenemanget"
    # Recorded before it had words here (old detail format): shown as recorded, never broken.
    assert describe("invitations.sent", "3 sent, 1 already registered", "sv").startswith(
        "invitations.sent"
    )
    assert describe("something.new", "x", "sv") == "something.new: x"
    for action in ACTIONS:
        assert "." not in describe(action, "1/0", "sv").split(" ")[0], action
