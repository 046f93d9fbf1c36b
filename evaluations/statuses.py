"""The kinds of the organiser's own questions and the follow-up's answers, one name each."""

from __future__ import annotations

from enum import StrEnum


class QuestionKind(StrEnum):
    SCALE = "scale"  # 1-5
    CHOICE = "choice"  # one of the organiser's options
    TEXT = "text"  # free text


class FollowUpUse(StrEnum):
    """Did they start using what they learnt (the project's effect measure)?"""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class GroupBy(StrEnum):
    """How results are grouped (filters narrow them further)."""

    EVENT = "event"
    TOPIC = "topic"  # the event's topics: an answer counts under each of them
    MUNICIPALITY = "municipality"
    MONTH = "month"  # the month the event ended, local time
